import { loadKubeconfigCredentials } from '../kube/kubeconfig-credentials.js';
import { KubeTransport } from '../kube/transport.js';
import type { Output } from '../output.js';
import { installedCapiContract } from '../runtime/installed-contract.js';
import { defaultLeaseName } from '../runtime/leader-election.js';
import { createLogger } from '../runtime/logger.js';
import { Manager } from '../runtime/manager.js';
import { admitProvider, loadProvider, runningCoreVersion } from '../runtime/provider-loader.js';
import { shardLeaseName } from '../runtime/watch-filter.js';

/** The options of `iinfra manager`, as its command line parses them (commands/manager.ts). */
export interface ManagerCommandOptions {
  provider: string[];
  kubeconfig?: string | undefined;
  namespace?: string | undefined;
  watchFilter?: string | undefined;
  concurrency: number;
  qps: number;
  burst: number;
  platformQps?: number | undefined;
  platformBurst?: number | undefined;
  platformMaxRequests?: number | undefined;
  leaderElect: boolean;
  leaderElectionNamespace?: string | undefined;
  leaderElectionId?: string | undefined;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  probeAddress: { host: string; port: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** `iinfra manager`: loads and admits the providers, then runs their controllers until stopped. */
export async function runManager(options: ManagerCommandOptions, output: Output): Promise<void> {
  const log = createLogger({ level: options.logLevel });
  const coreVersion = runningCoreVersion();
  const providers = [];
  for (const specifier of options.provider) providers.push(await loadProvider(specifier));

  const kubeConfig = await loadKubeconfigCredentials({ kubeconfigPath: options.kubeconfig });
  const transport = new KubeTransport(kubeConfig);
  const contract = await installedCapiContract(transport).finally(() => transport.close());
  if (!contract)
    output.progress('Cluster API is not installed in this cluster (no clusters.cluster.x-k8s.io CRD)');

  for (const provider of providers) {
    const verdict = admitProvider(provider, coreVersion, contract);
    if (!verdict.compatible) {
      throw new Error(
        `refusing to load ${provider.manifest.name}@${provider.manifest.version}: ${verdict.reasons.join('; ')}`,
      );
    }
    log.info('provider admitted', {
      provider: provider.manifest.name,
      version: provider.manifest.version,
      reasons: verdict.reasons,
    });
  }

  const manager = new Manager({
    kubeConfig,
    providers,
    concurrency: options.concurrency,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.watchFilter !== undefined ? { watchFilter: options.watchFilter } : {}),
    qps: options.qps,
    burst: options.burst,
    platformLimits: {
      requestsPerSecond: options.platformQps,
      burst: options.platformBurst,
      maxConcurrentRequests: options.platformMaxRequests,
    },
    probes: options.probeAddress,
    log,
    ...(options.leaderElect
      ? {
          leaderElection: {
            // In a Pod, the loader reads the service account's namespace into the context.
            namespace: options.leaderElectionNamespace ?? kubeConfig.namespace ?? 'default',
            name:
              options.leaderElectionId ??
              shardLeaseName(defaultLeaseName(providers.map((p) => p.manifest.name)), options.watchFilter),
            leaseDurationMs: options.leaseDuration,
            renewDeadlineMs: options.renewDeadline,
            retryPeriodMs: options.retryPeriod,
          },
        }
      : {}),
  });
  const stop = () => void manager.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await manager.start();
  output.progress(`manager running; probes on port ${manager.probePort}`);
  const why = await manager.done;
  if (why === 'lost-leadership') process.exitCode = 1;
}
