import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ensureEnvtestAssets, envtestCacheDir } from '../src/assets.js';

// An installed package outside the repository: no ensure.sh above the folders searched.
let outside: string;
beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'iinfra-assets-'));
  vi.stubEnv('IINFRA_CACHE_DIR', join(outside, 'cache'));
  vi.stubEnv('IINFRA_ENVTEST_SCRIPT', undefined);
  vi.stubEnv('KUBEBUILDER_ASSETS', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(outside, { recursive: true, force: true });
});

function fakeBinaries(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of ['kube-apiserver', 'etcd']) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), 0o755);
  }
}

it('outside the repository, uses KUBEBUILDER_ASSETS before the cache', async () => {
  fakeBinaries(join(outside, 'assets'));
  vi.stubEnv('KUBEBUILDER_ASSETS', join(outside, 'assets'));
  expect(await ensureEnvtestAssets({ searchFrom: [outside] })).toMatchObject({
    binDir: join(outside, 'assets'),
  });
});

it('outside the repository, finds the binaries the last ensure.sh run built, while they are there', async () => {
  const binDir = join(outside, 'cache', 'envtest', 'bin-1.35.4');
  fakeBinaries(binDir);
  // What a run in the repository leaves behind: ensure.sh's description of its build.
  const script = join(outside, 'ensure.sh');
  const description = {
    binDir,
    kubernetesVersion: 'v1.35.4',
    etcdVersion: '3.6.0',
    crdDir: join(outside, 'crds'),
  };
  writeFileSync(script, `echo '${JSON.stringify(description)}'\n`);
  expect(await ensureEnvtestAssets({ ensureScript: script, onProgress: () => {} })).toEqual(description);
  expect(envtestCacheDir()).toBe(join(outside, 'cache', 'envtest'));

  expect(await ensureEnvtestAssets({ searchFrom: [outside] })).toEqual(description);

  rmSync(join(binDir, 'etcd'));
  await expect(ensureEnvtestAssets({ searchFrom: [outside] })).rejects.toThrow('set KUBEBUILDER_ASSETS');
});
