import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import {
  ChaosReport,
  CrashCampaign,
  chaosSettings,
  mostRepeated,
  spawnManagerProcess,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';
import { DcsFixtures, INFRA } from './dcs-fixtures.ts';

const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
// The campaign's shape: 6 machines, 3 more (scale), 3 replaced at once (upgrade), all deleted.
const FIRST = 6;
const SCALED = 3;
const REPLACED = 3;
const POOL_SIZE = 10;
// The test's short version; `npm run chaos` sets CHAOS_ROUNDS (and may set CHAOS_KILLS_PER_PHASE) for the long one.
const CHAOS = chaosSettings({ killsPerPhase: 8, seed: 20261124 });

let sim: DcsSimulator | undefined;
let campaign: CrashCampaign | undefined;
afterAll(async () => {
  campaign?.stop();
  await sim?.close();
});

function startManager(namespace: string): ChildProcess {
  return spawnManagerProcess({ provider, kubeconfigPath: inject('iinfraKubeconfigPath'), namespace });
}

// The platform is as unkind as a busy real one: a new VM or volume is listed only 1.5 s after DCS
// accepted it (its task may say success sooner), some answers to creates and changes are lost after
// DCS acted, and requests over the account's rate get 429 with Retry-After.
const UNKIND_DCS = {
  taskSeconds: 0.3,
  createLagSeconds: 1.5,
  lostReplyRate: 0.05,
  rateLimit: { requestsPerSecond: 40, burst: 40 },
  seed: CHAOS.seed,
};

it(`leaves no duplicate or orphaned VM, no duplicate volume, no leaked pool entry, volume or ISO when the manager is killed ${4 * CHAOS.killsPerPhase * CHAOS.rounds} times on an unkind platform (create, scale, upgrade, delete)`, {
  timeout: 900_000 + 4 * CHAOS.killsPerPhase * CHAOS.rounds * 10_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startDcsSimulator({ faults: UNKIND_DCS });
  const platform = sim;
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-crash');
  const ours = () => platform.state().vms.filter((vm) => vm.name.startsWith(`${namespace}-vm-`));
  // The pool entries' persistent volumes, named after the pool; they outlive the machines.
  const persistentVolumes = () =>
    platform.state().volumes.filter((volume) => volume.name.startsWith('cp-pool-'));
  const report = new ChaosReport('dcs', CHAOS);
  const random = new SeededRandom(CHAOS.seed);

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

  const ready = async (names: string[]) => {
    const states = await Promise.all(
      names.map(
        async (n) =>
          (await fixtures.read<{ status?: { ready?: boolean } }>('DCSMachine', namespace, n))?.status?.ready,
      ),
    );
    return states.every(Boolean) || undefined;
  };
  const gone = async (names: string[]) => {
    const left = await Promise.all(names.map((n) => fixtures.read('DCSMachine', namespace, n)));
    return left.every((m) => m === undefined) || undefined;
  };
  const deleteMachines = async (names: string[]) => {
    for (const name of names)
      await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name, namespace } });
  };
  // Kills from the manager's controllers running to several reconciles in (clone, upload, attach, power, delete).
  const kills = new CrashCampaign({
    start: () => startManager(namespace),
    random,
    spreadMs: 1_600,
    report,
  });
  campaign = kills;
  const phase = (name: string, start: () => Promise<void>, converged: () => Promise<true | undefined>) =>
    kills.phase(name, CHAOS.killsPerPhase, start, converged);

  try {
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, POOL_SIZE, 10);
    // Each round runs every phase again on new machines of the same pool (and persistent disks).
    for (let round = 1; round <= CHAOS.rounds; round++) {
      const named = (what: string) => `crash-${what}-r${round}`;
      const machines = Array.from({ length: FIRST }, (_, i) => named(String(i + 1)));
      const added = Array.from({ length: SCALED }, (_, i) => named(String(FIRST + i + 1)));
      const replacements = Array.from({ length: REPLACED }, (_, i) => named(`new-${i + 1}`));
      const replaced = machines.slice(0, REPLACED);
      const all = [...machines, ...added];
      const afterUpgrade = [...all.filter((n) => !replaced.includes(n)), ...replacements];
      const inRound = (phase: string) => (CHAOS.rounds > 1 ? `${phase} (round ${round})` : phase);
      await phase(
        inRound('create'),
        async () => {
          for (const name of machines) await fixtures.createMachine(namespace, name);
        },
        () => ready(machines),
      );
      expect(ours()).toHaveLength(FIRST);
      await phase(
        inRound('scale'),
        async () => {
          for (const name of added) await fixtures.createMachine(namespace, name);
        },
        () => ready(all),
      );
      expect(ours()).toHaveLength(FIRST + SCALED);
      // A rolling replacement all at once: the new machines wait for the entries the old ones free.
      await phase(
        inRound('upgrade'),
        async () => {
          await deleteMachines(replaced);
          for (const name of replacements) await fixtures.createMachine(namespace, name);
        },
        async () => ((await gone(replaced)) && (await ready(afterUpgrade))) || undefined,
      );
      expect(ours()).toHaveLength(FIRST + SCALED);
      await phase(
        inRound('delete'),
        () => deleteMachines(afterUpgrade),
        () => gone(afterUpgrade),
      );
    }
  } finally {
    clearInterval(watching);
    campaign?.stop();
  }

  const state = platform.state();
  const pool = await fixtures.read<{ status?: { slots?: unknown[] } }>(
    'DCSIpHostnamePool',
    namespace,
    'cp-pool',
  );
  const volumesInUse = state.volumes.filter(
    (v) => v.status === 'USE' && !state.vms.some((vm) => vm.urn === v.vmUrn),
  );
  report.damage = {
    'duplicate VMs': Math.max(0, worstDuplicate - 1),
    'duplicate volumes': Math.max(0, worstDuplicateVolume - 1),
    // Look up before create, and no second create while DCS may not list the first.
    'VMs cloned more than once': state.creates.vms - CHAOS.rounds * (FIRST + SCALED + REPLACED),
    'volumes created more than once': state.creates.volumes - persistentVolumes().length,
    'orphaned VMs': ours().length,
    'leaked pool entries': pool?.status?.slots?.length ?? 0,
    'volumes left attached to no VM': volumesInUse.length,
    'leaked ISOs': state.uploads.filter((u) => u.fileName.startsWith('crash-')).length,
  };
  report.write();
  expect(report.damage).toEqual(Object.fromEntries(Object.keys(report.damage).map((what) => [what, 0])));
  expect(worstDuplicate).toBe(1);
  expect(persistentVolumes().length).toBeGreaterThanOrEqual(FIRST + SCALED);
});
