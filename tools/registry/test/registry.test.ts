import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@immutable-infra/testkit';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { npmEnvironment } from '../src/npm-command.ts';
import { type PublishedSet, publishWorkspace } from '../src/publish-workspace.ts';
import { type RunningRegistry, startRegistry } from '../src/verdaccio.ts';
import { repoRoot, workspacePackages } from '../src/workspace-packages.ts';

const execRaw = promisify(execFile);
const exec = (file: string, args: string[], options: Parameters<typeof execRaw>[2] = {}) =>
  execRaw(file, args, { env: npmEnvironment(), ...options });
const iinfraBin = join(repoRoot, 'packages', 'manager', 'bin', 'iinfra.js');
const dcs = workspacePackages().find((p) => p.name === '@immutable-infra/provider-dcs');
if (!dcs) throw new Error('no provider-dcs in the workspace');

/**
 * The newest DCS version the compatibility matrix verified with platform 4.4.0's core: what
 * `iinfra provider install` may put on that platform. The workspace's own version may need a newer
 * core than any platform release ships.
 */
const installableDcs = (() => {
  const matrix = JSON.parse(readFileSync(join(repoRoot, 'compat-matrix.json'), 'utf8')) as {
    platformReleases: { version: string; coreVersion: string }[];
    providers: { name: string; version: string; verifications: { coreVersion: string; result: string }[] }[];
  };
  const core = matrix.platformReleases.find((r) => r.version === '4.4.0')?.coreVersion;
  const versions = matrix.providers
    .filter((p) => p.name === 'dcs')
    .filter((p) => p.verifications.some((v) => v.coreVersion === core && v.result === 'passed'))
    .map((p) => p.version)
    .sort(semver.rcompare);
  if (!versions[0]) throw new Error('compat-matrix.json verifies no dcs version with platform 4.4.0');
  return versions[0];
})();

let registry: RunningRegistry;
let published: PublishedSet;
const kubeconfig = () => inject('iinfraKubeconfigPath');

async function iinfra(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [iinfraBin, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, stdout: String(stdout), stderr: String(stderr) };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function read(apiVersion: string, kind: string, name: string, namespace?: string) {
  const objects = KubernetesObjectApi.makeApiClient(testKubeConfig());
  try {
    return await objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  registry = await startRegistry();
  published = publishWorkspace(registry);
});

afterAll(async () => {
  await registry?.stop();
  // The registry's storage and the packed tarballs are this run's alone.
  if (registry) rmSync(registry.dir, { recursive: true, force: true });
  if (published) rmSync(published.packDir, { recursive: true, force: true });
});

describe('the local registry', () => {
  it('serves exactly the chosen provider version with a compatible core, and the manager loads it', async () => {
    const project = mkdtempSync(join(tmpdir(), 'iinfra-install-'));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'site', private: true }));
    const managerVersion = published.published.get('@immutable-infra/manager');
    await exec(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--registry',
        registry.url,
        `@immutable-infra/provider-dcs@${dcs.version}`,
        `@immutable-infra/manager@${managerVersion}`,
      ],
      { cwd: project, maxBuffer: 16 << 20 },
    );
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(project, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as {
        version: string;
        peerDependencies?: Record<string, string>;
      };
    const provider = installed('@immutable-infra/provider-dcs');
    expect(provider.version).toBe(dcs.version);
    const core = installed('@immutable-infra/core');
    expect(semver.satisfies(core.version, provider.peerDependencies?.['@immutable-infra/core'] ?? '')).toBe(
      true,
    );

    // The installed manager loads the installed provider against a real API server.
    const manager = spawn(
      process.execPath,
      [
        join(project, 'node_modules', '@immutable-infra', 'manager', 'bin', 'iinfra.js'),
        'manager',
        '--provider',
        '@immutable-infra/provider-dcs',
        '--kubeconfig',
        kubeconfig(),
        '--namespace',
        'default',
      ],
      { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    manager.stdout.on('data', (chunk) => {
      log += chunk;
    });
    manager.stderr.on('data', (chunk) => {
      log += chunk;
    });
    try {
      const admitted = await eventually('provider admitted', async () =>
        log.includes('provider admitted') || manager.exitCode !== null ? log : undefined,
      );
      expect(manager.exitCode, admitted).toBeNull();
      expect(admitted).toContain(`"version":"${dcs.version}"`);
    } finally {
      manager.kill('SIGTERM');
    }
  });

  it('iinfra provider install refuses an incompatible version before writing anything to the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iinfra-providers-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const result = await iinfra(
      'provider',
      'install',
      'dcs@0.1.0',
      '--registry',
      registry.url,
      '--platform',
      '4.4.0',
      '--kubeconfig',
      kubeconfig(),
      '--dir',
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refusing to install dcs@0.1.0 on platform 4.4.0 (incompatible)');
    expect(result.stderr).toContain('supports core ^0.1.0, but core is 0.5.0');
    expect(result.stderr).toContain(
      'from platform 4.3.2, the dcs provider must be at least 0.6.0, and never below; dcs@0.1.0 is below it',
    );
    // The smallest upgrade verified on 4.4.0 in the matrix.
    expect(result.stderr).toContain(
      `upgrade to dcs@${installableDcs}, the smallest version verified on platform 4.4.0`,
    );
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    expect(
      await read(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        'dcsclusters.infrastructure.cluster.x-k8s.io',
      ),
    ).toBeUndefined();
    expect(
      await read(
        'clusterctl.cluster.x-k8s.io/v1alpha3',
        'Provider',
        'infrastructure-dcs',
        'immutable-infra-system',
      ),
    ).toBeUndefined();
  });

  it('iinfra provider install installs a compatible version, records it, and compat check reads it back', async () => {
    const objects = KubernetesObjectApi.makeApiClient(testKubeConfig());
    await objects
      .create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'immutable-infra-system' } })
      .catch(() => {});
    await objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'platform-release', namespace: 'immutable-infra-system' },
      data: { version: '4.4.0' },
    } as never);
    const dir = mkdtempSync(join(tmpdir(), 'iinfra-providers-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const result = await iinfra(
      'provider',
      'install',
      `dcs@${installableDcs}`,
      '--registry',
      registry.url,
      '--kubeconfig',
      kubeconfig(),
      '--dir',
      dir,
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      installed: true,
      status: 'compatible',
      platform: '4.4.0',
    });
    expect(
      await read(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        'dcsclusters.infrastructure.cluster.x-k8s.io',
      ),
    ).toBeDefined();
    // The release data the package ships, where the wizard looks for it (cpaas-system by default).
    const releaseData = JSON.parse(result.stdout).releaseData as string[];
    expect(releaseData).toContain('ConfigMap/440-dcs-vm-template');
    expect(releaseData).toContain('Secret/dcs-kubernetes-1.35-files');
    const versionConfigMap = (await read('v1', 'ConfigMap', '440-dcs-vm-template', 'cpaas-system')) as
      | { metadata: { labels: Record<string, string> }; data: Record<string, string> }
      | undefined;
    expect(versionConfigMap?.metadata.labels['cpaas.io/dcs-vm-template']).toBe(
      versionConfigMap?.data.machineImage,
    );
    expect(versionConfigMap?.data).toMatchObject({
      kubernetesVersion: 'v1.35.6-acp.1',
      etcdTag: 'v3.6.13-acp.0',
    });
    expect(await read('v1', 'Secret', 'dcs-kubernetes-1.35-files', 'cpaas-system')).toBeDefined();
    const inventory = (await read(
      'clusterctl.cluster.x-k8s.io/v1alpha3',
      'Provider',
      'infrastructure-dcs',
      'immutable-infra-system',
    )) as { providerName?: string; type?: string; version?: string } | undefined;
    expect(inventory).toMatchObject({
      providerName: 'dcs',
      type: 'InfrastructureProvider',
      version: `v${installableDcs}`,
    });

    const check = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--kubeconfig',
      kubeconfig(),
      '--json',
    );
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(JSON.parse(check.stdout).providers).toMatchObject([
      { provider: 'dcs', version: installableDcs, status: 'compatible' },
    ]);
  });

  it('changeset version and changeset publish release through it with internal ranges rewritten', async () => {
    // A copy of the workspace's manifests and built files, with one new changeset: a patch of core and manager.
    const copy = mkdtempSync(join(tmpdir(), 'iinfra-release-'));
    onTestFinished(() => rmSync(copy, { recursive: true, force: true }));
    cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
    cpSync(join(repoRoot, 'package-lock.json'), join(copy, 'package-lock.json'));
    cpSync(join(repoRoot, '.changeset', 'config.json'), join(copy, '.changeset', 'config.json'));
    for (const pkg of workspacePackages()) {
      const target = join(copy, pkg.dir.slice(repoRoot.length + 1));
      mkdirSync(target, { recursive: true });
      cpSync(join(pkg.dir, 'package.json'), join(target, 'package.json'));
      for (const entry of ['dist', 'bin', 'crds', 'clusterctl', 'schemas', 'README.md']) {
        if (existsSync(join(pkg.dir, entry)))
          cpSync(join(pkg.dir, entry), join(target, entry), { recursive: true });
      }
    }
    writeFileSync(
      join(copy, '.changeset', 'core-fix.md'),
      '---\n"@immutable-infra/core": patch\n"@immutable-infra/manager": patch\n---\n\nA fix.\n',
    );
    const git = (...args: string[]) => exec('git', args, { cwd: copy });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', 'commit', '-qm', 'copy');
    const gitIdentity = {
      GIT_AUTHOR_NAME: 'ci',
      GIT_AUTHOR_EMAIL: 'ci@example.invalid',
      GIT_COMMITTER_NAME: 'ci',
      GIT_COMMITTER_EMAIL: 'ci@example.invalid',
    };
    const changeset = join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js');
    await exec(process.execPath, [changeset, 'version'], {
      cwd: copy,
      env: npmEnvironment(gitIdentity),
    }).catch((error) => {
      throw new Error(`changeset version failed: ${error.stdout}${error.stderr}`);
    });
    const core = JSON.parse(readFileSync(join(copy, 'packages', 'core', 'package.json'), 'utf8'));
    const nextCore = semver.inc(published.workspaceCore, 'patch');
    expect(core.version).toBe(nextCore);

    await exec(process.execPath, [changeset, 'publish'], {
      cwd: copy,
      env: npmEnvironment({
        ...gitIdentity,
        npm_config_registry: registry.url,
        npm_config_userconfig: registry.npmrc,
      }),
      maxBuffer: 16 << 20,
    });
    const packument = async (name: string) =>
      (await (await fetch(`${registry.url}${name.replace('/', '%2f')}`)).json()) as {
        'dist-tags': { latest: string };
        versions: Record<
          string,
          { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
        >;
      };
    expect((await packument('@immutable-infra/core'))['dist-tags'].latest).toBe(nextCore);
    const manager = await packument('@immutable-infra/manager');
    const latestManager = manager.versions[manager['dist-tags'].latest];
    expect(manager['dist-tags'].latest).toBe(
      semver.inc(published.published.get('@immutable-infra/manager') ?? '', 'patch'),
    );
    expect(latestManager?.dependencies?.['@immutable-infra/core']).toBe(`^${nextCore}`);
    // The provider's peer range still holds the new core, so it is not re-released.
    const provider = await packument('@immutable-infra/provider-dcs');
    expect(provider['dist-tags'].latest).toBe(dcs.version);
    expect(provider.versions[dcs.version]?.peerDependencies?.['@immutable-infra/core']).toBe(
      dcs.manifest.peerDependencies?.['@immutable-infra/core'],
    );
  });
});
