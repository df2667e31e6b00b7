// Test helpers. What tests use of the embedded management plane (start a server, install CRDs, run
// Cluster API's controllers, PKI, processes) comes from @immutable-infra/management-plane and is
// re-exported here, so a test file needs one import.
export {
  type AdminKubeconfigInput,
  bindToThisProcess,
  type CertificateAndKey,
  type CertificateAuthority,
  type ClusterApiComponent,
  type ClusterApiControllerBinaries,
  type ClusterApiControllers,
  type ControlPlane,
  type ControlPlanePki,
  type ControlPlaneState,
  createManagementPlane,
  type EnsureAssetsOptions,
  type EnvtestAssets,
  ensureEnvtestAssets,
  findEnsureScript,
  freePort,
  generateCertificateAuthority,
  generateControlPlanePki,
  generateServiceAccountKeys,
  type InstallCrdsOptions,
  installCrds,
  isControlPlaneHealthy,
  isRunning,
  type LeafRequest,
  loadCertificateAuthority,
  MANAGEMENT_CONTROLLERS,
  type ManagedProcess,
  type ManagementPlane,
  type ManagementPlaneOptions,
  parseCrdManifests,
  type RunningClusterApiController,
  readControlPlaneState,
  readCrdFiles,
  renderKubeconfig,
  type StartClusterApiControllersOptions,
  type StartControlPlaneOptions,
  spawnLogged,
  startClusterApiControllers,
  startControlPlane,
  stopControlPlaneAt,
  terminate,
  yamlFilesIn,
} from '@immutable-infra/management-plane';
export {
  type AuditedCall,
  aliveModuleGrantsNotExercised,
  auditFlags,
  type Grant,
  type PermissionReport,
  type PolicyRule,
  permissionName,
  permissionReport,
  readAuditedCalls,
  SERVICE_ACCOUNT_AUDIT_POLICY,
} from './api-audit.js';
export {
  apiServerVerdict,
  documentedFixtures,
  documentedManifests,
  type EditableManifest,
} from './api-server-verdict.js';
export {
  chromiumLaunchOptions,
  collectPageErrors,
  type PageEvaluator,
  type PageEventSource,
  seriousAccessibilityViolations,
} from './browser.js';
export { type ChaosPhase, ChaosReport, type ChaosSettings, chaosSettings } from './chaos-report.js';
export {
  CLUSTER_API_VERSION,
  type ClusterApiObject,
  type ClusterApiObjects,
  type ClusterApiObjectsOptions,
  clusterApiObjects,
  type MachineObjectOptions,
  type OwnerReference,
} from './cluster-api-objects.js';
export { clusterCaSecret } from './cluster-ca.js';
export {
  ClusterProbe,
  type ClusterProbeOptions,
  type ClusterShape,
  capiResource,
  infraResource,
  type LooseObject,
  type ResourceRef,
} from './cluster-probe.js';
export {
  CrashCampaign,
  type CrashCampaignOptions,
  exited,
  type KillAtRandomPointsOptions,
  killAtRandomPoints,
  type RandomNumberSource,
} from './crash-points.js';
export { compareCrdFields, crdFieldTypes } from './crd-fields.js';
export { LiveLog, startNamespacedClusterApi } from './e2e-run.js';
export { eventually } from './eventually.js';
export {
  type ChromiumLike,
  type FleetBrowser,
  type FleetBrowserContext,
  type FleetBrowserOptions,
  type FleetPage,
  type FleetServerLike,
  openFleetBrowser,
  type PageOf,
} from './fleet-browser.js';
export { captureLog, type LogCapture } from './log-capture.js';
export {
  chartRuntimeEnvironment,
  iinfraEntry,
  type ManagerProcessOptions,
  spawnManagerProcess,
} from './manager-process.js';
export { mostRepeated } from './most-repeated.js';
export { namespaceOperatorToken, type RoleRule } from './namespace-operator.js';
export { plainHttpConsent } from './plain-http-consent.js';
export { PLATFORM_MODULE_GROUP, platformModuleCrds } from './platform-module-crds.js';
export { writeProviderArtifacts } from './provider-artifacts.js';
export {
  counterDelta,
  inParallel,
  type KubeRequestsPerMachine,
  MACHINES_PER_CLUSTER,
  type MetricSample,
  ProcessSampler,
  parsePrometheusText,
  runScale,
  type ScaleMachine,
  type ScaleReport,
  type ScaleSettings,
  type ScaleTarget,
  scaleSettings,
  scrapeMetrics,
  writeScaleReport,
} from './scale-run.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export {
  startTestInfrastructureProvider,
  TEST_INFRASTRUCTURE_GROUP,
  type TestInfrastructureProvider,
  type TestInfrastructureProviderOptions,
  testInfrastructureCrds,
} from './test-infrastructure-provider.js';
export {
  startTestIpamProvider,
  type TestIpamProvider,
  type TestIpamProviderOptions,
  type TestIpPool,
} from './test-ipam-provider.js';
