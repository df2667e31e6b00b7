import { type ChartManager, startChartManager } from '@immutable-infra/helm-tools';
import { createLogger, Manager, type ManagerOptions } from '@immutable-infra/manager';
import {
  type ClusterApiControllers,
  ClusterProbe,
  type EnvtestAssets,
  LiveLog,
  type PermissionReport,
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
  /**
   * Runs the manager as the provider's Helm chart installs it, instead of in this process with
   * `providers`: its own process with the chart's arguments and environment, authenticated as the
   * chart's ServiceAccount (a TokenRequest token), so it has exactly the chart's permissions.
   * It reconciles the test's namespace only and serves its probes on a free port.
   */
  chart?: {
    /** The chart's folder. */
    path: string;
    /** More chart values. */
    values?: Record<string, unknown>;
    /**
     * A module to load instead of the chart's `--provider` package: the package with what the
     * test's platform simulator needs (host names pointed at loopback).
     */
    providerModule?: string;
    /** More environment for the manager (what `providerModule` reads). */
    env?: Record<string, string>;
  };
  /** The API server's audit log of service accounts (`inject('iinfraAuditLogPath')`), for `permissions()`. */
  auditLogPath?: string;
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
  /** The provider's manager, in this process or (with `chart`) its own. */
  manager: { stop(): Promise<void> };
  workloads: WorkloadSimulator;
  /**
   * With `chart` and `auditLogPath`: what the manager called so far, held against what the chart
   * grants (refused calls, calls outside the grants, grants never used).
   */
  permissions(): PermissionReport;
  /**
   * What is wrong with the chart's RBAC after the run, one line each: calls refused, calls no
   * grant allows, and grants no call used, except the host's own fallbacks and those `notExercised` names (`<groups>
   * <resources> <verb>` as `PermissionReport.unused` spells them, with why this run does not
   * call them). The live log gets what was used and what was not.
   */
  permissionProblems(notExercised: Record<string, string>): string[];
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
  let chartManager: ChartManager | undefined;
  let manager: { stop(): Promise<void> };
  if (options.chart) {
    const { chart } = options;
    chartManager = await startChartManager({
      kubeConfig,
      chartPath: chart.path,
      namespace,
      ...(chart.values ? { values: chart.values } : {}),
      ...(chart.providerModule ? { providerModule: chart.providerModule } : {}),
      ...(chart.env ? { env: chart.env } : {}),
      logFile: live.managerPath,
      ...(options.auditLogPath ? { auditLogPath: options.auditLogPath } : {}),
      log: live.say,
    });
    manager = chartManager;
  } else {
    manager = startManagerHere(options, live);
  }
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
  const chartManagerOnly = (): ChartManager => {
    if (!chartManager) throw new Error('permissions() needs the chart and auditLogPath options');
    return chartManager;
  };
  return {
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
    probe,
    live,
    capi,
    manager,
    workloads,
    permissions: () => chartManagerOnly().permissions(),
    permissionProblems: (notExercised) => chartManagerOnly().permissionProblems(notExercised),
    stop: async ({ keepLogs = false } = {}) => {
      await workloads.stop();
      await manager.stop();
      await chartManager?.remove();
      await capi.stop();
      if (!keepLogs) live.discard();
    },
  };
}

function startManagerHere(options: ClusterE2eOptions, live: LiveLog): { stop(): Promise<void> } {
  const manager = new Manager({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    providers: options.providers,
    log: createLogger({ level: 'info', destination: live.managerDestination }),
  });
  void manager.start();
  return manager;
}
