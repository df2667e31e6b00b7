// The image definitions and the build: base layer (Debian packages), Node layer (the pinned
// node-linux-<arch> npm package's binary) and application layer (`npm install --omit=dev` of the
// published packages from a local verdaccio), assembled with crane against an in-process-free,
// loopback crane registry and pulled from it into an OCI image layout, with an SPDX SBOM.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { npmEnvironment, runNpm } from '@immutable-infra/registry-tools/npm-command';
import { publishWorkspace } from '@immutable-infra/registry-tools/publish-workspace';
import { startRegistry } from '@immutable-infra/registry-tools/verdaccio';
import { type BaseLayer, buildBaseLayer, NONROOT } from './base-layer.ts';
import { writeLayerTar } from './layer-tar.ts';
import { cacheDir, ensureCrane, repoRoot } from './tools.ts';

export { cacheDir, ensureCrane, repoRoot };

import { type NodeRuntime, spdxDocument } from './sbom.ts';

export interface ImageSpec {
  /** Short name: the OCI layout's directory under the output directory. */
  name: string;
  /** Repository path without a registry, e.g. `immutable-infra/manager-dcs`. */
  repository: string;
  /** The tag: `v` and the version of the package the image is named for. */
  tag: string;
  /** What /app installs (name -> exact version). */
  dependencies: Record<string, string>;
  entrypoint: string[];
  cmd?: string[];
  description: string;
}

export interface BuiltImage {
  spec: ImageSpec;
  /** `<repository>:<tag>` */
  reference: string;
  /** The manifest digest, `sha256:...`. */
  digest: string;
  /** The OCI image layout directory. */
  layout: string;
  /** The SPDX 2.3 JSON SBOM written next to the layout. */
  sbom: string;
  /** Compressed size of the layers plus config and manifest, bytes. */
  size: number;
  seconds: number;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const workspaceVersion = (dir: string) =>
  readJson<{ version: string }>(join(repoRoot, dir, 'package.json')).version;

export const PROVIDERS = ['dcs', 'hcs', 'vsphere', 'baremetal'] as const;
const NODE = '/usr/local/bin/node';

/** One manager image per provider, and Fleet Essentials with every provider's UI extension. */
export function imageSpecs(): ImageSpec[] {
  const manager = workspaceVersion('packages/manager');
  const specs: ImageSpec[] = PROVIDERS.map((platform) => {
    const version = workspaceVersion(`providers/${platform}`);
    return {
      name: `manager-${platform}`,
      repository: `immutable-infra/manager-${platform}`,
      tag: `v${version}`,
      dependencies: {
        '@immutable-infra/manager': manager,
        [`@immutable-infra/provider-${platform}`]: version,
      },
      entrypoint: [NODE, '/app/node_modules/@immutable-infra/manager/bin/iinfra.js'],
      cmd: ['manager', `--provider=@immutable-infra/provider-${platform}`],
      description: `iinfra manager with @immutable-infra/provider-${platform}`,
    };
  });
  const fleet = workspaceVersion('packages/fleet-essentials');
  specs.push({
    name: 'fleet-essentials',
    repository: 'immutable-infra/fleet-essentials',
    tag: `v${fleet}`,
    dependencies: {
      '@immutable-infra/fleet-essentials': fleet,
      ...Object.fromEntries(
        PROVIDERS.map((p) => [`@immutable-infra/provider-${p}`, workspaceVersion(`providers/${p}`)]),
      ),
    },
    entrypoint: [NODE, '/app/node_modules/@immutable-infra/fleet-essentials/bin/fleet-essentials.js'],
    cmd: PROVIDERS.map((p) => `--extension=/app/node_modules/@immutable-infra/provider-${p}`),
    description: "Fleet Essentials with every provider's UI extension",
  });
  return specs;
}

/** The pinned Node (tools/toolchain/node.lock) from the npm registry's node-linux-<arch> package. */
export function ensureNode(): NodeRuntime {
  const bin = execFileSync('bash', [join(repoRoot, 'tools/toolchain/ensure-node.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const line = readFileSync(join(repoRoot, 'tools/toolchain/node.lock'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${arch} `));
  const [, version, integrity] = line?.split(/\s+/) ?? [];
  if (!version || !integrity) throw new Error(`tools/toolchain/node.lock has no ${arch} line`);
  return { dir: dirname(bin), packageName: `node-linux-${arch}`, version, integrity };
}

function nodeLayer(node: NodeRuntime, cache: string): string {
  const tar = join(cache, `node-${node.packageName}-${node.version}.tar`);
  if (existsSync(tar)) return tar;
  const rootfs = mkdtempSync(join(cache, '.node-'));
  try {
    mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
    copyFileSync(join(node.dir, 'bin/node'), join(rootfs, 'usr/local/bin/node'));
    execFileSync('chmod', ['0755', join(rootfs, 'usr/local/bin/node')]);
    mkdirSync(join(rootfs, 'usr/local/share/doc/node'), { recursive: true });
    copyFileSync(join(node.dir, 'LICENSE'), join(rootfs, 'usr/local/share/doc/node/LICENSE'));
    const staged = `${tar}.${process.pid}`;
    writeLayerTar(rootfs, staged);
    renameSync(staged, tar);
    return tar;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  license?: string;
  link?: boolean;
  dev?: boolean;
}
export interface AppInstall {
  tar: string;
  lock: { packages: Record<string, LockEntry> };
}

/** `npm install --omit=dev` of the spec's packages from the registry into /app, as a layer tar. */
function appLayer(spec: ImageSpec, npmrc: string, work: string): AppInstall {
  const rootfs = join(work, `${spec.name}-rootfs`);
  const app = join(rootfs, 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: spec.name, private: true, description: spec.description, dependencies: spec.dependencies }, null, 2)}\n`,
  );
  runNpm(
    [
      'install',
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock=false',
      '--userconfig',
      npmrc,
    ],
    {
      cwd: app,
      env: npmEnvironment({ npm_config_userconfig: npmrc, npm_config_cache: join(work, 'npm-cache') }),
    },
  );
  // The local registry's address is no part of the image: the lockfile keeps versions and integrity.
  const lockPath = join(app, 'package-lock.json');
  const lock = readJson<{ packages: Record<string, LockEntry> }>(lockPath);
  for (const entry of Object.values(lock.packages)) delete entry.resolved;
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  rmSync(join(app, 'node_modules/.package-lock.json'), { force: true });
  const tar = join(work, `${spec.name}-app.tar`);
  writeLayerTar(rootfs, tar);
  return { tar, lock };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `crane registry serve` on loopback, in memory: where append and mutate write, and pull reads. */
export async function startCraneRegistry(crane: string): Promise<{ host: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(crane, ['registry', 'serve', '--address', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`crane registry serve exited: ${log}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) return { host: `127.0.0.1:${port}`, child };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  child.kill();
  throw new Error(`crane registry serve did not answer on 127.0.0.1:${port}: ${log}`);
}

function crane(bin: string, args: string[]): string {
  try {
    return execFileSync(bin, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    }).trim();
  } catch (error) {
    throw new Error(
      `crane ${args.join(' ')} failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`,
    );
  }
}

export interface BuildOptions {
  /** Image names to build (all by default). */
  only?: string[];
  outDir?: string;
  onProgress?: (message: string) => void;
}

export interface BuildResult {
  images: BuiltImage[];
  base: BaseLayer;
  node: NodeRuntime;
  craneVersion: string;
}

/** Builds the images into OCI image layouts under `outDir` (dist/images by default). */
export async function buildImages(options: BuildOptions = {}): Promise<BuildResult> {
  const say = options.onProgress ?? (() => {});
  const outDir = options.outDir ?? join(repoRoot, 'dist/images');
  const specs = imageSpecs().filter((s) => !options.only || options.only.includes(s.name));
  if (specs.length === 0)
    throw new Error(
      `no image named ${options.only?.join(', ')}; known: ${imageSpecs()
        .map((s) => s.name)
        .join(', ')}`,
    );
  const cache = cacheDir();
  mkdirSync(cache, { recursive: true });
  const { crane: craneBin, craneVersion } = ensureCrane();
  say(`crane ${craneVersion}`);
  const base = buildBaseLayer(cache, say);
  say(
    `base layer: ${base.packages.map((p) => `${p.name} ${p.version}`).join(', ')}${base.cached ? ' (cached)' : ''}`,
  );
  const node = ensureNode();
  const nodeTar = nodeLayer(node, cache);
  say(`node layer: ${node.packageName} ${node.version}`);

  const work = mkdtempSync(join(tmpdir(), 'iinfra-images-'));
  const registry = await startRegistry();
  const images: BuiltImage[] = [];
  let craneRegistry: { host: string; child: ChildProcess } | undefined;
  let packDir: string | undefined;
  try {
    say('publishing the workspace packages to a local verdaccio');
    packDir = publishWorkspace(registry, (m) => say(`  ${m}`), { releases: false }).packDir;
    craneRegistry = await startCraneRegistry(craneBin);
    mkdirSync(outDir, { recursive: true });
    for (const spec of specs) {
      const started = Date.now();
      say(
        `${spec.name}: npm install ${Object.entries(spec.dependencies)
          .map(([n, v]) => `${n}@${v}`)
          .join(' ')}`,
      );
      const app = appLayer(spec, registry.npmrc, work);
      const ref = `${craneRegistry.host}/${spec.repository}:${spec.tag}`;
      say(`${spec.name}: assembling with crane`);
      crane(craneBin, [
        'append',
        '--oci-empty-base',
        '-f',
        base.tar,
        '-f',
        nodeTar,
        '-f',
        app.tar,
        '-t',
        ref,
      ]);
      const sbom = spdxDocument(spec, base.packages, node, app.lock);
      const sbomText = `${JSON.stringify(sbom, null, 2)}\n`;
      const sbomDigest = `sha256:${createHash('sha256').update(sbomText).digest('hex')}`;
      const mutateArgs = [
        'mutate',
        ref,
        '--entrypoint',
        spec.entrypoint.join(','),
        ...(spec.cmd ? ['--cmd', spec.cmd.join(',')] : []),
        '--user',
        `${NONROOT.uid}:${NONROOT.gid}`,
        '--workdir',
        '/app',
        '--env',
        'NODE_ENV=production',
        '--env',
        'PATH=/usr/local/bin:/usr/bin:/bin',
        '--set-platform',
        `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`,
        '--label',
        `org.opencontainers.image.title=${spec.repository}`,
        '--label',
        `org.opencontainers.image.version=${spec.tag.slice(1)}`,
        '--label',
        `org.opencontainers.image.description=${spec.description}`,
        '--annotation',
        `org.opencontainers.image.title=${spec.repository}`,
        '--annotation',
        `org.opencontainers.image.version=${spec.tag.slice(1)}`,
        '--annotation',
        `dev.immutable-infra.sbom.spdx.digest=${sbomDigest}`,
        '-t',
        ref,
      ];
      crane(craneBin, mutateArgs);
      const digest = crane(craneBin, ['digest', ref]);
      const layout = join(outDir, spec.name);
      rmSync(layout, { recursive: true, force: true });
      crane(craneBin, ['pull', '--format=oci', ref, layout]);
      // Name the image in the layout by its repository and tag, not the build's loopback registry.
      const indexPath = join(layout, 'index.json');
      const index = readJson<{ manifests: { digest: string; annotations?: Record<string, string> }[] }>(
        indexPath,
      );
      for (const m of index.manifests)
        m.annotations = {
          ...m.annotations,
          'org.opencontainers.image.ref.name': `${spec.repository}:${spec.tag}`,
        };
      writeFileSync(indexPath, `${JSON.stringify(index)}\n`);
      const sbomPath = join(outDir, `${spec.name}.spdx.json`);
      writeFileSync(sbomPath, sbomText);
      const manifest = readJson<{ config: { size: number }; layers: { size: number }[] }>(
        join(layout, 'blobs/sha256', digest.slice('sha256:'.length)),
      );
      const size =
        manifest.config.size +
        manifest.layers.reduce((sum, l) => sum + l.size, 0) +
        statSync(join(layout, 'blobs/sha256', digest.slice(7))).size;
      const image: BuiltImage = {
        spec,
        reference: `${spec.repository}:${spec.tag}`,
        digest,
        layout,
        sbom: sbomPath,
        size,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      writeFileSync(
        join(outDir, `${spec.name}.json`),
        `${JSON.stringify({ reference: image.reference, digest, size, layout: spec.name, sbom: `${spec.name}.spdx.json`, sbomDigest }, null, 2)}\n`,
      );
      say(
        `${spec.name}: ${image.reference}@${digest} (${(size / 1024 / 1024).toFixed(1)} MiB compressed, ${image.seconds}s)`,
      );
      images.push(image);
    }
    return { images, base, node, craneVersion };
  } finally {
    craneRegistry?.child.kill();
    await registry.stop();
    rmSync(registry.dir, { recursive: true, force: true });
    if (packDir) rmSync(packDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
