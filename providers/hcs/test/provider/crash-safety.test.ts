import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import { ChaosReport, CrashCampaign, chaosSettings, mostRepeated } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';
import { loadBalancerName, persistentVolumeName } from '../../src/controllers/names.js';
import { HcsFixtures, TEST_DOMAIN } from './hcs-fixtures.ts';

const child = fileURLToPath(new URL('./manager-child.ts', import.meta.url));
// The campaign's shape: 3 control planes and 2 workers, 2 more workers (scale), a control plane
// and 2 workers replaced at once (upgrade), every machine deleted, then the cluster.
const CONTROL_PLANES = 3;
const FIRST_WORKERS = 2;
const SCALED_WORKERS = 2;
const WORKER_POOL_SIZE = 5;
// The test's short version; `npm run chaos` sets CHAOS_ROUNDS (and may set CHAOS_KILLS_PER_PHASE) for the long one.
const CHAOS = chaosSettings({ killsPerPhase: 8, seed: 20261201 });
const KILLS_ON_CLUSTER_DELETE = Math.ceil(CHAOS.killsPerPhase / 3);
// Every machine of a round gets one server: the first, the scaled and the replacements.
const SERVERS_PER_ROUND = CONTROL_PLANES + FIRST_WORKERS + SCALED_WORKERS + 1 + FIRST_WORKERS;

let sim: HcsSimulator | undefined;
let campaign: CrashCampaign | undefined;
afterAll(async () => {
  campaign?.stop();
  await sim?.close();
});

function startManager(namespace: string): ChildProcess {
  return spawn(process.execPath, [child, inject('iinfraKubeconfigPath'), namespace, TEST_DOMAIN], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function countsOf(names: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

// HCS as unkind as a busy real region: a new server, volume or ELB part is listed (and shown by id)
// only 1.5 s after HCS accepted it, some answers to creates and changes are lost after HCS acted,
// and requests over the account's rate get 429 with Retry-After.
const UNKIND_HCS = {
  jobSeconds: 0.3,
  createLagSeconds: 1.5,
  lostReplyRate: 0.05,
  rateLimit: { requestsPerSecond: 40, burst: 40 },
  seed: CHAOS.seed,
};

it(`leaves no duplicate or orphaned server, volume, load balancer or member when the manager is killed ${4 * CHAOS.killsPerPhase * CHAOS.rounds + KILLS_ON_CLUSTER_DELETE} times on an unkind platform (create, scale, upgrade, delete)`, {
  timeout: 900_000 + 5 * CHAOS.killsPerPhase * CHAOS.rounds * 10_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startHcsSimulator({ faults: UNKIND_HCS });
  const platform = sim;
  const fixtures = new HcsFixtures(objects, platform);
  const namespace = await createTestNamespace(kubeConfig, 'hcs-crash');
  const lbName = loadBalancerName(namespace, 'demo');
  const ours = () => platform.state().servers.filter((s) => s.name.startsWith(`${namespace}-`));
  const report = new ChaosReport('hcs', CHAOS);
  const random = new SeededRandom(CHAOS.seed);

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

  const ready = async (names: string[]) => {
    const states = await Promise.all(
      names.map(
        async (n) =>
          (await fixtures.read<{ status?: { ready?: boolean } }>('HCSMachine', namespace, n))?.status?.ready,
      ),
    );
    return states.every(Boolean) || undefined;
  };
  const gone = async (names: string[]) => {
    const left = await Promise.all(names.map((n) => fixtures.read('HCSMachine', namespace, n)));
    return left.every((m) => m === undefined) || undefined;
  };
  const poolOf = (name: string) =>
    fixtures.read<{ status?: { usedConfigs?: unknown[] } }>('HCSMachineConfigPool', namespace, name);
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
  const membersAre = (addresses: string[]) => JSON.stringify(members()) === JSON.stringify(addresses);
  // Kills from the manager's controllers running (counted from that log line, so a slow start on a
  // loaded machine does not use up the window) to several reconciles in (ELB parts, pool claims,
  // volume and server creates, attaches, detaches, deletes).
  const crash = new CrashCampaign({
    start: () => startManager(namespace),
    random,
    spreadMs: 4_000,
    report,
  });
  campaign = crash;
  const phase = (
    name: string,
    kills: number,
    start: () => Promise<void>,
    converged: () => Promise<true | undefined>,
  ) => crash.phase(name, kills, start, converged);

  const create = async (name: string) =>
    fixtures.createMachine(namespace, name, name.startsWith('crash-cp-') ? 'control-plane' : 'worker');
  try {
    await fixtures.createCluster(namespace, {
      hostPrefix: namespace,
      ipBase: 100,
      poolSize: CONTROL_PLANES,
      persistentDiskGB: 10,
    });
    await fixtures.createPool(namespace, 'worker-pool', namespace, 'workers', '192.168.20.100', {
      size: WORKER_POOL_SIZE,
    });
    // Each round runs the machine phases again on new machines of the same pools, the same ELB and
    // persistent disks; the cluster goes at the end.
    for (let round = 1; round <= CHAOS.rounds; round++) {
      const named = (what: string) => `crash-${what}-r${round}`;
      const cps = Array.from({ length: CONTROL_PLANES }, (_, i) => named(`cp-${i + 1}`));
      const workers = Array.from({ length: FIRST_WORKERS }, (_, i) => named(`w-${i + 1}`));
      const addedWorkers = Array.from({ length: SCALED_WORKERS }, (_, i) =>
        named(`w-${FIRST_WORKERS + i + 1}`),
      );
      const replaced = [cps[0] as string, ...workers];
      const replacements = [named('cp-new-1'), ...workers.map((_, i) => named(`w-new-${i + 1}`))];
      const all = [...cps, ...workers, ...addedWorkers];
      const afterUpgrade = [...all.filter((n) => !replaced.includes(n)), ...replacements];
      const inRound = (phase: string) => (CHAOS.rounds > 1 ? `${phase} (round ${round})` : phase);
      await phase(
        inRound('create'),
        CHAOS.killsPerPhase,
        async () => {
          for (const name of [...cps, ...workers]) await create(name);
        },
        async () => ((await ready([...cps, ...workers])) && membersAre(cpIps)) || undefined,
      );
      // The killed managers got somewhere (otherwise the kills proved nothing): servers were asked for.
      expect(platform.state().creates.servers).toBeGreaterThan(0);
      await phase(
        inRound('scale'),
        CHAOS.killsPerPhase,
        async () => {
          for (const name of addedWorkers) await create(name);
        },
        () => ready(all),
      );
      expect(ours()).toHaveLength(all.length);
      // A rolling replacement all at once: the new control plane takes the entry (and persistent
      // disk) the old one frees, and the ELB pool follows.
      await phase(
        inRound('upgrade'),
        CHAOS.killsPerPhase,
        async () => {
          for (const name of replaced) await fixtures.delete('HCSMachine', namespace, name);
          for (const name of replacements) await create(name);
        },
        async () => ((await gone(replaced)) && (await ready(afterUpgrade)) && membersAre(cpIps)) || undefined,
      );
      expect(ours()).toHaveLength(afterUpgrade.length);
      await phase(
        inRound('delete'),
        CHAOS.killsPerPhase,
        async () => {
          for (const name of afterUpgrade) await fixtures.delete('HCSMachine', namespace, name);
        },
        async () => ((await gone(afterUpgrade)) && membersAre([])) || undefined,
      );
    }
    await phase(
      'cluster delete',
      KILLS_ON_CLUSTER_DELETE,
      () => fixtures.delete('HCSCluster', namespace, 'demo'),
      async () => (await fixtures.read('HCSCluster', namespace, 'demo')) === undefined || undefined,
    );
  } finally {
    clearInterval(watching);
    campaign?.stop();
  }

  const state = platform.state();
  // Only the pool's persistent disks outlive the servers: one per control plane entry, detached.
  const persistent = Array.from({ length: CONTROL_PLANES }, (_, i) =>
    persistentVolumeName('cp-pool', `${namespace}-master-${i + 1}`, 0),
  ).sort();
  const leftVolumes = state.volumes.filter((v) => !persistent.includes(v.name));
  const usedSlots =
    ((await poolOf('cp-pool'))?.status?.usedConfigs?.length ?? 0) +
    ((await poolOf('worker-pool'))?.status?.usedConfigs?.length ?? 0);
  report.damage = {
    'duplicate servers': Math.max(0, worst.servers - 1),
    'duplicate volumes': Math.max(0, worst.volumes - 1),
    'duplicate load balancers': Math.max(0, worst.loadBalancers - 1),
    'duplicate members': Math.max(0, worst.members - 1),
    // Look up before create, and no second create while HCS may not list the first.
    'servers created more than once': state.creates.servers - SERVERS_PER_ROUND * CHAOS.rounds,
    'volumes created more than once': state.creates.volumes - CONTROL_PLANES,
    'ELB parts created more than once':
      state.creates.loadBalancers + state.creates.listeners + state.creates.pools - 3,
    'orphaned servers': ours().length,
    'orphaned ELB parts':
      state.loadBalancers.filter((l) => l.name === lbName).length +
      state.listeners.length +
      state.pools.length +
      state.healthMonitors.length,
    'leaked members': state.members.length,
    'leaked volumes': leftVolumes.length,
    'persistent disks left attached': state.volumes.filter(
      (v) => v.status !== 'available' || v.attachments.length > 0,
    ).length,
    'leaked pool entries': usedSlots,
  };
  report.write();
  expect(report.damage, JSON.stringify([...seenTwice], null, 1)).toEqual(
    Object.fromEntries(Object.keys(report.damage).map((what) => [what, 0])),
  );
  expect(worst.servers).toBe(1);
  expect(state.volumes.map((v) => v.name).sort()).toEqual(persistent);
});
