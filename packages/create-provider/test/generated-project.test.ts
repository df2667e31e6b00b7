// The generated project compiles, builds, generates its CRDs and passes its own tests (the
// lifecycle test and the conformance suite against a real kube-apiserver), without a registry: its
// node_modules are links to this workspace's packages and third-party dependencies.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureEnvtestAssets } from '@immutable-infra/management-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCreateProvider } from '../src/index.ts';

const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const workspaceModules = join(workspace, 'node_modules');

/** What the generated package.json asks for, resolved from this workspace instead of a registry. */
const LINKED = [
  '@immutable-infra/conformance',
  '@immutable-infra/core',
  '@immutable-infra/manager',
  '@immutable-infra/provider-kit',
  '@immutable-infra/testkit',
  '@kubernetes/client-node',
  '@types/node',
  'tsup',
  'typescript',
  'vitest',
  'zod',
  '.bin',
];

/** Links the project's node_modules entries to this workspace's. */
function linkModules(dir: string): void {
  for (const name of LINKED) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(workspaceModules, name), link);
  }
}

let scratch: string;
let project: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'iinfra-generated-provider-'));
  project = join(scratch, 'provider-acme');
  const io = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => process.stderr.write(text) },
  };
  expect(runCreateProvider([project, '--platform', 'acme', '--display-name', 'Acme Cloud'], io)).toBe(0);
  linkModules(project);
  // The binaries our own test setup uses; outside this repository they come from KUBEBUILDER_ASSETS.
  const assets = await ensureEnvtestAssets({ onProgress: () => {} });
  // A clean environment for the project's commands: none of this vitest run's own variables.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'),
  );
  env.KUBEBUILDER_ASSETS = assets.binDir;
}, 600_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs a command in the project; its output is the assertion's message when it fails. */
function inProject(command: string, args: string[], cwd = project) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 840_000 });
  return {
    status: result.status,
    output: `${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
  };
}

describe('the generated project', () => {
  it('builds, typechecks and generates its CRDs and clusterctl artifacts', () => {
    for (const script of ['typecheck', 'build', 'generate']) {
      const { status, output } = inProject('npm', ['run', script]);
      expect(status, output).toBe(0);
    }
    expect(readdirSync(join(project, 'crds')).sort()).toEqual([
      'acmeclusters.infrastructure.cluster.x-k8s.io.yaml',
      'acmemachines.infrastructure.cluster.x-k8s.io.yaml',
      'acmemachinetemplates.infrastructure.cluster.x-k8s.io.yaml',
    ]);
    expect(readdirSync(join(project, 'clusterctl')).sort()).toEqual([
      'infrastructure-components.yaml',
      'metadata.yaml',
    ]);
  }, 600_000);

  it('typechecks for a platform id with a hyphen and a scoped package name', () => {
    const other = join(scratch, 'other');
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => process.stderr.write(text) },
    };
    const argv = [other, '--platform', 'my-cloud', '--package-name', '@example/provider-my-cloud'];
    expect(runCreateProvider(argv, io)).toBe(0);
    linkModules(other);
    const { status, output } = inProject('npm', ['run', 'typecheck'], other);
    expect(status, output).toBe(0);
  }, 300_000);

  it('passes its own tests: the lifecycle through the real host, and the conformance suite', () => {
    const { status, output } = inProject('npm', ['test']);
    expect(status, output).toBe(0);
    expect(output).toMatch(/conformance\.test\.ts/);
    expect(output).toMatch(/lifecycle\.test\.ts/);
  }, 900_000);
});
