import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ControlPlaneState, isRunning } from '@immutable-infra/management-plane';
import { expect, inject, it } from 'vitest';
import { eventually } from '../src/eventually.js';

const child = fileURLToPath(new URL('./fixtures/start-and-hang.mjs', import.meta.url));

it('stops etcd, kube-apiserver and kube-controller-manager and removes their directory when the owning process is killed', async () => {
  const proc = spawn(process.execPath, [child], {
    env: { ...process.env, IINFRA_TEST_ASSETS: JSON.stringify(inject('iinfraEnvtestAssets')) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const state = await new Promise<ControlPlaneState>((resolve, reject) => {
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as ControlPlaneState);
    });
    proc.on('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
  });
  expect(state.processes.map((p) => p.name)).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
  for (const p of state.processes) expect(await isRunning(p)).toBe(true);

  proc.kill('SIGKILL');

  const allGone = async () => {
    for (const p of state.processes) if (await isRunning(p)) return false;
    return !existsSync(state.stateDir);
  };
  expect(await eventually('processes and directory gone', allGone, 60_000)).toBe(true);
  // Generous bounds: the whole suite shares two cores, and starting a control plane in the child takes a while.
}, 120_000);
