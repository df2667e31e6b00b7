// The DCS manager image and the Fleet Essentials image, built as `npm run images` builds them, then
// unpacked layer by layer into root filesystems and started from those filesystems alone: `--help`,
// a real manager against the run's kube-apiserver until /readyz answers 200, and Fleet Essentials
// serving its app and every provider's UI extension from the image. As root each runs under chroot
// as the image's user 65532, so nothing outside the image can be loaded; otherwise from the rootfs
// with cwd /app.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NONROOT } from '../src/base-layer.ts';
import { type BuildResult, buildImages, ensureCrane, repoRoot, startCraneRegistry } from '../src/images.ts';

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const version = (dir: string) => readJson<{ version: string }>(join(repoRoot, dir, 'package.json')).version;

let scratch: string;
let built: BuildResult;
/** The DCS manager image's unpacked root filesystem. */
let rootfs: string;
/** Each built image's unpacked root filesystem, by its short name. */
const rootfsOf = new Map<string, string>();
const children: ChildProcess[] = [];

interface Manifest {
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
  annotations?: Record<string, string>;
}
interface ImageConfig {
  os: string;
  architecture: string;
  config: { User: string; Entrypoint: string[]; Cmd: string[]; WorkingDir: string; Env: string[] };
}

const blob = (layout: string, digest: string) => join(layout, 'blobs/sha256', digest.replace('sha256:', ''));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'iinfra-images-test-'));
  built = await buildImages({ only: ['manager-dcs', 'fleet-essentials'], outDir: join(scratch, 'images') });
  // Unpack the layers in order, as a container runtime would (no whiteouts: every layer only adds).
  for (const image of built.images) {
    const root = join(scratch, `rootfs-${image.spec.name}`);
    mkdirSync(root);
    const manifest = readJson<Manifest>(blob(image.layout, image.digest));
    for (const layer of manifest.layers)
      execFileSync('tar', [
        '-xzf',
        blob(image.layout, layer.digest),
        '-C',
        root,
        '--same-owner',
        '--numeric-owner',
      ]);
    rootfsOf.set(image.spec.name, root);
  }
  rootfs = rootfsOf.get('manager-dcs') ?? '';
});

/** The built image of that short name. */
const imageNamed = (name: string) => {
  const image = built.images.find((candidate) => candidate.spec.name === name);
  if (!image) throw new Error(`no ${name} image built`);
  return image;
};

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the DCS manager image', () => {
  it('is an OCI layout naming the image, whose config runs node on the manager as 65532 in /app', () => {
    const image = imageNamed('manager-dcs');
    expect(image.reference).toBe(`immutable-infra/manager-dcs:v${version('providers/dcs')}`);
    const index = readJson<{ manifests: { digest: string; annotations: Record<string, string> }[] }>(
      join(image.layout, 'index.json'),
    );
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.digest).toBe(image.digest);
    expect(index.manifests[0]?.annotations['org.opencontainers.image.ref.name']).toBe(image.reference);
    expect(
      readJson<{ imageLayoutVersion: string }>(join(image.layout, 'oci-layout')).imageLayoutVersion,
    ).toBe('1.0.0');
    const manifest = readJson<Manifest>(blob(image.layout, image.digest));
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(
      Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'),
    );
    const config = readJson<ImageConfig>(blob(image.layout, manifest.config.digest));
    expect(config.os).toBe('linux');
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.WorkingDir).toBe('/app');
    expect(config.config.Env).toContain('NODE_ENV=production');
    expect(config.config.Entrypoint).toEqual([
      '/usr/local/bin/node',
      '/app/node_modules/@immutable-infra/manager/bin/iinfra.js',
    ]);
    expect(config.config.Cmd).toEqual(['manager', '--provider=@immutable-infra/provider-dcs']);
    // Everything the entrypoint names is in the image; no shell is.
    for (const path of config.config.Entrypoint) expect(existsSync(join(rootfs, path)), path).toBe(true);
    expect(existsSync(join(rootfs, 'bin/sh'))).toBe(false);
    expect(existsSync(join(rootfs, 'usr/bin/npm'))).toBe(false);
    expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toContain(
      `nonroot:x:${NONROOT.uid}:${NONROOT.gid}:`,
    );
    // /app is root's and not writable by the image's user: a read-only root filesystem changes nothing.
    expect(statSync(join(rootfs, 'app/node_modules')).uid).toBe(0);
    expect(statSync(join(rootfs, 'app/node_modules')).mode & 0o002).toBe(0);
  });

  it('has an SBOM naming node, the manager, the provider and the Debian packages with their versions', () => {
    const image = imageNamed('manager-dcs');
    const text = readFileSync(image.sbom, 'utf8');
    const sbom = JSON.parse(text) as {
      spdxVersion: string;
      packages: { name: string; versionInfo: string; checksums: { algorithm: string }[] }[];
    };
    expect(sbom.spdxVersion).toBe('SPDX-2.3');
    const versionOf = (name: string) => sbom.packages.find((p) => p.name === name)?.versionInfo;
    expect(versionOf('node')).toBe(built.node.version);
    expect(versionOf('@immutable-infra/manager')).toBe(version('packages/manager'));
    expect(versionOf('@immutable-infra/provider-dcs')).toBe(version('providers/dcs'));
    expect(versionOf('@immutable-infra/core')).toBe(version('packages/core'));
    for (const deb of built.base.packages) expect(versionOf(deb.name), deb.name).toBe(deb.version);
    // Every npm package installed in /app is listed, with its integrity.
    const lock = readJson<{ packages: Record<string, { version?: string }> }>(
      join(rootfs, 'app/package-lock.json'),
    );
    const installed = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/'));
    expect(
      sbom.packages.filter((p) => p.checksums.some((c) => c.algorithm === 'SHA512')).length,
    ).toBeGreaterThanOrEqual(installed.length);
    // The manifest records the SBOM's digest.
    const manifest = readJson<Manifest>(blob(image.layout, image.digest));
    expect(manifest.annotations?.['dev.immutable-infra.sbom.spdx.digest']).toBe(
      `sha256:${createHash('sha256').update(text).digest('hex')}`,
    );
  });
});

describe('the layout in a registry', () => {
  it('crane push sends the layout to a registry under the same digest', async () => {
    const image = imageNamed('manager-dcs');
    const { crane } = ensureCrane();
    const registry = await startCraneRegistry(crane);
    try {
      const ref = `${registry.host}/${image.reference}`;
      execFileSync(crane, ['push', image.layout, ref], { stdio: ['ignore', 'ignore', 'pipe'] });
      expect(execFileSync(crane, ['digest', ref], { encoding: 'utf8' }).trim()).toBe(image.digest);
    } finally {
      registry.child.kill();
    }
  });
});

/**
 * As root, util-linux's unshare changes the root directory to the image's filesystem, the working
 * directory to the image's and the user to the image's (as a runtime would, without a daemon):
 * nothing outside the image can be loaded. Where a mount namespace can be made, the root filesystem
 * is also bind-mounted read-only first, as `readOnlyRootFilesystem: true` would. Without root, the
 * entrypoint runs from the rootfs with cwd <rootfs>/app and an empty NODE_PATH.
 */
const asRoot =
  process.getuid?.() === 0 && spawnSync('/usr/bin/unshare', ['--help'], { stdio: 'ignore' }).status === 0;
const readOnly =
  asRoot &&
  spawnSync('/usr/bin/unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' })
    .status === 0;
/** In a private mount namespace: bind the rootfs read-only onto itself, then unshare --root into it. */
const readOnlyRoot =
  'r=$1 wd=$2 u=$3 g=$4; shift 4; mount --bind "$r" "$r" && mount -o remount,ro,bind "$r" && ' +
  'exec /usr/bin/unshare --root="$r" --wd="$wd" --setuid "$u" --setgid "$g" "$@"';

/** Runs the image's entrypoint with `args` from the unpacked root filesystem only. */
function runImage(
  args: string[],
  files: Record<string, string> = {},
  /** Instead of the entrypoint's script: arguments to the image's node. */
  nodeArgs?: string[],
  name = 'manager-dcs',
): { child: ChildProcess; output: () => string } {
  const image = imageNamed(name);
  const rootfs = rootfsOf.get(name) ?? '';
  const config = readJson<ImageConfig>(
    blob(image.layout, readJson<Manifest>(blob(image.layout, image.digest)).config.digest),
  );
  const env = Object.fromEntries(
    config.config.Env.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  const [node, ...script] = config.config.Entrypoint as [string, ...string[]];
  const entry = nodeArgs ?? script;
  const [uid, gid] = config.config.User.split(':') as [string, string];
  // Files the command needs (a kubeconfig) go where a pod would mount them: into the image's /tmp.
  const inImage = (path: string) => (asRoot ? path : join(rootfs, path));
  for (const [path, from] of Object.entries(files)) {
    copyFileSync(from, join(rootfs, path));
    chmodSync(join(rootfs, path), 0o644);
  }
  const resolved = args.map((a) => (a in files ? inImage(a) : a));
  const child = readOnly
    ? spawn(
        '/usr/bin/unshare',
        [
          '--mount',
          '--propagation',
          'private',
          '/bin/sh',
          '-c',
          readOnlyRoot,
          'sh',
          rootfs,
          config.config.WorkingDir,
          uid,
          gid,
          node,
          ...entry,
          ...resolved,
        ],
        { env },
      )
    : asRoot
      ? spawn(
          '/usr/bin/unshare',
          [
            `--root=${rootfs}`,
            `--wd=${config.config.WorkingDir}`,
            '--setuid',
            uid,
            '--setgid',
            gid,
            node,
            ...entry,
            ...resolved,
          ],
          { env },
        )
      : spawn(join(rootfs, node), [...(nodeArgs ?? script.map((p) => join(rootfs, p))), ...resolved], {
          cwd: join(rootfs, config.config.WorkingDir),
          env: { ...env, NODE_PATH: '' },
        });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('the DCS manager image, started from its own filesystem', () => {
  it('answers manager --help', async () => {
    const { child, output } = runImage(['manager', '--help']);
    expect(await exited(child), output()).toBe(0);
    expect(output()).toContain('--provider');
    expect(output()).toContain('--probe-address');
  });

  it.runIf(readOnly)('runs as 65532 on a read-only root filesystem', async () => {
    const probe = `const fs = require('node:fs');
      const tries = ['/app/x', '/tmp/x', '/home/nonroot/x'].map((p) => { try { fs.writeFileSync(p, '1'); return 'written'; } catch (e) { return e.code; } });
      console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), cwd: process.cwd(), tries }));`;
    const { child, output } = runImage([], {}, ['-e', probe]);
    expect(await exited(child), output()).toBe(0);
    expect(JSON.parse(output())).toEqual({
      uid: 65532,
      gid: 65532,
      cwd: '/app',
      tries: ['EROFS', 'EROFS', 'EROFS'],
    });
  });

  it('runs the DCS manager against the kube-apiserver until /readyz answers 200, with the provider from the image', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'images');
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    const { child, output } = runImage(
      [
        'manager',
        '--provider',
        '@immutable-infra/provider-dcs',
        '--kubeconfig',
        '/tmp/kubeconfig',
        '--namespace',
        namespace,
        '--probe-address',
        '127.0.0.1:0',
      ],
      { '/tmp/kubeconfig': inject('iinfraKubeconfigPath') },
    );
    let status = 0;
    // No time limit of its own: the test's timeout bounds it; an exit ends it at once.
    while (status !== 200) {
      if (child.exitCode !== null) throw new Error(`the manager exited ${child.exitCode}:\n${output()}`);
      const port = /probes on port (\d+)/.exec(output())?.[1];
      if (port)
        status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
      if (status !== 200) await sleep(200);
    }
    expect(output()).toContain('provider admitted');
    expect(output()).toContain(`"version":"${version('providers/dcs')}"`);
    child.kill('SIGTERM');
    expect(await exited(child), output()).toBe(0);
  });
});

describe('the Fleet Essentials image, started from its own filesystem', () => {
  const FLEET = 'fleet-essentials';
  /** The image's own command (its --extension arguments), as a Pod without `args` runs it. */
  const imageCmd = () => {
    const image = imageNamed(FLEET);
    const manifest = readJson<Manifest>(blob(image.layout, image.digest));
    return readJson<ImageConfig>(blob(image.layout, manifest.config.digest)).config.Cmd;
  };

  it('names the image and carries the app and each provider UI extension it offers', () => {
    const image = imageNamed(FLEET);
    expect(image.reference).toBe(`immutable-infra/fleet-essentials:v${version('packages/fleet-essentials')}`);
    const fleetRoot = rootfsOf.get(FLEET) ?? '';
    for (const argument of imageCmd()) {
      const dir = argument.replace(/^--extension=/, '');
      expect(existsSync(join(fleetRoot, dir, 'package.json')), dir).toBe(true);
    }
  });

  it('serves its app and the UI extensions of the image against the kube-apiserver', async () => {
    const fleetRoot = rootfsOf.get(FLEET) ?? '';
    chmodSync(join(fleetRoot, 'tmp'), 0o1777);
    const port = await freePort();
    const { child, output } = runImage(
      [...imageCmd(), '--kubeconfig', '/tmp/kubeconfig', '--port', String(port), '--host', '127.0.0.1'],
      { '/tmp/kubeconfig': inject('iinfraKubeconfigPath') },
      undefined,
      FLEET,
    );
    const base = `http://127.0.0.1:${port}`;
    let health: { cacheReady?: boolean } = {};
    // No time limit of its own: the test's timeout bounds it; an exit ends it at once.
    while (health.cacheReady !== true) {
      if (child.exitCode !== null) throw new Error(`Fleet Essentials exited ${child.exitCode}:\n${output()}`);
      health = await fetch(`${base}/api/health`).then(
        (r) => (r.ok ? (r.json() as Promise<{ cacheReady?: boolean }>) : {}),
        () => ({}),
      );
      if (health.cacheReady !== true) await sleep(200);
    }
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    expect((await fetch(`${base}${script}`)).status).toBe(200);
    // Each extension's bundle comes from the image's copy of its provider package.
    const offered = imageCmd().map(
      (argument) =>
        JSON.parse(
          readFileSync(join(fleetRoot, argument.replace(/^--extension=/, ''), 'package.json'), 'utf8'),
        ) as { name: string },
    );
    const withBundles = offered.filter(({ name }) =>
      existsSync(join(fleetRoot, 'app/node_modules', name, 'ui-extension.json')),
    );
    expect(withBundles.length).toBeGreaterThan(0);
    for (const { name } of withBundles) {
      const bundle = await fetch(`${base}/extensions/${encodeURIComponent(name)}/bundle.js`);
      expect(bundle.status, name).toBe(200);
      expect((await bundle.text()).length, name).toBeGreaterThan(1000);
    }
    child.kill('SIGTERM');
    expect(await exited(child), output()).toBe(0);
  });
});
