import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceSummary } from './compat-matrix-file.ts';
import { npmEnvironment, runNpm } from './npm-command.ts';
import type { RunningRegistry } from './verdaccio.ts';
import { repoRoot, type WorkspacePackage, workspacePackages } from './workspace-packages.ts';

export interface ContractRunResult {
  passed: number;
  failed: number;
  /** What the conformance suite recorded during the run; absent when the tests ran none of it. */
  conformance?: ConformanceSummary;
  /** The end of the run's output, for a failure message. */
  outputTail: string;
}

export interface ContractRunInput {
  provider: WorkspacePackage;
  coreVersion: string;
  registry: Pick<RunningRegistry, 'url' | 'npmrc'>;
  /** Workspace packages published to the registry, by name. */
  published: ReadonlyMap<string, string>;
  /** Private workspace packages the tests need, as packed tarballs, by name. */
  tarballs: ReadonlyMap<string, string>;
  onProgress?: (message: string) => void;
}

/**
 * Runs a provider's contract tests (its test/contract folder) in a scratch
 * project that installs, from the registry, the provider's published version
 * next to exactly `coreVersion` of core (forced for every dependant with
 * npm overrides), so the tests see what a user's installation would.
 */
export function runContractTests(input: ContractRunInput): ContractRunResult {
  const { provider, coreVersion } = input;
  const dir = mkdtempSync(
    join(tmpdir(), `iinfra-contract-${provider.name.split('/').pop()}-core-${coreVersion}-`),
  );
  try {
    const dependencies: Record<string, string> = {
      [provider.name]: provider.version,
      '@immutable-infra/core': coreVersion,
      vitest: rootDevDependency('vitest'),
    };
    for (const [name, range] of Object.entries(provider.manifest.devDependencies ?? {})) {
      if (name === '@immutable-infra/core') continue;
      const tarball = input.tarballs.get(name);
      const published = input.published.get(name);
      dependencies[name] = tarball ? `file:${tarball}` : (published ?? range);
    }
    // A private package's tarball names its private dependencies (the simulator kit, say) by a version
    // no registry has: install those from their tarballs too, and point every dependant at them.
    const privateTarballs = privateDependencyTarballs(Object.keys(dependencies), input.tarballs);
    for (const [name, spec] of privateTarballs) dependencies[name] = spec;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify(
        {
          name: 'contract-run',
          private: true,
          type: 'module',
          dependencies,
          overrides: { '@immutable-infra/core': coreVersion, ...Object.fromEntries(privateTarballs) },
        },
        null,
        2,
      ),
    );
    cpSync(join(provider.dir, 'test'), join(dir, 'test'), { recursive: true });
    writeFileSync(
      join(dir, 'vitest.config.ts'),
      [
        "import { defineConfig } from 'vitest/config';",
        'export default defineConfig({ test: {',
        "  include: ['test/contract/**/*.test.ts'],",
        "  globalSetup: ['test/global-setup.ts'],",
        '  hookTimeout: 120_000, testTimeout: 120_000,',
        '} });',
      ].join('\n'),
    );
    input.onProgress?.(
      `installing ${provider.name}@${provider.version} with core ${coreVersion} from the registry`,
    );
    runNpm(
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--registry',
        input.registry.url,
        '--userconfig',
        input.registry.npmrc,
      ],
      {
        cwd: dir,
      },
    );
    const installedCore = JSON.parse(
      readFileSync(join(dir, 'node_modules', '@immutable-infra', 'core', 'package.json'), 'utf8'),
    ) as { version: string };
    if (installedCore.version !== coreVersion) {
      throw new Error(`npm installed core ${installedCore.version}, not ${coreVersion}`);
    }
    input.onProgress?.(
      `running the contract tests of ${provider.name}@${provider.version} with core ${coreVersion}`,
    );
    const resultsFile = join(dir, 'results.json');
    // The conformance suite appends each check it runs here (its IINFRA_CONFORMANCE_RECORD).
    const conformanceFile = join(dir, 'conformance.jsonl');
    const run = spawnSync(
      process.execPath,
      [
        join(dir, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${resultsFile}`,
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        // The scratch project is outside the repository: point the management plane at the repository's envtest build.
        env: npmEnvironment({
          IINFRA_ENVTEST_SCRIPT: join(repoRoot, 'tools', 'envtest', 'ensure.sh'),
          IINFRA_CONFORMANCE_RECORD: conformanceFile,
        }),
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const outputTail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-40).join('\n');
    let results: { numPassedTests?: number; numFailedTests?: number; numTotalTests?: number };
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    } catch {
      return { passed: 0, failed: 1, outputTail };
    }
    const passed = results.numPassedTests ?? 0;
    const failed = (results.numFailedTests ?? 0) + (run.status === 0 ? 0 : passed === 0 ? 1 : 0);
    const conformance = existsSync(conformanceFile)
      ? summarizeConformance(readFileSync(conformanceFile, 'utf8'))
      : undefined;
    return { passed, failed, outputTail, ...(conformance && { conformance }) };
  } finally {
    if (!process.env.IINFRA_KEEP_CONTRACT_RUNS) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The conformance record of a run (one JSON check per line, as the suite appends them) counted by
 * outcome; a check run more than once (a retried test) counts by its last outcome. Undefined when
 * the record holds no check.
 */
export function summarizeConformance(record: string): ConformanceSummary | undefined {
  const last = new Map<string, string>();
  for (const line of record.split('\n')) {
    if (!line.trim()) continue;
    const check = JSON.parse(line) as { name: string; status: string };
    last.set(check.name, check.status);
  }
  if (last.size === 0) return undefined;
  const named = (status: string) => [...last].filter(([, s]) => s === status).map(([name]) => name);
  const failedChecks = named('failed');
  return {
    result: failedChecks.length === 0 ? 'passed' : 'failed',
    passed: named('passed').length,
    failed: failedChecks.length,
    skipped: named('skipped').length,
    ...(failedChecks.length > 0 && { failedChecks }),
  };
}

/**
 * The private workspace packages that the named ones depend on, directly or through each other,
 * as `file:` specs of their packed tarballs.
 */
function privateDependencyTarballs(
  names: readonly string[],
  tarballs: ReadonlyMap<string, string>,
): Map<string, string> {
  const manifests = new Map(workspacePackages().map((p) => [p.name, p.manifest]));
  const found = new Map<string, string>();
  const pending = names.filter((name) => tarballs.has(name));
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const dependency of Object.keys(manifests.get(name)?.dependencies ?? {})) {
      const tarball = tarballs.get(dependency);
      if (!tarball || found.has(dependency)) continue;
      found.set(dependency, `file:${tarball}`);
      pending.push(dependency);
    }
  }
  return found;
}

function rootDevDependency(name: string): string {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const range = root.devDependencies?.[name];
  if (!range) throw new Error(`the root package.json has no devDependency ${name}`);
  return range;
}
