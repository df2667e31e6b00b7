export {
  AddressesFromPool,
  Ipv4WithPrefix,
  NetworkRoute,
  Thumbprint,
  VSPHERE_API_VERSION,
} from './common.js';
export {
  LabelSelector,
  VCenterServer,
  VSphereCluster,
  type VSphereClusterObject,
  VSphereClusterSpec,
} from './vsphere-cluster.js';
export {
  VSphereDeploymentZone,
  type VSphereDeploymentZoneObject,
  VSphereDeploymentZoneSpec,
} from './vsphere-deployment-zone.js';
export {
  VSphereFailureDomain,
  type VSphereFailureDomainObject,
  VSphereFailureDomainSpec,
} from './vsphere-failure-domain.js';
export {
  NetworkDeviceSpec,
  VSphereMachine,
  type VSphereMachineObject,
  VSphereMachineSpec,
} from './vsphere-machine.js';
export {
  MachineConfigSlot,
  SlotNic,
  SlotPersistentDisk,
  SlotState,
  VSphereMachineConfigPool,
  type VSphereMachineConfigPoolObject,
  VSphereMachineConfigPoolSpec,
} from './vsphere-machine-config-pool.js';
export { VSphereMachineTemplate, type VSphereMachineTemplateObject } from './vsphere-machine-template.js';

import { VSphereCluster } from './vsphere-cluster.js';
import { VSphereDeploymentZone } from './vsphere-deployment-zone.js';
import { VSphereFailureDomain } from './vsphere-failure-domain.js';
import { VSphereMachine } from './vsphere-machine.js';
import { VSphereMachineConfigPool } from './vsphere-machine-config-pool.js';
import { VSphereMachineTemplate } from './vsphere-machine-template.js';

/** Every kind the vSphere provider owns, in install order. */
export const vsphereKinds = [
  VSphereCluster,
  VSphereMachine,
  VSphereMachineTemplate,
  VSphereMachineConfigPool,
  VSphereFailureDomain,
  VSphereDeploymentZone,
] as const;
