import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ManagerProcessOptions {
  /** A provider package name or the path of its module (`dist/index.js`). */
  provider: string;
  kubeconfigPath: string;
  /** The one namespace it reconciles (test files share an API server). */
  namespace: string;
  /** `127.0.0.1:0` (a free port, printed on start) unless given. */
  probeAddress?: string;
  /** `info` unless given: crash campaigns count kill points from its start-up line. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** More flags, e.g. `['--concurrency', '32']`. */
  args?: readonly string[];
  /** Added to this process's environment (POD_NAMESPACE, say). */
  env?: Readonly<Record<string, string>>;
  /** stderr piped (the manager logs there) and stdout dropped unless given. */
  stdio?: StdioOptions;
  /** Where `@immutable-infra/manager` is resolved from: the test's package (its working directory) by default. */
  from?: string;
}

/**
 * The `iinfra` command's entry (the manager package's own bin, `bin/iinfra.js`) as `from`'s package
 * resolves it: the test's package (its working directory) by default. Run it with `process.execPath`.
 */
export function iinfraEntry(from: string = process.cwd()): string {
  const require = createRequire(join(from, 'package.json'));
  return join(dirname(require.resolve('@immutable-infra/manager/package.json')), 'bin', 'iinfra.js');
}

/**
 * The environment the provider's Helm chart gives the manager for its Node.js runtime (values
 * `runtime.nodeOptions` and `runtime.mallocArenaMax`), read from the chart of the package at `from`;
 * empty when it has no chart. Memory measured by the benchmarks is then memory as deployed.
 */
export function chartRuntimeEnvironment(from: string = process.cwd()): Record<string, string> {
  const charts = join(from, 'charts');
  if (!existsSync(charts)) return {};
  for (const chart of readdirSync(charts)) {
    const valuesPath = join(charts, chart, 'values.yaml');
    if (!existsSync(valuesPath)) continue;
    const runtime = (
      parseYaml(readFileSync(valuesPath, 'utf8')) as {
        runtime?: { nodeOptions?: string; mallocArenaMax?: number | null };
      }
    ).runtime;
    return {
      ...(runtime?.nodeOptions ? { NODE_OPTIONS: runtime.nodeOptions } : {}),
      ...(runtime?.mallocArenaMax ? { MALLOC_ARENA_MAX: String(runtime.mallocArenaMax) } : {}),
    };
  }
  return {};
}

/**
 * `iinfra manager` as a process of its own, as production runs it (with its chart's runtime
 * environment, `chartRuntimeEnvironment`): what crash campaigns kill and scale runs measure. The
 * command is the manager package's own bin, resolved from the test's package.
 */
export function spawnManagerProcess(options: ManagerProcessOptions): ChildProcess {
  return spawn(
    process.execPath,
    [
      iinfraEntry(options.from),
      'manager',
      '--provider',
      options.provider,
      '--kubeconfig',
      options.kubeconfigPath,
      '--namespace',
      options.namespace,
      '--probe-address',
      options.probeAddress ?? '127.0.0.1:0',
      '--log-level',
      options.logLevel ?? 'info',
      ...(options.args ?? []),
    ],
    {
      stdio: options.stdio ?? ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...chartRuntimeEnvironment(options.from), ...options.env },
    },
  );
}
