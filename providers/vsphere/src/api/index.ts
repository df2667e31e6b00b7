export {
  AddressesFromPool,
  Ipv4WithPrefix,
  NetworkRoute,
  Thumbprint,
  VSPHERE_API_VERSION,
} from './common.js';
export {
  encryptionConfigSecretName,
  LabelSelector,
  VCenterServer,
  VSphereCluster,
  type VSphereClusterObject,
  VSphereClusterSpec,
} from './vsphere-cluster.js';
export {
  VSphereClusterIdentity,
  type VSphereClusterIdentityObject,
  VSphereClusterIdentitySpec,
} from './vsphere-cluster-identity.js';
export { VSphereClusterTemplate, type VSphereClusterTemplateObject } from './vsphere-cluster-template.js';
export {
  CPI_LABEL,
  type CpiConfigInput,
  cpiConfigMap,
  cpiImage,
  cpiImageTag,
  cpiManifestsConfigMap,
  cpiNames,
  cpiResourceSet,
  vsphereConf,
} from './vsphere-cpi.js';
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
export { VSphereVM, type VSphereVMObject, VSphereVMSpec } from './vsphere-vm.js';

import { VSphereCluster } from './vsphere-cluster.js';
import { VSphereClusterIdentity } from './vsphere-cluster-identity.js';
import { VSphereClusterTemplate } from './vsphere-cluster-template.js';
import { VSphereDeploymentZone } from './vsphere-deployment-zone.js';
import { VSphereFailureDomain } from './vsphere-failure-domain.js';
import { VSphereMachine } from './vsphere-machine.js';
import { VSphereMachineConfigPool } from './vsphere-machine-config-pool.js';
import { VSphereMachineTemplate } from './vsphere-machine-template.js';
import { VSphereVM } from './vsphere-vm.js';

/** Every kind the vSphere provider owns, in install order. */
export const vsphereKinds = [
  VSphereCluster,
  VSphereMachine,
  VSphereMachineTemplate,
  VSphereMachineConfigPool,
  VSphereFailureDomain,
  VSphereDeploymentZone,
  VSphereClusterIdentity,
  VSphereVM,
  VSphereClusterTemplate,
] as const;
