/**
 * Cluster API's CRDs for an installed copy of this package, outside the repository (where
 * tools/envtest/ensure.sh takes them from the Go module it builds): the pinned Cluster API module zip
 * from the Go module proxy, verified against go.sum's hash before anything is written, and the CRD
 * manifests extracted into the same cache folder ensure.sh fills, so either one finds them there.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { envtestCacheDir } from './assets.js';
import { CLUSTER_API_MODULE_HASH, CLUSTER_API_VERSION } from './cluster-api-pin.js';

const MODULE = 'sigs.k8s.io/cluster-api';

/** The folders of the module whose YAML files are CRDs (core, IPAM, runtime, kubeadm bootstrap and control plane). */
const CRD_FOLDERS = [
  'config/crd/bases',
  'bootstrap/kubeadm/config/crd/bases',
  'controlplane/kubeadm/config/crd/bases',
];
/** clusterctl's inventory CRD (Provider), which `iinfra provider install` writes. */
const CLUSTERCTL_CRD = 'cmd/clusterctl/config/manifest/clusterctl-api.yaml';

export interface ClusterApiCrdOptions {
  /** The module version; the one this package was built with by default. */
  version?: string;
  /** go.sum's `h1:` hash of that version's module; the pinned one by default. */
  moduleHash?: string;
  /** A Go module proxy URL; by default the first proxy in `GOPROXY`, else https://proxy.golang.org. */
  proxy?: string;
  /** The cache root (the envtest cache by default). */
  cacheDir?: string;
  onProgress?: (line: string) => void;
}

/** The first proxy `GOPROXY` names (entries split by `,` or `|`; `direct` and `off` are not proxies). */
export function goModuleProxy(goproxy = process.env.GOPROXY): string {
  const first = (goproxy ?? '')
    .split(/[,|]/)
    .map((entry) => entry.trim())
    .find((entry) => entry !== '' && entry !== 'direct' && entry !== 'off');
  return (first ?? 'https://proxy.golang.org').replace(/\/+$/, '');
}

/** Go's `h1:` directory hash (golang.org/x/mod/sumdb/dirhash Hash1) of a module zip's files. */
export function moduleZipHash(files: Readonly<Record<string, Uint8Array>>): string {
  const summary = Object.keys(files)
    .filter((name) => !name.endsWith('/'))
    .sort()
    .map(
      (name) =>
        `${createHash('sha256')
          .update(files[name] as Uint8Array)
          .digest('hex')}  ${name}\n`,
    )
    .join('');
  return `h1:${createHash('sha256').update(summary).digest('base64')}`;
}

/**
 * The folder of the pinned Cluster API's CRD manifests, fetched and verified once, then cached.
 * Fails, naming the URL or the two hashes, when the proxy cannot serve the module or serves
 * something else than go.sum records.
 */
export async function ensureClusterApiCrds(options: ClusterApiCrdOptions = {}): Promise<string> {
  const version = options.version ?? CLUSTER_API_VERSION;
  const expected = options.moduleHash ?? (options.version ? undefined : CLUSTER_API_MODULE_HASH);
  const dir = join(options.cacheDir ?? envtestCacheDir(), `cluster-api-${version}`, 'crds-2');
  if (existsSync(join(dir, '.complete'))) return dir;
  const url = `${options.proxy?.replace(/\/+$/, '') ?? goModuleProxy()}/${MODULE}/@v/${version}.zip`;
  options.onProgress?.(`fetching Cluster API ${version} CRDs from ${url}`);
  const response = await fetch(url).catch((error: unknown) => {
    throw new Error(`cannot fetch ${url}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!response.ok) throw new Error(`cannot fetch ${url}: the proxy answered ${response.status}`);
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  const actual = moduleZipHash(files);
  if (expected !== undefined && actual !== expected)
    throw new Error(`${url} is not the module go.sum records: its hash is ${actual}, expected ${expected}`);
  const prefix = `${MODULE}@${version}/`;
  const crds = Object.entries(files).filter(([name]) => {
    if (!name.startsWith(prefix) || !name.endsWith('.yaml')) return false;
    const path = name.slice(prefix.length);
    const folder = path.slice(0, path.lastIndexOf('/'));
    return path === CLUSTERCTL_CRD || CRD_FOLDERS.includes(folder);
  });
  if (crds.length === 0) throw new Error(`${url} holds no CRD manifests under ${CRD_FOLDERS.join(', ')}`);
  // Written beside the final folder and renamed into place: a reader never sees half of them.
  const staging = `${dir}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [name, content] of crds) {
    await writeFile(join(staging, name.slice(name.lastIndexOf('/') + 1)), content, { mode: 0o644 });
  }
  await writeFile(join(staging, '.complete'), '');
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return dir;
}
