export {
  type EmbeddedEnvironment,
  type EnvironmentOptions,
  environmentDown,
  environmentStateDir,
  environmentStatus,
  environmentUp,
} from './env/embedded-environment.js';
export { finalizerName } from './host/finalizers.js';
export {
  type ClusterCredentials,
  type KubeconfigSources,
  type LoadedKubeconfig,
  loadKubeconfigCredentials,
} from './kube/kubeconfig-credentials.js';
export { type Output, processOutput } from './output.js';
export { createProgram } from './program.js';
export { createLogger, type HostLogger, redactSecrets } from './runtime/logger.js';
export { Manager, type ManagerOptions } from './runtime/manager.js';
export { admitProvider, loadProvider, runningCoreVersion } from './runtime/provider-loader.js';
