import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLUSTER_API_VERSION,
  ensureClusterApiCrds,
  ensureEnvtestAssets,
  goModuleProxy,
  moduleZipHash,
} from '../src/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'iinfra-capi-crds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A tiny module zip as a Go proxy serves one: every path under `<module>@<version>/`. */
function moduleZip(version: string): Uint8Array {
  const root = `sigs.k8s.io/cluster-api@${version}/`;
  return zipSync({
    [`${root}go.mod`]: strToU8('module sigs.k8s.io/cluster-api\n'),
    [`${root}config/crd/bases/cluster.x-k8s.io_clusters.yaml`]: strToU8('kind: CustomResourceDefinition\n'),
    [`${root}config/crd/kustomization.yaml`]: strToU8('resources: []\n'),
    [`${root}bootstrap/kubeadm/config/crd/bases/kubeadmconfigs.yaml`]: strToU8(
      'kind: CustomResourceDefinition\n',
    ),
    [`${root}cmd/clusterctl/config/manifest/clusterctl-api.yaml`]: strToU8(
      'kind: CustomResourceDefinition\n',
    ),
    [`${root}docs/example.yaml`]: strToU8('kind: Cluster\n'),
  });
}

describe('the Go module proxy', () => {
  it('is the first proxy GOPROXY names, else the public one', () => {
    expect(goModuleProxy('https://goproxy.example/, direct')).toBe('https://goproxy.example');
    expect(goModuleProxy('direct|https://mirror.example')).toBe('https://mirror.example');
    expect(goModuleProxy('off')).toBe('https://proxy.golang.org');
    expect(goModuleProxy(undefined)).toBe('https://proxy.golang.org');
  });
});

describe('Cluster API CRDs from a proxy', () => {
  let server: Server;
  let proxy: string;
  const served: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      served.push(request.url ?? '');
      const version = request.url?.match(/@v\/(v[^/]+)\.zip$/)?.[1];
      if (!version) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/zip' }).end(moduleZip(version));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a module whose hash is not the one go.sum records, and writes nothing', async () => {
    const cacheDir = join(scratch, 'tampered');
    await expect(
      ensureClusterApiCrds({ version: 'v9.9.9', moduleHash: 'h1:AAAA', proxy, cacheDir }),
    ).rejects.toThrow(
      /cluster-api\/@v\/v9\.9\.9\.zip is not the module go\.sum records: its hash is h1:\S+, expected h1:AAAA/,
    );
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('extracts exactly the CRD folders and clusterctl inventory CRD of a verified module, once', async () => {
    const cacheDir = join(scratch, 'verified');
    const files = (await import('fflate')).unzipSync(moduleZip('v9.9.8'));
    const moduleHash = moduleZipHash(files);
    const options = { version: 'v9.9.8', moduleHash, proxy, cacheDir };
    const dir = await ensureClusterApiCrds(options);
    expect(readdirSync(dir).sort()).toEqual([
      '.complete',
      'cluster.x-k8s.io_clusters.yaml',
      'clusterctl-api.yaml',
      'kubeadmconfigs.yaml',
    ]);
    const fetches = served.length;
    expect(await ensureClusterApiCrds(options)).toBe(dir);
    expect(served.length, 'a second call reads the cache').toBe(fetches);
  });
});

describe('the pinned Cluster API module', () => {
  it('fetched from the Go module proxy, verifies against go.sum and yields the CRDs ensure.sh takes', async () => {
    const dir = await ensureClusterApiCrds({ cacheDir: join(scratch, 'pinned') });
    const assets = await ensureEnvtestAssets({ onProgress: () => {} });
    expect(assets.clusterApiVersion).toBe(CLUSTER_API_VERSION);
    const theirs = readdirSync(assets.crdDir ?? '').sort();
    expect(readdirSync(dir).sort()).toEqual(theirs);
    for (const name of theirs.filter((n) => n.endsWith('.yaml')))
      expect(readFileSync(join(dir, name), 'utf8'), name).toBe(
        readFileSync(join(assets.crdDir ?? '', name), 'utf8'),
      );
  }, 300_000);
});
