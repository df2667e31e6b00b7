export { type Faults, faultsSchema, type ResolvedFaults } from './model/faults.js';
export {
  defaultInventory,
  type Inventory,
  inventorySchema,
  type ResolvedInventory,
} from './model/inventory.js';
export type { SimState } from './model/sim-state.js';
export type { TaskStatus, WireTask } from './model/tasks.js';
export type { WireDrsRule, WireUpload, WireVm, WireVolume } from './model/wire-views.js';
export type { LoginCounts, Session } from './server/session.js';
export { type DcsSimulator, type DcsSimulatorOptions, startDcsSimulator } from './simulator.js';
