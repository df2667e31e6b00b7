/**
 * `iinfra-conformance`: the package checks (and, with `--platform`, the platform checks) from a
 * shell, for a provider's CI. Everything but the process itself is here, so tests run it in-process:
 * it takes the arguments and where to write, and returns the exit code (0 conforms, 1 a check failed,
 * 2 the checks could not run).
 */
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CAPI_CONTRACT_VERSIONS,
  type CapiContractVersion,
  isProvider,
  type Provider,
} from '@immutable-infra/core';
import { KubeConfig } from '@kubernetes/client-node';
import semver from 'semver';
import {
  checkProviderPackage,
  conformanceReport,
  conforms,
  markdownReport,
  PACKAGE_CHECKS,
} from './package-checks.js';
import { PLATFORM_CHECKS, type PlatformAdapter, runPlatformChecks } from './platform-checks.js';

export const EXIT_CONFORMS = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_CANNOT_CHECK = 2;

export interface CommandIo {
  /** Where a package name is resolved from, and relative paths too; the process's by default. */
  cwd?: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const COMMAND = 'iinfra-conformance';

/** Why the checks could not run, said in one line that names the argument. */
class CannotCheck extends Error {}

export function helpText(): string {
  const width = Math.max(
    ...Object.keys({ ...PACKAGE_CHECKS, ...PLATFORM_CHECKS }).map((name) => name.length),
  );
  return [
    `Usage: ${COMMAND} --provider <package name or folder> [options]`,
    '',
    'Checks that an Immutable Infrastructure provider package keeps the contract (and, with --platform,',
    'what it does on its platform through the real host), and prints a report with every check passed,',
    'failed (with what differed) or skipped (with why).',
    '',
    'Options:',
    '  --provider <name|path>  the provider package: a name, resolved from node_modules as seen from the',
    '                          current directory, or the path of a package folder (with its package.json)',
    '  --core <version>        the @immutable-infra/core version the host runs; by default the one',
    '                          installed where the provider package resolves it',
    `  --contract <version>    the management cluster's Cluster API contract: ${CAPI_CONTRACT_VERSIONS.join(' or ')}`,
    '                          (v1beta2 by default)',
    '  --platform <file>       also run the platform checks, through the adapter module at <file>: its',
    '                          default export takes { kubeConfig } and answers a PlatformAdapter (which may',
    "                          have close() and hostEnv, the provider's environment in machine.kills's host)",
    "  --kubeconfig <file>     the management cluster for --platform (Cluster API's and the provider's CRDs",
    '                          installed); by default KUBECONFIG, else ~/.kube/config',
    '  --json                  print the report as JSON (schema: @immutable-infra/conformance/report.schema.json)',
    '                          instead of Markdown',
    '  --report <file>         also write the report to a file: JSON when it ends in .json, else Markdown',
    '  --help                  print this help',
    '',
    'Checks:',
    ...Object.entries({ ...PACKAGE_CHECKS, ...PLATFORM_CHECKS }).flatMap(([name, what]) =>
      wrap(what, 100 - width - 4).map((line, i) => `  ${(i === 0 ? name : '').padEnd(width)}  ${line}`),
    ),
    '',
    'Exit codes:',
    '  0  the package conforms: no check failed (skipped checks do not count against it)',
    '  1  a check failed; the report names it and what differed',
    '  2  the checks could not run: an unknown or missing argument, a package that is not found or',
    '     whose default export is not a provider, no installed @immutable-infra/core',
    '',
  ].join('\n');
}

/** Breaks text into lines of at most `columns` characters, between words. */
function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** Runs the command with `argv` (the arguments after the command's name) and returns its exit code. */
export async function runConformanceCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  try {
    const options = parseOptions(argv);
    if (options.help) {
      io.stdout.write(helpText());
      return EXIT_CONFORMS;
    }
    const packageDir = findPackage(options.provider, cwd);
    const { provider, entry } = await importProvider(packageDir, options.provider);
    const coreVersion = options.core ?? installedCoreVersion(packageDir);
    const input = { packageDir, provider, coreVersion, contract: options.contract };
    const report =
      options.platform === undefined
        ? checkProviderPackage(input)
        : conformanceReport({
            ...input,
            platformChecks: await platformChecks(options.platform, options.kubeconfig, provider, entry, cwd),
          });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    io.stdout.write(options.json ? json : markdownReport(report));
    if (options.report !== undefined) {
      const file = resolve(cwd, options.report);
      try {
        writeFileSync(file, file.endsWith('.json') ? json : markdownReport(report));
      } catch (error) {
        throw new CannotCheck(`--report ${options.report}: cannot write it (${messageOf(error)})`);
      }
    }
    return conforms(report) ? EXIT_CONFORMS : EXIT_CHECK_FAILED;
  } catch (error) {
    // One line that says what to change, not a stack trace: a usage problem names its argument.
    const hint = error instanceof CannotCheck ? `; see ${COMMAND} --help` : '';
    io.stderr.write(`${COMMAND}: ${messageOf(error).split('\n')[0]}${hint}\n`);
    return EXIT_CANNOT_CHECK;
  }
}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      provider: { type: 'string' },
      core: { type: 'string' },
      contract: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      platform: { type: 'string' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

interface Options {
  help: boolean;
  provider: string;
  core?: string;
  contract: CapiContractVersion;
  json: boolean;
  report?: string;
  platform?: string;
  kubeconfig?: string;
}

function parseOptions(argv: readonly string[]): Options {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CannotCheck(usageProblem(error));
  }
  const { values } = parsed;
  if (values.help) return { help: true, provider: '', contract: 'v1beta2', json: false };
  if (values.provider === undefined || values.provider === '')
    throw new CannotCheck('--provider is missing: name the provider package or its folder');
  if (values.kubeconfig !== undefined && values.platform === undefined)
    throw new CannotCheck('--kubeconfig is for the platform checks: give --platform too');
  if (values.core !== undefined && !semver.valid(values.core))
    throw new CannotCheck(`--core ${values.core} is not a semver version`);
  const contract = values.contract ?? 'v1beta2';
  if (!(CAPI_CONTRACT_VERSIONS as readonly string[]).includes(contract))
    throw new CannotCheck(`--contract ${contract} is not one of ${CAPI_CONTRACT_VERSIONS.join(', ')}`);
  return {
    help: false,
    provider: values.provider,
    ...(values.core !== undefined && { core: values.core }),
    contract: contract as CapiContractVersion,
    json: values.json ?? false,
    ...(values.report !== undefined && { report: values.report }),
    ...(values.platform !== undefined && { platform: values.platform }),
    ...(values.kubeconfig !== undefined && { kubeconfig: values.kubeconfig }),
  };
}

/** parseArgs's own message names the argument; keep only that line, without its error code. */
function usageProblem(error: unknown): string {
  const text = messageOf(error).split('\n')[0] ?? 'bad arguments';
  const unknown = /^Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(text);
  if (missing) return `${missing[1]} needs a value`;
  const unexpected = /^Unexpected argument '([^']+)'/.exec(text);
  if (unexpected) return `unexpected argument ${unexpected[1]}`;
  return text.replace(/\.$/, '');
}

const looksLikePath = (specifier: string) =>
  specifier.startsWith('.') || isAbsolute(specifier) || specifier.includes('\\');

/** The provider package's folder: a path to one, or a name installed in a node_modules above `cwd`. */
function findPackage(specifier: string, cwd: string): string {
  if (looksLikePath(specifier)) {
    const dir = resolve(cwd, specifier);
    if (!existsSync(join(dir, 'package.json')) || !statSync(dir).isDirectory())
      throw new CannotCheck(`--provider ${specifier}: no package folder (with a package.json) at ${dir}`);
    return realpathSync(dir);
  }
  // Every node_modules folder Node would look in, nearest first; a package's package.json need not be
  // in its exports, so look for the folder rather than resolve a subpath.
  const lookups = createRequire(join(cwd, '/')).resolve.paths(specifier) ?? [];
  for (const nodeModules of lookups) {
    const dir = join(nodeModules, specifier);
    if (existsSync(join(dir, 'package.json'))) return realpathSync(dir);
  }
  throw new CannotCheck(`--provider ${specifier}: package not found from ${cwd}; is it installed?`);
}

async function importProvider(
  packageDir: string,
  specifier: string,
): Promise<{ provider: Provider; entry: string }> {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    main?: string;
  };
  const entry = join(packageDir, exportEntry(manifest.exports) ?? manifest.main ?? 'index.js');
  if (!existsSync(entry))
    throw new CannotCheck(
      `--provider ${specifier}: its entry ${entry} does not exist; is the package built?`,
    );
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (error) {
    throw new CannotCheck(`--provider ${specifier}: importing ${entry} failed: ${messageOf(error)}`);
  }
  if (!isProvider(module.default))
    throw new CannotCheck(
      `--provider ${specifier}: its default export was not made by defineProvider(), so it is not a provider`,
    );
  return { provider: module.default, entry };
}

/** What an adapter module's default export answers: the adapter, and what the command needs of it. */
export interface PlatformAdapterModule extends PlatformAdapter {
  /** Called once the checks are over (stops a simulator the module started). */
  close?(): Promise<void>;
  /** Variables for the host process of `machine.kills`, which runs the provider package's entry. */
  hostEnv?: Record<string, string>;
}

/**
 * The platform checks through the adapter module at `file`, against the management cluster of
 * `kubeconfig` (else KUBECONFIG, else ~/.kube/config), with the provider package's entry as
 * `machine.kills`'s host module.
 */
async function platformChecks(
  file: string,
  kubeconfig: string | undefined,
  provider: Provider,
  entry: string,
  cwd: string,
) {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new CannotCheck(`--platform ${file}: no adapter module at ${path}`);
  const kubeConfig = new KubeConfig();
  try {
    if (kubeconfig !== undefined) kubeConfig.loadFromFile(resolve(cwd, kubeconfig));
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw new CannotCheck(`--kubeconfig ${kubeconfig ?? '(default)'}: cannot load it (${messageOf(error)})`);
  }
  let factory: unknown;
  try {
    factory = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new CannotCheck(`--platform ${file}: importing it failed: ${messageOf(error)}`);
  }
  if (typeof factory !== 'function')
    throw new CannotCheck(
      `--platform ${file}: its default export is not a function that takes { kubeConfig } and answers an adapter`,
    );
  const adapter = (await factory({ kubeConfig })) as PlatformAdapterModule;
  try {
    return await runPlatformChecks({
      provider,
      adapter,
      kubeConfig,
      hostProcess: { providerModule: entry, ...(adapter.hostEnv && { env: adapter.hostEnv }) },
    });
  } finally {
    await adapter.close?.();
  }
}

/** The file `import` would load for the package's root: exports "." (import, node, default), else none. */
function exportEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  // Either subpaths ("." and "./x") or conditions ("import", "default") for the root alone.
  const root = keys.some((key) => key.startsWith('.')) ? map['.'] : map;
  if (typeof root === 'string') return root;
  if (!root || typeof root !== 'object') return undefined;
  const conditions = root as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default']) {
    const found = exportEntry(conditions[condition]);
    if (found) return found;
  }
  return undefined;
}

/** The @immutable-infra/core the provider package gets, as Node resolves it from the package's folder. */
function installedCoreVersion(packageDir: string): string {
  const lookups = createRequire(join(packageDir, '/')).resolve.paths('@immutable-infra/core') ?? [];
  for (const nodeModules of lookups) {
    const manifest = join(nodeModules, '@immutable-infra', 'core', 'package.json');
    if (existsSync(manifest))
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  throw new CannotCheck(
    `no @immutable-infra/core is installed where the provider package resolves it (${packageDir}); install it or pass --core`,
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
