// Everything these modules export is the package's `./cloud` API; dcs-types keeps its schemas to itself.
export * from './dcs-api-error.js';
export * from './dcs-client.js';
export * from './dcs-ids.js';
export * from './dcs-session.js';
export type {
  DcsCloneVmRequest,
  DcsCluster,
  DcsCreateVolumeRequest,
  DcsDatastore,
  DcsDatastoreCluster,
  DcsDrsRule,
  DcsFolder,
  DcsHost,
  DcsModifyVolumeRequest,
  DcsPortGroup,
  DcsSite,
  DcsTask,
  DcsTaskRef,
  DcsUpload,
  DcsVm,
  DcsVmDisk,
  DcsVmNic,
  DcsVolume,
} from './dcs-types.js';
export { dcsTaskState } from './dcs-types.js';
