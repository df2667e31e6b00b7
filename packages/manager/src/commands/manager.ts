import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Output } from '../output.js';
import { watchFilterProblem } from '../runtime/watch-filter.js';

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

function labelValue(flag: string) {
  return (value: string) => {
    const problem = watchFilterProblem(value);
    if (problem) throw new InvalidArgumentError(`${flag} ${problem}`);
    return value;
  };
}

// --concurrency, --qps and --burst default to Cluster API's own managers' settings: 10 concurrent
// reconciles per controller, 100 QPS, 200 burst.
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
    .option(
      '--watch-filter <value>',
      'reconcile only objects labelled cluster.x-k8s.io/watch-filter=<value>, as Cluster API managers do, ' +
        'so several managers can split one fleet; the default Lease gets -<value> appended',
      labelValue('--watch-filter'),
    )
    .option('--concurrency <n>', 'objects reconciled at once, per kind', positiveInt('--concurrency'), 10)
    .option(
      '--qps <n>',
      'client-side limit on requests per second to the API server',
      positiveNumber('--qps'),
      100,
    )
    .option('--burst <n>', 'requests allowed in a burst above --qps', positiveInt('--burst'), 200)
    .option(
      '--platform-qps <n>',
      "client-side limit on requests per second to each platform account (default: the provider's, " +
        '20 for DCS, HCS and vSphere); a credential Secret may set its own (key platformRequestsPerSecond)',
      positiveNumber('--platform-qps'),
    )
    .option(
      '--platform-burst <n>',
      'platform requests allowed in a burst above --platform-qps (Secret key platformBurst)',
      positiveInt('--platform-burst'),
    )
    .option(
      '--platform-max-requests <n>',
      'platform requests in flight at once per account (Secret key platformMaxConcurrentRequests)',
      positiveInt('--platform-max-requests'),
    )
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
      // Loaded only when the command runs, so `--help` and the other commands never load the host.
      const { runManager } = await import('./manager-action.js');
      await runManager(options, output);
    });
}
