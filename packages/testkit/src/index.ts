export {
  type ClusterApiControllerBinaries,
  type EnsureAssetsOptions,
  type EnvtestAssets,
  ensureEnvtestAssets,
  findEnsureScript,
} from './assets.js';
export { chromiumLaunchOptions } from './browser.js';
export {
  type ClusterApiComponent,
  type ClusterApiControllers,
  type RunningClusterApiController,
  type StartClusterApiControllersOptions,
  startClusterApiControllers,
} from './cluster-api-controllers.js';
export {
  type ControlPlane,
  type ControlPlaneState,
  isControlPlaneHealthy,
  readControlPlaneState,
  type StartControlPlaneOptions,
  startControlPlane,
  stopControlPlaneAt,
} from './control-plane.js';
export { exited, type KillAtRandomPointsOptions, killAtRandomPoints } from './crash-points.js';
export { compareCrdFields, crdFieldTypes } from './crd-fields.js';
export {
  type InstallCrdsOptions,
  installCrds,
  parseCrdManifests,
  readCrdFiles,
  yamlFilesIn,
} from './crds.js';
export { eventually } from './eventually.js';
export { type AdminKubeconfigInput, renderKubeconfig } from './kubeconfig.js';
export { captureLog, type LogCapture } from './log-capture.js';
export {
  createManagementPlane,
  MANAGEMENT_CONTROLLERS,
  type ManagementPlane,
  type ManagementPlaneOptions,
} from './management-plane.js';
export { mostRepeated } from './most-repeated.js';
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
export { bindToThisProcess, type ManagedProcess, spawnLogged, terminate } from './processes.js';
export { writeProviderArtifacts } from './provider-artifacts.js';
// Building blocks shared by the platform simulators (tools/*-sim).
export {
  type ListeningSimulator,
  nonNegativeNumberArgument,
  portArgument,
  runCommandLine,
  serveUntilSignalled,
} from './simulator/command-line.js';
export { requestHeader } from './simulator/headers.js';
export { type HttpListenOptions, listenHttp, type RunningHttpServer } from './simulator/http-server.js';
export { type RoutePattern, RouteTable, type RouteTableMatch } from './simulator/route-table.js';
export { Scheduler } from './simulator/scheduler.js';
export { SeededRandom } from './simulator/seeded-random.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export {
  startTestInfrastructureProvider,
  TEST_INFRASTRUCTURE_GROUP,
  type TestInfrastructureProvider,
  type TestInfrastructureProviderOptions,
  testInfrastructureCrds,
} from './test-infrastructure-provider.js';
