export {
  element,
  envelope,
  escapeXml,
  type MoRef,
  parseXml,
  Reference,
  readMoRef,
  readValue,
  ref,
  type SoapValue,
  type Typed,
  typedText,
} from './soap-xml.js';
export {
  type CloneRequest,
  interpretTask,
  type ObjectProperties,
  type TaskInfo,
  type TemplateInfo,
  taskRef,
  type VmConfig,
  type VmSummary,
  VsphereClient,
} from './vsphere-client.js';
export {
  asSoapValue,
  cloneDeviceChanges,
  type DeviceChange,
  type NicPlan,
  nicBacking,
  nicsOf,
  type ReadDevice,
} from './vsphere-devices.js';
export {
  isNotFound,
  isPermanentFault,
  isSessionExpired,
  readSoapFault,
  readTaskError,
  VsphereFault,
  vsphereFailureKind,
} from './vsphere-faults.js';
export { asRefs, type Datacenter, VsphereInventory } from './vsphere-inventory.js';
export {
  SDK_PATH,
  type ServiceContent,
  type SoapSession,
  type VsphereAccount,
  type VsphereCredential,
  type VspherePool,
  VsphereSession,
  type VsphereSessionOptions,
  VsphereSessions,
  type VsphereTlsOptions,
  vsphereSessionPool,
} from './vsphere-session.js';
