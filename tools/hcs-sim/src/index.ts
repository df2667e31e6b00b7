export {
  canonicalRequest,
  computeSignature,
  formatSdkDate,
  SIGNING_ALGORITHM,
  type SignedRequest,
} from './auth/aksk-signature.js';
export type { AuthCounts } from './auth/identity.js';
export { type Faults, faultsSchema, type ResolvedFaults } from './model/faults.js';
export {
  defaultInventory,
  type Inventory,
  inventorySchema,
  type Quotas,
  quotasSchema,
  type ResolvedInventory,
} from './model/inventory.js';
export type { JobStatus } from './model/jobs.js';
export type { AcceptedChange, SimState } from './model/sim-state.js';
export { type HcsSimulator, type HcsSimulatorOptions, startHcsSimulator } from './simulator.js';
