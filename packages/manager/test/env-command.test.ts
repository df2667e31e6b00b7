import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@immutable-infra/testkit';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviderPath } from './support/iinfra-process.ts';

const bin = fileURLToPath(new URL('../bin/iinfra.js', import.meta.url));
let stateRoot: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function iinfra(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, IINFRA_STATE_DIR: stateRoot }, maxBuffer: 10 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Alive and not a zombie waiting for init to reap it. */
function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

beforeAll(async () => {
  stateRoot = await mkdtemp(join(tmpdir(), 'iinfra-env-test-'));
});

afterAll(async () => {
  await iinfra('env', 'down');
  await rm(stateRoot, { recursive: true, force: true });
});

/**
 * Cluster API leaves a deleted cluster's Secrets and templates to the garbage collector, and a deleted
 * namespace is emptied by the namespace controller; both run in the environment as in a real cluster.
 */
async function expectControllersOfAManagementCluster(kubeconfigPath: string): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = 'env-controllers-check';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
  await core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: {
        name: 'dependent',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' },
        ],
      },
    },
  });
  await core.deleteNamespacedConfigMap({ namespace, name: 'owner' });
  const gone = (read: () => Promise<unknown>) => () =>
    read().then(
      () => false,
      (error: { code?: number }) => error.code === 404,
    );
  await eventually(
    'the garbage collector to delete the dependent',
    gone(() => core.readNamespacedConfigMap({ namespace, name: 'dependent' })),
    120_000,
  );
  await core.deleteNamespace({ name: namespace });
  await eventually(
    'the namespace controller to finish the namespace',
    gone(() => core.readNamespace({ name: namespace })),
    120_000,
  );
}

describe('iinfra env', () => {
  it('explains itself', async () => {
    const help = await iinfra('env', 'up', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kubeconfig');
    expect(help.stdout).toContain('--json');
  });

  it('rejects a bad --name before doing anything', async () => {
    const result = await iinfra('env', 'up', '--name', 'Not_A_Name');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--name "Not_A_Name"');
    expect(existsSync(join(stateRoot, 'env'))).toBe(false);
  });

  // 300 s is a bound for a loaded CI machine (three processes start, CRDs install twice), not a speed check.
  it('starts, reuses and stops the embedded management plane', async () => {
    const up = await iinfra('env', 'up');
    expect(up.code, up.stderr).toBe(0);
    const kubeconfig = up.stdout.trim().split('\n').at(-1) ?? '';
    expect(kubeconfig).toBe(join(stateRoot, 'env', 'default', 'kubeconfig'));
    expect(up.stderr).toContain('installing');

    const status = JSON.parse((await iinfra('env', 'status', '--json')).stdout);
    expect(status.healthy).toBe(true);
    const kubectl: string = status.environment.kubectl;
    const crd = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'crd', 'clusters.cluster.x-k8s.io']);
    expect(crd.code, crd.stderr).toBe(0);
    expect(crd.stdout).toContain('clusters.cluster.x-k8s.io');
    await expectControllersOfAManagementCluster(kubeconfig);

    // Reusing the environment, and adding a provider's CRDs to it.
    const again = JSON.parse((await iinfra('env', 'up', '--json', '--provider', testProviderPath)).stdout);
    expect(again.reused).toBe(true);
    const providerCrd = await run(kubectl, [
      '--kubeconfig',
      kubeconfig,
      'get',
      'crd',
      'testmachines.infrastructure.cluster.x-k8s.io',
    ]);
    expect(providerCrd.code, providerCrd.stderr).toBe(0);
    expect(again.kubeconfigPath).toBe(kubeconfig);
    expect(again.pids).toEqual(status.environment.pids);

    const down = await iinfra('env', 'down');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('stopped environment "default"');
    // Every process of the environment is gone; waited for with a bound (a loaded machine can take
    // a moment past `down`'s own wait to take a process off the table), never a fixed sleep.
    const pids = Object.values(status.environment.pids as Record<string, number>);
    await eventually('every process of the environment gone', async () =>
      pids.some(pidAlive) ? undefined : true,
    );
    expect(existsSync(join(stateRoot, 'env', 'default'))).toBe(false);

    const downAgain = await iinfra('env', 'down');
    expect(downAgain.stdout).toContain('no environment "default" was running');
  }, 300_000);
});
