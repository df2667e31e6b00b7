import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeTransport } from '../kube/transport.js';
import type { Output } from '../output.js';
import { installedCapiContract } from '../runtime/installed-contract.js';
import { defaultLeaseName } from '../runtime/leader-election.js';
import { createLogger } from '../runtime/logger.js';
import { Manager } from '../runtime/manager.js';
import { admitProvider, loadProvider, runningCoreVersion } from '../runtime/provider-loader.js';

function positiveInt(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a whole number >= 1`);
    return n;
  };
}

function positiveNumber(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!(n > 0)) throw new InvalidArgumentError(`${flag} must be a number > 0`);
    return n;
  };
}

function duration(flag: string) {
  return (value: string) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
    if (!match) throw new InvalidArgumentError(`${flag} must be a duration such as 15s, 500ms or 1m`);
    const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
    return Number(match[1]) * unit;
  };
}

function address(flag: string) {
  return (value: string) => {
    const match = /^(.*):(\d+)$/.exec(value);
    if (!match) throw new InvalidArgumentError(`${flag} must be host:port, e.g. 127.0.0.1:8081 or :8081`);
    return { host: match[1] || '0.0.0.0', port: Number(match[2]) };
  };
}

export function managerCommand(output: Output): Command {
  return new Command('manager')
    .description(
      'Run the controllers of one or more provider packages against a management cluster. ' +
        'The host adds finalizers, honours pause, reads bootstrap data, writes status for both Cluster API ' +
        'contracts and records Events; each provider only talks to its platform.',
    )
    .requiredOption(
      '--provider <package>',
      'provider package name (resolved from the working directory) or file path; repeat for several',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--kubeconfig <path>',
      'kubeconfig of the management cluster (default: $KUBECONFIG, then ~/.kube/config)',
    )
    .option('--namespace <ns>', 'reconcile objects in this namespace only (default: every namespace)')
    .option('--concurrency <n>', 'objects reconciled at once, per kind', positiveInt('--concurrency'), 4)
    .option(
      '--qps <n>',
      'client-side limit on requests per second to the API server',
      positiveNumber('--qps'),
      50,
    )
    .option('--burst <n>', 'requests allowed in a burst above --qps', positiveInt('--burst'), 100)
    .option(
      '--leader-elect',
      'run as one of several replicas; only the holder of the lease reconciles',
      false,
    )
    .option(
      '--leader-election-namespace <ns>',
      "namespace of the leader election Lease (default: the manager's own namespace in a Pod, else the " +
        "kubeconfig context's namespace, else default)",
    )
    .option(
      '--leader-election-id <name>',
      "name of the leader election Lease (default: iinfra-manager- and the loaded providers' short names, " +
        'sorted, e.g. iinfra-manager-dcs or iinfra-manager-dcs-hcs, so each provider has its own Lease)',
    )
    .addOption(
      new Option('--lease-duration <d>', 'how long a lease is valid without renewal')
        .argParser(duration('--lease-duration'))
        .default(15_000, '15s'),
    )
    .addOption(
      new Option('--renew-deadline <d>', 'the leader gives up after failing to renew for this long')
        .argParser(duration('--renew-deadline'))
        .default(10_000, '10s'),
    )
    .addOption(
      new Option('--retry-period <d>', 'how often to try to acquire or renew the lease')
        .argParser(duration('--retry-period'))
        .default(2_000, '2s'),
    )
    .addOption(
      new Option('--probe-address <host:port>', 'serve /healthz, /readyz and /metrics (Prometheus) here')
        .argParser(address('--probe-address'))
        .default({ host: '0.0.0.0', port: 8081 }, ':8081'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level; logs are JSON lines on stderr')
        .choices(['debug', 'info', 'warn', 'error'] as const)
        .default('info' as const),
    )
    .action(async (options) => {
      const log = createLogger({ level: options.logLevel });
      const coreVersion = runningCoreVersion();
      const providers = [];
      for (const specifier of options.provider) providers.push(await loadProvider(specifier));

      const kubeConfig = new KubeConfig();
      if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
      else kubeConfig.loadFromDefault();
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
        qps: options.qps,
        burst: options.burst,
        probes: options.probeAddress,
        log,
        ...(options.leaderElect
          ? {
              leaderElection: {
                // In a Pod, the client reads the service account's namespace into the context.
                namespace:
                  options.leaderElectionNamespace ??
                  kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ??
                  'default',
                name: options.leaderElectionId ?? defaultLeaseName(providers.map((p) => p.manifest.name)),
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
    });
}
