// The provider authoring kit as a third party meets it: `npm create @immutable-infra/provider` from a
// registry into a folder outside this repository, `npm install` of core, the kit, the conformance
// suite and the rest from that registry, then the generated project's own build, tests (its
// lifecycle test and the conformance suite, machine.kills included) and the conformance command.
// Nothing here resolves from the workspace: the project's node_modules hold installed copies.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEnvtestAssets } from '@immutable-infra/management-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnvironment } from '../src/npm-command.ts';
import { type PublishedSet, publishWorkspace } from '../src/publish-workspace.ts';
import { type RunningRegistry, startRegistry } from '../src/verdaccio.ts';

let registry: RunningRegistry;
let published: PublishedSet;
let scratch: string;
let project: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  registry = await startRegistry();
  // The workspace's own versions only: what a scaffolded project asks for.
  published = publishWorkspace(registry, () => {}, { releases: false });
  scratch = mkdtempSync(join(tmpdir(), 'iinfra-third-party-'));
  project = join(scratch, 'provider-acme');
  // A third party's shell: npm pointed at the registry, none of this vitest run's variables, and the
  // kube-apiserver and etcd binaries from KUBEBUILDER_ASSETS, as the generated README asks.
  const assets = await ensureEnvtestAssets({ onProgress: () => {} });
  env = Object.fromEntries(
    Object.entries(npmEnvironment()).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'),
  );
  env.npm_config_userconfig = registry.npmrc;
  env.KUBEBUILDER_ASSETS = assets.binDir;
});

afterAll(async () => {
  await registry?.stop();
  if (registry) rmSync(registry.dir, { recursive: true, force: true });
  if (published) rmSync(published.packDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs a command; its output is the assertion's message when it fails. */
function run(command: string, args: string[], cwd: string, timeout = 840_000) {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
  return {
    status: result.status,
    stdout: result.stdout,
    output: `${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
  };
}

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };

describe('a third-party provider from the registry', () => {
  it('npm create @immutable-infra/provider scaffolds a project outside the repository', () => {
    const args = ['create', '--yes', '@immutable-infra/provider@latest', 'provider-acme', '--'];
    const created = run('npm', [...args, '--platform', 'acme', '--display-name', 'Acme Cloud'], scratch);
    expect(created.status, created.output).toBe(0);
    expect(manifest(project).name).toBe('provider-acme');
    for (const path of ['src/api', 'src/cloud', 'src/controllers', 'test/conformance.test.ts', '.changeset'])
      expect(existsSync(join(project, path)), path).toBe(true);
  });

  it('npm install takes our packages from the registry, installed, not linked', () => {
    const installed = run('npm', ['install', '--no-audit', '--no-fund'], project);
    expect(installed.status, installed.output).toBe(0);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; integrity?: string; link?: boolean }>;
    };
    const ours = Object.entries(lock.packages).filter(([path]) =>
      path.startsWith('node_modules/@immutable-infra/'),
    );
    expect(ours.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        'node_modules/@immutable-infra/conformance',
        'node_modules/@immutable-infra/core',
        'node_modules/@immutable-infra/manager',
        'node_modules/@immutable-infra/provider-kit',
        'node_modules/@immutable-infra/testkit',
      ]),
    );
    for (const [path, entry] of ours) {
      expect(entry.link, path).toBeUndefined();
      const name = path.slice('node_modules/'.length);
      expect(entry.version, path).toBe(published.published.get(name));
      // The very tarball this run published: the registry's integrity for that version.
      const view = run('npm', ['view', `${name}@${entry.version}`, 'dist.integrity'], project);
      expect(view.status, view.output).toBe(0);
      expect(entry.integrity, path).toBe(view.stdout.trim());
      expect(lstatSync(join(project, path)).isSymbolicLink(), path).toBe(false);
    }
  });

  it('builds, generates its artifacts and passes its own tests: the lifecycle and the conformance suite, machine.kills included', () => {
    for (const script of ['typecheck', 'build', 'generate']) {
      const { status, output } = run('npm', ['run', script], project);
      expect(status, output).toBe(0);
    }
    const tested = run('npm', ['test'], project);
    expect(tested.status, tested.output).toBe(0);
    expect(tested.output).toMatch(/conformance\.test\.ts/);
    expect(tested.output).toMatch(/lifecycle\.test\.ts/);
    expect(tested.output).not.toMatch(/skipped/i);
  });

  it('passes the conformance command, as its CI would run it', () => {
    const checked = run('npx', ['--no-install', 'iinfra-conformance', '--provider', '.', '--json'], project);
    expect(checked.status, checked.output).toBe(0);
    const report = JSON.parse(checked.stdout) as {
      package: string;
      checks: { name: string; status: string }[];
    };
    expect(report.package).toBe('provider-acme');
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain('crds.contract-labels');
  });
});
