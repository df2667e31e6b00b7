export { HCS_API_VERSION, Ipv4Address, VolumeSpec } from './common.js';
export { type HcsCredentials, parseHcsCredentials } from './credentials.js';
export {
  HCSCluster,
  type HCSClusterObject,
  HCSClusterSpec,
  HCSControlPlaneLoadBalancer,
  HCSNetwork,
  HCSSubnet,
} from './hcs-cluster.js';
export { HCSMachine, type HCSMachineObject, HCSMachineSpec } from './hcs-machine.js';
export {
  HCSMachineConfigPool,
  type HCSMachineConfigPoolObject,
  HCSMachineConfigPoolSpec,
  PoolConfig,
  PoolNetwork,
  PoolPersistentDisk,
} from './hcs-machine-config-pool.js';
export { HCSMachineTemplate, type HCSMachineTemplateObject } from './hcs-machine-template.js';

import { HCSCluster } from './hcs-cluster.js';
import { HCSMachine } from './hcs-machine.js';
import { HCSMachineConfigPool } from './hcs-machine-config-pool.js';
import { HCSMachineTemplate } from './hcs-machine-template.js';

/** Every kind the HCS provider owns, in install order. */
export const hcsKinds = [HCSCluster, HCSMachine, HCSMachineTemplate, HCSMachineConfigPool] as const;
