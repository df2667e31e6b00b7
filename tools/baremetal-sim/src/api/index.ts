import { MachineInventory } from './machine-inventory.js';
import { MachineRegistration } from './machine-registration.js';
import { SeedImage } from './seed-image.js';

export { ELEMENTAL_API_VERSION, ELEMENTAL_GROUP, ELEMENTAL_VERSION } from './common.js';
export { MachineInventory, type MachineInventoryObject } from './machine-inventory.js';
export { MachineRegistration, type MachineRegistrationObject } from './machine-registration.js';
export { SeedImage, type SeedImageObject } from './seed-image.js';

/**
 * elemental-operator's kinds as the simulator and the bare-metal provider use them, in install
 * order: what `npm run generate` writes CRDs for (crds/). elemental-operator is not available as a
 * package, so its API is written down here from its published CRDs; test/elemental-crds.test.ts
 * holds every field to them. They are plain KindDefinition objects (not defineKind), so the
 * simulator needs core only for its types.
 */
export const elementalKinds = [MachineRegistration, SeedImage, MachineInventory];
