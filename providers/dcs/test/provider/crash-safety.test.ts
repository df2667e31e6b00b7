import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import { eventually, killAtRandomPoints, mostRepeated } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';
import { DcsFixtures, INFRA } from './dcs-fixtures.ts';

const require = createRequire(import.meta.url);
const iinfra = join(dirname(require.resolve('@immutable-infra/manager/package.json')), 'bin', 'iinfra.js');
const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const MACHINES = 10;
const KILLS_PER_PHASE = 15;

let sim: DcsSimulator | undefined;
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await sim?.close();
});

function startManager(namespace: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      iinfra,
      'manager',
      '--provider',
      provider,
      '--kubeconfig',
      inject('iinfraKubeconfigPath'),
      '--namespace',
      namespace,
      '--probe-address',
      '127.0.0.1:0',
      // Info level for the one start-up line the kill points are counted from.
      '--log-level',
      'info',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Kills the manager at random points: from its controllers running to several reconciles in (clone, upload, attach, power, delete). */
function killManagerAtRandomPoints(namespace: string, kills: number, random: SeededRandom): Promise<void> {
  const start = () => {
    child = startManager(namespace);
    return child;
  };
  return killAtRandomPoints({
    start,
    kills,
    random,
    readyLine: /controllers running/,
    earliestMs: 0,
    spreadMs: 1_600,
  });
}

// The platform is as unkind as a busy real one: a new VM or volume is listed only 1.5 s after DCS
// accepted it (its task may say success sooner), some answers to creates and changes are lost after
// DCS acted, and requests over the account's rate get 429 with Retry-After.
const UNKIND_DCS = {
  taskSeconds: 0.3,
  createLagSeconds: 1.5,
  lostReplyRate: 0.05,
  rateLimit: { requestsPerSecond: 40, burst: 40 },
};

it('leaves no duplicate or orphaned VM, no duplicate volume, no leaked pool entry, volume or ISO when the manager is killed 30 times on an unkind platform', {
  timeout: 900_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startDcsSimulator({ faults: UNKIND_DCS });
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-crash');
  const names = Array.from({ length: MACHINES }, (_, i) => `crash-${i + 1}`);
  const ours = () => (sim as DcsSimulator).state().vms.filter((vm) => vm.name.startsWith(`${namespace}-vm-`));

  // The pool entries' persistent volumes, named after the pool; they outlive the machines.
  const persistentVolumes = () =>
    (sim as DcsSimulator).state().volumes.filter((volume) => volume.name.startsWith('cp-pool-'));

  // Watch the platform the whole time: two VMs or volumes with one name at any moment is a duplicate.
  let worstDuplicate = 0;
  let worstDuplicateVolume = 0;
  const watching = setInterval(() => {
    worstDuplicate = Math.max(worstDuplicate, mostRepeated(ours().map((vm) => vm.name)));
    worstDuplicateVolume = Math.max(
      worstDuplicateVolume,
      mostRepeated(persistentVolumes().map((volume) => volume.name)),
    );
  }, 20);

  try {
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, MACHINES, 10);
    for (const name of names) await fixtures.createMachine(namespace, name);
    const random = new SeededRandom(20261124);

    await killManagerAtRandomPoints(namespace, KILLS_PER_PHASE, random);
    child = startManager(namespace);
    await eventually(
      'every machine provisioned after the crashes',
      async () => {
        const ready = await Promise.all(
          names.map(
            async (n) =>
              (await fixtures.read<{ status?: { ready?: boolean } }>('DCSMachine', namespace, n))?.status
                ?.ready,
          ),
        );
        return ready.every(Boolean) || undefined;
      },
      300_000,
    );
    child.kill('SIGKILL');
    expect(ours()).toHaveLength(MACHINES);

    for (const name of names) {
      await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name, namespace } });
    }
    await killManagerAtRandomPoints(namespace, KILLS_PER_PHASE, random);
    child = startManager(namespace);
    await eventually(
      'every machine deleted after the crashes',
      async () => {
        const left = await Promise.all(names.map((n) => fixtures.read('DCSMachine', namespace, n)));
        return left.every((m) => m === undefined) || undefined;
      },
      300_000,
    );
  } finally {
    clearInterval(watching);
    child?.kill('SIGKILL');
  }

  expect(worstDuplicate).toBeLessThanOrEqual(1);
  expect(worstDuplicateVolume).toBeLessThanOrEqual(1);
  // Look up before create, and no second create while DCS may not list the first: however often it
  // was interrupted or its answer lost, each machine was cloned and each entry's volume made once.
  expect(sim.state().creates).toEqual({ vms: MACHINES, volumes: MACHINES });
  expect(persistentVolumes()).toHaveLength(MACHINES);
  expect(ours()).toEqual([]);
  const state = sim.state();
  expect(state.uploads.filter((u) => u.fileName.startsWith('crash-'))).toEqual([]);
  expect(
    state.volumes.filter((v) => v.status === 'USE' && !state.vms.some((vm) => vm.urn === v.vmUrn)),
  ).toEqual([]);
  const pool = await fixtures.read<{ status?: { slots?: unknown[] } }>(
    'DCSIpHostnamePool',
    namespace,
    'cp-pool',
  );
  expect(pool?.status?.slots ?? []).toEqual([]);
});
