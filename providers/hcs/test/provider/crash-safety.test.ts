import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import { eventually, exited, killAtRandomPoints, mostRepeated } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';
import { loadBalancerName, persistentVolumeName } from '../../src/controllers/names.js';
import { HcsFixtures, TEST_DOMAIN } from './hcs-fixtures.ts';

const child = fileURLToPath(new URL('./manager-child.ts', import.meta.url));
const CONTROL_PLANES = 5;
const WORKERS = 3;
const KILLS_PER_PHASE = 15;
const KILLS_ON_CLUSTER_DELETE = 5;

let sim: HcsSimulator | undefined;
let running: ChildProcess | undefined;
afterAll(async () => {
  running?.kill('SIGKILL');
  await sim?.close();
});

function startManager(namespace: string): ChildProcess {
  return spawn(process.execPath, [child, inject('iinfraKubeconfigPath'), namespace, TEST_DOMAIN], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * Kills the manager at random points: from its controllers running (counted from that log line, so
 * a slow start on a loaded machine does not use up the window) to several reconciles in (ELB parts, pool claims, volume and server creates, attaches, detaches, deletes).
 */
function killManagerAtRandomPoints(namespace: string, kills: number, random: SeededRandom): Promise<void> {
  const start = () => {
    running = startManager(namespace);
    return running;
  };
  return killAtRandomPoints({
    start,
    kills,
    random,
    readyLine: /controllers running/,
    earliestMs: 0,
    spreadMs: 4_000,
  });
}

// HCS as unkind as a busy real region: a new server, volume or ELB part is listed (and shown by id)
// only 1.5 s after HCS accepted it, some answers to creates and changes are lost after HCS acted,
// and requests over the account's rate get 429 with Retry-After.
const UNKIND_HCS = {
  jobSeconds: 0.3,
  createLagSeconds: 1.5,
  lostReplyRate: 0.05,
  rateLimit: { requestsPerSecond: 40, burst: 40 },
};

function countsOf(names: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

it('leaves no duplicate or orphaned server, volume, load balancer or member when the manager is killed 35 times on an unkind platform', {
  timeout: 900_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startHcsSimulator({ faults: UNKIND_HCS });
  const platform = sim;
  const fixtures = new HcsFixtures(objects, platform);
  const namespace = await createTestNamespace(kubeConfig, 'hcs-crash');
  const cps = Array.from({ length: CONTROL_PLANES }, (_, i) => `crash-cp-${i + 1}`);
  const workers = Array.from({ length: WORKERS }, (_, i) => `crash-w-${i + 1}`);
  const names = [...cps, ...workers];
  const lbName = loadBalancerName(namespace, 'demo');
  const ours = () => platform.state().servers.filter((s) => s.name.startsWith(`${namespace}-`));

  // Watch the platform the whole time: two of anything with one name at any moment is a duplicate.
  let worst = { servers: 0, volumes: 0, loadBalancers: 0, members: 0 };
  // What was seen twice, for the failure message: the names, and what HCS held of them then.
  const seenTwice = new Map<string, unknown>();
  const watching = setInterval(() => {
    const state = platform.state();
    for (const [name, count] of countsOf(state.volumes.map((v) => v.name)))
      if (count > 1 && !seenTwice.has(name))
        seenTwice.set(
          name,
          state.volumes.filter((v) => v.name === name),
        );
    worst = {
      servers: Math.max(worst.servers, mostRepeated(ours().map((s) => s.name))),
      volumes: Math.max(worst.volumes, mostRepeated(state.volumes.map((v) => v.name))),
      loadBalancers: Math.max(
        worst.loadBalancers,
        mostRepeated(state.loadBalancers.filter((l) => l.name === lbName).map((l) => l.name)),
      ),
      members: Math.max(worst.members, mostRepeated(state.members.map((m) => `${m.pool_id}/${m.address}`))),
    };
  }, 20);

  const allReady = async () => {
    const states = await Promise.all(
      names.map(
        async (n) =>
          (await fixtures.read<{ status?: { ready?: boolean } }>('HCSMachine', namespace, n))?.status?.ready,
      ),
    );
    return states.every(Boolean) || undefined;
  };
  const poolOf = (name: string) =>
    fixtures.read<{ status?: { usedConfigs?: unknown[] } }>('HCSMachineConfigPool', namespace, name);

  try {
    await fixtures.createCluster(namespace, {
      hostPrefix: namespace,
      ipBase: 100,
      poolSize: CONTROL_PLANES,
      persistentDiskGB: 10,
    });
    await fixtures.createPool(namespace, 'worker-pool', namespace, 'workers', '192.168.20.100', {
      size: WORKERS,
    });
    for (const name of cps) await fixtures.createMachine(namespace, name);
    for (const name of workers) await fixtures.createMachine(namespace, name, 'worker');
    const random = new SeededRandom(20261201);

    await killManagerAtRandomPoints(namespace, KILLS_PER_PHASE, random);
    // The killed managers got somewhere (otherwise the kills proved nothing): servers were asked for.
    const createdUnderKills = platform.state().jobs.filter((j) => j.job_type === 'createServer').length;
    expect(createdUnderKills).toBeGreaterThan(0);
    running = startManager(namespace);
    await eventually('every machine provisioned after the crashes', allReady, 300_000);
    const cpIps = Array.from({ length: CONTROL_PLANES }, (_, i) => `192.168.10.${101 + i}`);
    const members = () => {
      const state = platform.state();
      const lb = state.loadBalancers.find((l) => l.name === lbName);
      const pool = state.pools.find((p) => p.loadbalancers.some((l) => l.id === lb?.id));
      return state.members
        .filter((m) => m.pool_id === pool?.id)
        .map((m) => m.address)
        .sort();
    };
    await eventually('the ELB pool holds exactly the control plane', () =>
      JSON.stringify(members()) === JSON.stringify(cpIps) ? true : undefined,
    );
    running.kill('SIGKILL');
    await exited(running);
    expect(ours()).toHaveLength(names.length);

    for (const name of names) await fixtures.delete('HCSMachine', namespace, name);
    await killManagerAtRandomPoints(namespace, KILLS_PER_PHASE, random);
    running = startManager(namespace);
    await eventually(
      'every machine deleted after the crashes',
      async () => {
        const left = await Promise.all(names.map((n) => fixtures.read('HCSMachine', namespace, n)));
        return left.every((m) => m === undefined) || undefined;
      },
      300_000,
    );
    running.kill('SIGKILL');
    await exited(running);
    expect(members()).toEqual([]);

    await fixtures.delete('HCSCluster', namespace, 'demo');
    await killManagerAtRandomPoints(namespace, KILLS_ON_CLUSTER_DELETE, random);
    running = startManager(namespace);
    await eventually(
      'HCSCluster deleted after the crashes',
      async () => (await fixtures.read('HCSCluster', namespace, 'demo')) === undefined || undefined,
      120_000,
    );
  } finally {
    clearInterval(watching);
    running?.kill('SIGKILL');
  }

  expect(worst, JSON.stringify([...seenTwice], null, 1)).toEqual({
    servers: 1,
    volumes: 1,
    loadBalancers: 1,
    members: 1,
  });
  const state = platform.state();
  // Look up before create, and no second create while HCS may not list the first: however often it
  // was interrupted or its answer lost, each server, persistent disk and ELB part was created once.
  expect(state.creates).toMatchObject({
    servers: names.length,
    volumes: CONTROL_PLANES,
    loadBalancers: 1,
    listeners: 1,
    pools: 1,
  });
  expect(ours()).toEqual([]);
  expect(state.loadBalancers.filter((l) => l.name === lbName)).toEqual([]);
  expect(state.listeners).toEqual([]);
  expect(state.pools).toEqual([]);
  expect(state.members).toEqual([]);
  expect(state.healthMonitors).toEqual([]);
  // Only the pool's persistent disks outlive the servers: one per entry, detached, nothing else.
  const persistent = Array.from({ length: CONTROL_PLANES }, (_, i) =>
    persistentVolumeName('cp-pool', `${namespace}-master-${i + 1}`, 0),
  ).sort();
  expect(state.volumes.map((v) => v.name).sort()).toEqual(persistent);
  expect(state.volumes.every((v) => v.status === 'available' && v.attachments.length === 0)).toBe(true);
  expect((await poolOf('cp-pool'))?.status?.usedConfigs ?? []).toEqual([]);
  expect((await poolOf('worker-pool'))?.status?.usedConfigs ?? []).toEqual([]);
});
