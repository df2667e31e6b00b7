import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { providerCrdFiles } from './provider-crd-files.ts';

// The namespace controller only, so a deleted namespace is emptied as in a real cluster; no garbage
// collector: controller tests make objects whose owners do not exist.
export default createGlobalSetup({ crdFiles: providerCrdFiles, controllers: ['namespace'] });
