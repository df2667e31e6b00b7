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
  taskRef,
  type VmConfig,
  VsphereClient,
} from './vsphere-client.js';
export {
  isNotFound,
  isPermanentFault,
  isSessionExpired,
  readSoapFault,
  readTaskError,
  VsphereFault,
  vsphereFailureKind,
} from './vsphere-faults.js';
export {
  SDK_PATH,
  type ServiceContent,
  type SoapSession,
  type VsphereAccount,
  type VsphereCredential,
  type VspherePool,
  VsphereSession,
  type VsphereSessionOptions,
  type VsphereTlsOptions,
  vsphereSessionPool,
} from './vsphere-session.js';
