import { BaremetalCluster } from './baremetal-cluster.js';
import { BaremetalHost } from './baremetal-host.js';
import { BaremetalMachine } from './baremetal-machine.js';
import { BaremetalMachineTemplate } from './baremetal-machine-template.js';
import { MachineInventoryPool } from './machine-inventory-pool.js';

export {
  BaremetalCluster,
  type BaremetalClusterObject,
  BaremetalClusterSpec,
  ControlPlaneLoadBalancer,
} from './baremetal-cluster.js';
export {
  BaremetalHost,
  type BaremetalHostObject,
  BmcDetails,
  HardwareDetails,
  ProvisioningState,
} from './baremetal-host.js';
export { BaremetalMachine, BaremetalMachinePhase, BaremetalMachineSpec } from './baremetal-machine.js';
export { BaremetalMachineTemplate } from './baremetal-machine-template.js';
export { BAREMETAL_API_VERSION, LocalNameRef } from './common.js';
export {
  InventoryClaim,
  MachineInventoryPool,
  type MachineInventoryPoolObject,
  PoolInventory,
} from './machine-inventory-pool.js';

/** Every kind of the provider, in install order: what `npm run generate` writes CRDs for. */
export const baremetalKinds = [
  BaremetalCluster,
  BaremetalMachine,
  BaremetalMachineTemplate,
  MachineInventoryPool,
  BaremetalHost,
];
export { STORAGE_ADMISSION_POLICY_NAME, storageAdmissionObjects } from './storage-admission.js';
