// The generated project compiles, builds and generates its CRDs against this workspace's packages
// (its node_modules are links to them), a quick answer while the scaffolder changes. Its own tests
// run in tools/registry/test/third-party-provider.test.ts, as a third party runs them: scaffolded by
// `npm create`, installed from a registry, outside this repository.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'iinfra-generated-provider-'));
  project = join(scratch, 'provider-acme');
  const io = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => process.stderr.write(text) },
  };
  expect(runCreateProvider([project, '--platform', 'acme', '--display-name', 'Acme Cloud'], io)).toBe(0);
  linkModules(project);
  // A clean environment for the project's commands: none of this vitest run's own variables.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'),
  );
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
});
