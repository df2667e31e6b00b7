import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { elementalCrdFiles } from '../src/elemental-crds.js';

// A real kube-apiserver with elemental's CRDs: the fleet writes MachineInventory objects there.
export default createGlobalSetup({ crdFiles: elementalCrdFiles(), controllers: ['namespace'] });
