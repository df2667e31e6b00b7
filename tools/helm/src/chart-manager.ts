import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import {
  type AuditedCall,
  bindToThisProcess,
  freePort,
  iinfraEntry,
  type ManagedProcess,
  type PermissionReport,
  permissionReport,
  readAuditedCalls,
  terminate,
} from '@immutable-infra/testkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { type ChartIdentity, chartIdentity } from './chart-identity.js';

export interface ChartManagerOptions {
  /** An admin of the cluster: applies the chart's RBAC and asks for the token. */
  kubeConfig: KubeConfig;
  /** The chart's folder (or `identity`). */
  chartPath?: string;
  /**
   * The identity to run as instead of rendering `chartPath`: another release's install manifests
   * (`manifestIdentity`), say, with the arguments the test needs (its namespace, a free probe port).
   */
  identity?: ChartIdentity;
  /** Apply the chart's ServiceAccount and RBAC (default); false when `helm install` already did. */
  applyRbac?: boolean;
  /** The release namespace (it must exist), which is also the one namespace the manager reconciles. */
  namespace: string;
  /** The Helm release name; `e2e` unless given. */
  release?: string;
  /** More chart values (over `watchNamespace` and a free probe port). */
  values?: Record<string, unknown>;
  /**
   * A module to load instead of the chart's `--provider` package: the package with what the
   * test's platform simulator needs (host names pointed at loopback, shorter polls).
   */
  providerModule?: string;
  /** More environment for the manager (what `providerModule` reads). */
  env?: Record<string, string>;
  /** Where the manager's output goes (appended). */
  logFile: string;
  /** The API server's audit log of service accounts (`inject('iinfraAuditLogPath')`), for `permissions()`. */
  auditLogPath?: string;
  /**
   * Where the `iinfra` command is resolved from (see testkit's `iinfraEntry`), and the manager's working
   * directory, which its `--provider` package is resolved from: the test's package by default.
   */
  from?: string;
  /** Told what the chart's grants were used for, when `permissionProblems` runs (a live log). */
  log?: (line: string) => void;
}

/** The manager running as the chart installs it. */
export interface ChartManager {
  /** The chart's identity the manager runs as (its username in the audit log, its grants). */
  identity: ChartIdentity;
  /** The manager's process. */
  process: ManagedProcess;
  /**
   * What the manager called so far (needs `auditLogPath`), held against what the chart grants:
   * refused calls, calls outside the grants, grants never used.
   */
  permissions(): PermissionReport;
  /**
   * What is wrong with the chart's RBAC after the run, one line each: calls refused, calls no
   * grant allows, and grants no call used, except the host's own fallbacks and those `notExercised`
   * names (`<groups> <resources> <verb>` as `PermissionReport.unused` spells them, with why the run
   * does not call them). `log` gets what was used and what was not.
   */
  permissionProblems(notExercised: Record<string, string>): string[];
  /** Stops the manager (a clean shutdown, as a rollout stops the Pod); once is enough, twice is harmless. */
  stop(): Promise<void>;
  /** Stops the manager and deletes the chart's cluster-scoped RBAC objects and its kubeconfig. */
  remove(): Promise<void>;
}

/**
 * Rules every manager is granted for a path a test run need not take: a live GET of a Cluster or
 * Machine the informer cache has not seen yet (reads come from the cache otherwise).
 */
const HOST_RULES_NOT_EXERCISED: Record<string, string> = {
  'cluster.x-k8s.io clusters,machines get': 'a live read for an owner the informer cache has not seen yet',
};

/**
 * Starts the manager as the provider's Helm chart installs it: its own `iinfra` process with the
 * chart's arguments and environment, authenticated as the chart's ServiceAccount (a TokenRequest
 * token, see `chartIdentity`), so it has exactly the chart's permissions. It reconciles `namespace`
 * only and serves its probes on a free port. A test runner killed mid-run takes it along.
 */
export async function startChartManager(options: ChartManagerOptions): Promise<ChartManager> {
  const { namespace } = options;
  const identity =
    options.identity ??
    (await chartIdentity({
      kubeConfig: options.kubeConfig,
      chart: options.chartPath ?? '',
      release: options.release ?? 'e2e',
      namespace,
      values: { watchNamespace: namespace, probes: { port: await freePort() }, ...options.values },
      ...(options.applyRbac === undefined ? {} : { applyRbac: options.applyRbac }),
    }));
  const args = identity.args.map((arg) =>
    options.providerModule && arg.startsWith('--provider=') ? `--provider=${options.providerModule}` : arg,
  );
  const out = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [iinfraEntry(options.from), ...args, `--kubeconfig=${identity.kubeconfigPath}`],
    {
      stdio: ['ignore', out, out],
      ...(options.from ? { cwd: options.from } : {}),
      env: { ...process.env, ...identity.env, ...options.env },
    },
  );
  // The child holds its own copy of the log's descriptor.
  closeSync(out);
  if (child.pid === undefined) {
    await identity.remove();
    throw new Error('could not start the manager process');
  }
  const managed: ManagedProcess = {
    name: 'manager',
    pid: child.pid,
    binary: process.execPath,
    logFile: options.logFile,
  };
  const release = bindToThisProcess([managed]);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= terminate(managed).then(release);
    return stopped;
  };
  const permissions = (): PermissionReport => {
    if (!options.auditLogPath) throw new Error('permissions() needs the auditLogPath option');
    return permissionReport(identity.grants, readAuditedCalls(options.auditLogPath, identity.username));
  };
  return {
    identity,
    process: managed,
    permissions,
    permissionProblems: (notExercised) => {
      const report = permissions();
      options.log?.(`RBAC used: ${report.used.join(', ')}`);
      options.log?.(`RBAC granted and unused: ${report.unused.join(', ')}`);
      const call = (c: AuditedCall) =>
        `${c.verb} ${c.apiGroup || 'core'}/${c.resource} in ${c.namespace ?? '(cluster)'}`;
      const skipped = Object.keys({ ...HOST_RULES_NOT_EXERCISED, ...notExercised });
      return [
        ...report.forbidden.map((c) => `refused: ${call(c)}`),
        ...report.outsideGrants.map((c) => `allowed by no grant of the chart: ${call(c)}`),
        ...report.unused
          .filter((grant) => !skipped.some((rule) => grant.endsWith(`: ${rule}`)))
          .map((grant) => `granted, never used: ${grant}`),
      ];
    },
    stop,
    remove: async () => {
      await stop();
      await identity.remove();
    },
  };
}
