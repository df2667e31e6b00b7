export {
  type ClusterApiControllerBinaries,
  type EnsureAssetsOptions,
  type EnvtestAssets,
  ensureEnvtestAssets,
  envtestCacheDir,
  findEnsureScript,
} from './assets.js';
export {
  type ClusterApiComponent,
  type ClusterApiControllers,
  type RunningClusterApiController,
  type StartClusterApiControllersOptions,
  startClusterApiControllers,
} from './cluster-api-controllers.js';
export {
  type ClusterApiCrdOptions,
  ensureClusterApiCrds,
  goModuleProxy,
  moduleZipHash,
} from './cluster-api-crds.js';
export { CLUSTER_API_MODULE_HASH, CLUSTER_API_VERSION } from './cluster-api-pin.js';
export {
  type ControlPlane,
  type ControlPlaneState,
  isControlPlaneHealthy,
  readControlPlaneState,
  type StartControlPlaneOptions,
  startControlPlane,
  stopControlPlaneAt,
} from './control-plane.js';
export {
  type InstallCrdsOptions,
  installCrds,
  parseCrdManifests,
  readCrdFiles,
  yamlFilesIn,
} from './crds.js';
export { type AdminKubeconfigInput, renderKubeconfig } from './kubeconfig.js';
export {
  createManagementPlane,
  MANAGEMENT_CONTROLLERS,
  type ManagementPlane,
  type ManagementPlaneOptions,
} from './management-plane.js';
export {
  type CertificateAndKey,
  type CertificateAuthority,
  type ControlPlanePki,
  generateCertificateAuthority,
  generateControlPlanePki,
  generateServiceAccountKeys,
  type LeafRequest,
  loadCertificateAuthority,
} from './pki.js';
export { freePort } from './ports.js';
export {
  bindToThisProcess,
  isRunning,
  logTail,
  type ManagedProcess,
  type SpawnLoggedOptions,
  spawnLogged,
  terminate,
} from './processes.js';
