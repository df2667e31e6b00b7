import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { providerCrdFiles } from './provider-crd-files.ts';

// No kube-controller-manager: controller tests make objects whose owners do not exist.
export default createGlobalSetup({ crdFiles: providerCrdFiles });
