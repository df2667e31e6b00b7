import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coreRangeFor, runCreateProvider, scaffoldProject } from '../src/index.ts';
import { platformFromDirectory } from '../src/names.ts';

const root = new URL('../../../', import.meta.url);
const versionOf = (path: string) =>
  (JSON.parse(readFileSync(new URL(`${path}/package.json`, root), 'utf8')) as { version: string }).version;
const rootManifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  devDependencies: Record<string, string>;
};

/** Runs the command in-process, with what it wrote. */
function run(argv: string[], cwd = tmpdir()) {
  let stdout = '';
  let stderr = '';
  const code = runCreateProvider(argv, {
    cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const scratches: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'iinfra-create-provider-'));
  scratches.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

describe('scaffoldProject', () => {
  const files = scaffoldProject({ platform: 'acme' });
  const file = (path: string) => {
    const found = files.find((f) => f.path === path);
    if (!found) throw new Error(`no ${path} among ${files.map((f) => f.path).join(', ')}`);
    return found.content;
  };
  const manifest = JSON.parse(file('package.json'));

  it('writes the whole project for acme', () => {
    expect(files.map((f) => f.path)).toEqual(
      [
        '.changeset/README.md',
        '.changeset/config.json',
        '.gitignore',
        'README.md',
        'package.json',
        'scripts/generate-crds.ts',
        'src/api/acme-cluster.ts',
        'src/api/acme-machine-template.ts',
        'src/api/acme-machine.ts',
        'src/api/credentials.ts',
        'src/api/index.ts',
        'src/cloud/acme-client.ts',
        'src/controllers/acme-cluster-controller.ts',
        'src/controllers/acme-machine-controller.ts',
        'src/controllers/connect.ts',
        'src/index.ts',
        'src/provider.ts',
        'test/acme-adapter.ts',
        'test/conformance.test.ts',
        'test/fixtures.ts',
        'test/global-setup.ts',
        'test/lifecycle.test.ts',
        'test/simulator.ts',
        'tsconfig.json',
        'tsup.config.ts',
        'vitest.config.ts',
      ].sort((a, b) => a.localeCompare(b)),
    );
    expect(file('src/api/acme-cluster.ts')).toContain("kind: 'AcmeCluster'");
    expect(file('src/api/acme-machine-template.ts')).toContain("machineKind: 'AcmeMachine'");
    expect(file('test/conformance.test.ts')).toContain("packageName: 'provider-acme'");
    expect(files.every((f) => !f.content.includes('{{'))).toBe(true);
  });

  it("pins this workspace's versions of our packages and the peer range our providers use", () => {
    expect(manifest).toMatchObject({
      name: 'provider-acme',
      version: '0.1.0',
      type: 'module',
      engines: { node: '>=22.18' },
      immutableInfra: { provider: 'acme', platform: 'acme', displayName: 'Acme' },
    });
    const core = versionOf('packages/core');
    expect(manifest.peerDependencies['@immutable-infra/core']).toBe(coreRangeFor(core));
    expect(manifest.peerDependencies['@immutable-infra/core']).toMatch(/^>=\d+\.\d+\.0 <\d+\.\d+\.0$/);
    // The same range form as our own providers.
    expect(manifest.peerDependencies['@immutable-infra/core']).toBe(
      JSON.parse(readFileSync(new URL('providers/dcs/package.json', root), 'utf8')).peerDependencies[
        '@immutable-infra/core'
      ],
    );
    expect(manifest.dependencies['@immutable-infra/provider-kit']).toBe(
      `^${versionOf('packages/provider-kit')}`,
    );
    expect(manifest.devDependencies).toMatchObject({
      '@immutable-infra/core': `^${core}`,
      '@immutable-infra/manager': `^${versionOf('packages/manager')}`,
      '@immutable-infra/testkit': `^${versionOf('packages/testkit')}`,
      '@immutable-infra/conformance': `^${versionOf('packages/conformance')}`,
      vitest: rootManifest.devDependencies.vitest,
      typescript: rootManifest.devDependencies.typescript,
      tsup: rootManifest.devDependencies.tsup,
    });
    expect(manifest.immutableInfra.capiContracts).toEqual(['v1beta1', 'v1beta2']);
    expect(manifest.immutableInfra.kubernetesVersions.length).toBeGreaterThan(0);
  });

  it('names everything after a hyphenated platform', () => {
    const project = scaffoldProject({
      platform: 'my-cloud',
      displayName: 'My Cloud',
      packageName: '@example/provider-x',
    });
    const paths = project.map((f) => f.path);
    expect(paths).toContain('src/cloud/my-cloud-client.ts');
    // The platform id never becomes part of an identifier (it may hold hyphens): those take the Pascal name.
    for (const { path, content } of project)
      expect(content.match(/[A-Za-z0-9_$]my-cloud|my-cloud[A-Za-z0-9_$]/g) ?? [], path).toEqual([]);
    const cluster = project.find((f) => f.path === 'src/api/my-cloud-cluster.ts')?.content ?? '';
    expect(cluster).toContain("kind: 'MyCloudCluster'");
    expect(cluster).toContain("plural: 'mycloudclusters'");
    expect(cluster).toContain("providerKindBase('my-cloud')");
    expect(JSON.parse(project.find((f) => f.path === 'package.json')?.content ?? '{}').name).toBe(
      '@example/provider-x',
    );
  });

  it('makes a platform id of a directory name', () => {
    expect(platformFromDirectory('provider-acme')).toBe('acme');
    expect(platformFromDirectory('My_Cloud')).toBe('my-cloud');
    expect(platformFromDirectory('42')).toBe('');
  });
});

describe('the create-provider command', () => {
  it('writes the project and prints the next commands', () => {
    const cwd = scratch();
    const { code, stdout, stderr } = run(['acme'], cwd);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('cd acme && npm install && npm run build && npm run generate && npm test');
    expect(readdirSync(join(cwd, 'acme'))).toContain('.gitignore');
    expect(JSON.parse(readFileSync(join(cwd, 'acme', 'package.json'), 'utf8')).name).toBe('provider-acme');
  });

  it('prints JSON with --json', () => {
    const cwd = scratch();
    const { code, stdout } = run(['provider-zeta', '--json', '--display-name', 'Zeta Cloud'], cwd);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      directory: join(cwd, 'provider-zeta'),
      packageName: 'provider-zeta',
      platform: 'zeta',
    });
    expect(result.files).toContain('src/cloud/zeta-client.ts');
    expect(readFileSync(join(cwd, 'provider-zeta', 'README.md'), 'utf8')).toContain('Zeta Cloud');
  });

  const refusals: [string[], RegExp][] = [
    [['acme', '--bogus'], /^create-provider: unknown option --bogus; see create-provider --help\n$/],
    [[], /^create-provider: <directory> is missing/],
    [['acme', '--platform', 'Acme_Cloud'], /^create-provider: --platform "Acme_Cloud" is not a platform id/],
    [['acme', '--platform'], /^create-provider: --platform needs a value/],
    [
      ['acme', '--package-name', 'Not Valid'],
      /^create-provider: --package-name "Not Valid" is not an npm package name/,
    ],
    [['123'], /^create-provider: --platform is needed/],
    [['a', 'b'], /^create-provider: unexpected argument b/],
  ];
  it.each(refusals)('refuses %j with exit 2, naming the argument in one line', (argv, message) => {
    const { code, stdout, stderr } = run(argv, scratch());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a directory that is not empty without --force, and writes into it with --force', () => {
    const cwd = scratch();
    mkdirSync(join(cwd, 'acme'));
    writeFileSync(join(cwd, 'acme', 'notes.txt'), 'mine');
    const refused = run(['acme'], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/<directory> .*acme is not empty; pass --force/);
    expect(readdirSync(join(cwd, 'acme'))).toEqual(['notes.txt']);
    const forced = run(['acme', '--force'], cwd);
    expect(forced.code).toBe(0);
    expect(readdirSync(join(cwd, 'acme'))).toEqual(expect.arrayContaining(['notes.txt', 'package.json']));
  });

  it('prints its help', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: create-provider <directory>/);
  });
});
