export { DCS_API_VERSION, LocalObjectReference, SubnetMask } from './common.js';
export { type DcsCredentials, parseCredentials } from './credentials.js';
export {
  ControlPlaneLoadBalancer,
  DCSCluster,
  type DCSClusterObject,
  DCSClusterSpec,
} from './dcs-cluster.js';
export {
  DCSIpHostnamePool,
  type DCSIpHostnamePoolObject,
  DCSIpHostnamePoolSpec,
  NicConfig,
  PersistentDisk,
  PoolEntry,
} from './dcs-ip-hostname-pool.js';
export { DCSMachine, type DCSMachineObject, DCSMachineSpec, DiskSpec, VmConfig } from './dcs-machine.js';
export { DCSMachineTemplate, type DCSMachineTemplateObject } from './dcs-machine-template.js';

import { DCSCluster } from './dcs-cluster.js';
import { DCSIpHostnamePool } from './dcs-ip-hostname-pool.js';
import { DCSMachine } from './dcs-machine.js';
import { DCSMachineTemplate } from './dcs-machine-template.js';

/** Every kind the DCS provider owns, in install order. */
export const dcsKinds = [DCSCluster, DCSMachine, DCSMachineTemplate, DCSIpHostnamePool] as const;
