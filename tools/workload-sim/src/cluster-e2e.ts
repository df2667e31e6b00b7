import { createLogger, Manager, type ManagerOptions } from '@immutable-infra/manager';
import {
  type ClusterApiControllers,
  ClusterProbe,
  type EnvtestAssets,
  LiveLog,
  startNamespacedClusterApi,
} from '@immutable-infra/testkit';
import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  startWorkloadSimulator,
  type WorkloadSimulator,
  type WorkloadSimulatorOptions,
} from './simulator.js';

export interface ClusterE2eOptions {
  /** The management cluster (a vitest globalSetup's) and the test's namespace in it. */
  kubeConfig: KubeConfig;
  namespace: string;
  assets: EnvtestAssets;
  kubeconfigPath: string;
  /** The live logs' file name, e.g. `hcs-e2e`. */
  logName: string;
  /** The provider as people call it (DCS, HCS), for the diagnostics. */
  providerLabel: string;
  providers: ManagerOptions['providers'];
  /** The Cluster's name. */
  cluster: string;
  /** When the platform simulator's VM or server has booted with its bootstrap data. */
  isBooted: WorkloadSimulatorOptions['isBooted'];
  /** What the VM received, where the platform simulator keeps it (see WorkloadSimulatorOptions). */
  deliveredBootstrapData?: WorkloadSimulatorOptions['deliveredBootstrapData'];
  /** The documented pieces the received data must hold; a missing one fails the boot. */
  checkBootstrapData?: WorkloadSimulatorOptions['checkBootstrapData'];
}

/** What an end-to-end suite runs against, and how to stop it. */
export interface ClusterE2e {
  objects: KubernetesObjectApi;
  probe: ClusterProbe;
  live: LiveLog;
  capi: ClusterApiControllers;
  manager: Manager;
  workloads: WorkloadSimulator;
  /** Stops everything; the live logs go too unless `keepLogs` (a failed run: they are its diagnostics). */
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

/**
 * The parts every provider's end-to-end suite runs (the platform simulator is the suite's own):
 * Cluster API's controllers for the test's namespace, the provider's manager logging to the live
 * log, the workload-cluster simulator booting nodes when `isBooted` says so, and a probe of the
 * cluster whose waits report the live logs and Cluster API's log tails when they give up.
 */
export async function startClusterE2e(options: ClusterE2eOptions): Promise<ClusterE2e> {
  const { kubeConfig, namespace } = options;
  const live = new LiveLog(options.logName);
  const capi = await startNamespacedClusterApi(kubeConfig, {
    assets: options.assets,
    kubeconfigPath: options.kubeconfigPath,
    namespace,
  });
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: options.providers,
    log: createLogger({ level: 'info', destination: live.managerDestination }),
  });
  void manager.start();
  const workloads = await startWorkloadSimulator({
    kubeConfig,
    assets: options.assets,
    namespace,
    log: live.say,
    ...(options.isBooted ? { isBooted: options.isBooted } : {}),
    ...(options.deliveredBootstrapData ? { deliveredBootstrapData: options.deliveredBootstrapData } : {}),
    ...(options.checkBootstrapData ? { checkBootstrapData: options.checkBootstrapData } : {}),
  });
  const probe = new ClusterProbe({
    kubeConfig,
    namespace,
    cluster: options.cluster,
    diagnostics: () => live.diagnostics(options.providerLabel, capi),
  });
  live.say(`namespace ${namespace}, Cluster API's logs in ${capi.stateDir}`);
  return {
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
    probe,
    live,
    capi,
    manager,
    workloads,
    stop: async ({ keepLogs = false } = {}) => {
      await workloads.stop();
      await manager.stop();
      await capi.stop();
      if (!keepLogs) live.discard();
    },
  };
}
