import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import {
  ChaosReport,
  CrashCampaign,
  chaosSettings,
  mostRepeated,
  spawnManagerProcess,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';
import { INFRA, VsphereFixtures } from './vsphere-fixtures.js';

const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
// The test's short version; `npm run chaos` sets CHAOS_ROUNDS (and may set CHAOS_KILLS_PER_PHASE) for the long one.
const CHAOS = chaosSettings({ killsPerPhase: 8, seed: 20261203 });
/** The documented pools' slots: three control plane VMs and two workers, named by their slots. */
const VM_NAMES = /^(cp-0[1-3]|worker-0[12])$/;

let vcsim: Vcsim | undefined;
let campaign: CrashCampaign | undefined;
afterAll(async () => {
  campaign?.stop();
  await vcsim?.stop();
});

function startManager(namespace: string): ChildProcess {
  return spawnManagerProcess({ provider, kubeconfigPath: inject('iinfraKubeconfigPath'), namespace });
}

it(`leaves no duplicate or orphaned VM and no leaked slot when the manager is killed ${4 * CHAOS.killsPerPhase * CHAOS.rounds} times (create, scale, replace, delete)`, {
  timeout: 900_000 + 4 * CHAOS.killsPerPhase * CHAOS.rounds * 10_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  // Clones and power changes take a while, as on a real vCenter, so kills land while tasks run.
  vcsim = await startVcsim({
    documentedNames: true,
    username: 'svc-capv@example.local',
    password: 'not-a-real-password',
    taskDelays: { CloneVm: 800, PowerOn: 200, PowerOff: 200, ReconfigVm: 100, Destroy: 200 },
  });
  const sim = vcsim;
  const namespace = await createTestNamespace(kubeConfig, 'vs-crash');
  const fixtures = new VsphereFixtures(objects, sim, namespace);
  const report = new ChaosReport('vsphere', CHAOS);
  const random = new SeededRandom(CHAOS.seed);

  /** The VMs of the documented slots, by name, across both datacenters (govc, not our client). */
  const ours = async () =>
    (await sim.govc('find', '/', '-type', 'm'))
      .split('\n')
      .map((path) => path.slice(path.lastIndexOf('/') + 1))
      .filter((name) => VM_NAMES.test(name));
  // Watch vCenter the whole time: two VMs with one name at any moment is a duplicate.
  let worstDuplicate = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      worstDuplicate = Math.max(worstDuplicate, mostRepeated(await ours().catch(() => [])));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const ready = async (names: string[]) => {
    const states = await Promise.all(
      names.map(
        async (n) =>
          (await fixtures.read<{ status?: { ready?: boolean } }>('VSphereMachine', n))?.status?.ready,
      ),
    );
    return states.every(Boolean) || undefined;
  };
  const gone = async (names: string[]) => {
    const left = await Promise.all(names.map((n) => fixtures.read('VSphereMachine', n)));
    return left.every((m) => m === undefined) || undefined;
  };
  const deleteMachines = async (names: string[]) => {
    for (const name of names)
      await objects.delete({ apiVersion: INFRA, kind: 'VSphereMachine', metadata: { name, namespace } });
  };
  // Kills from the manager's controllers running to several reconciles in (clone, disks, guestinfo, power, destroy).
  const kills = new CrashCampaign({
    start: () => startManager(namespace),
    random,
    spreadMs: 1_600,
    report,
  });
  campaign = kills;
  const phase = (name: string, start: () => Promise<void>, converged: () => Promise<true | undefined>) =>
    kills.phase(name, CHAOS.killsPerPhase, start, converged);

  let machinesMade = 0;
  const create = async (names: string[], role: 'control-plane' | 'worker') => {
    for (const name of names) await fixtures.createMachine(name, role);
    machinesMade += names.length;
  };
  try {
    await fixtures.createCluster();
    for (let round = 1; round <= CHAOS.rounds; round++) {
      const named = (what: string) => `crash-${what}-r${round}`;
      const controlPlane = ['1', '2', '3'].map((n) => named(`cp-${n}`));
      const workers = ['1', '2'].map((n) => named(`md-${n}`));
      const replacement = named('cp-new');
      const afterReplace = [...controlPlane.slice(1), replacement, ...workers];
      const inRound = (what: string) => (CHAOS.rounds > 1 ? `${what} (round ${round})` : what);
      await phase(
        inRound('create'),
        () => create(controlPlane, 'control-plane'),
        () => ready(controlPlane),
      );
      expect((await ours()).sort()).toEqual(['cp-01', 'cp-02', 'cp-03']);
      await phase(
        inRound('scale'),
        () => create(workers, 'worker'),
        () => ready([...controlPlane, ...workers]),
      );
      // A rolling replacement: the new machine takes the slot (and name) its predecessor released.
      await phase(
        inRound('replace'),
        async () => {
          await deleteMachines(controlPlane.slice(0, 1));
          await create([replacement], 'control-plane');
        },
        async () => ((await gone(controlPlane.slice(0, 1))) && (await ready(afterReplace))) || undefined,
      );
      expect((await ours()).sort()).toEqual(['cp-01', 'cp-02', 'cp-03', 'worker-01', 'worker-02']);
      await phase(
        inRound('delete'),
        () => deleteMachines(afterReplace),
        () => gone(afterReplace),
      );
    }
  } finally {
    watching = false;
    await watcher;
    campaign?.stop();
  }

  // vcsim's own record of every clone it was asked for (its VmBeingClonedEvent), per VM name.
  const clones = (await sim.govc('events', '-n', '1000', '-type', 'VmBeingClonedEvent', '/'))
    .split('\n')
    .filter((line) => / to (cp-0[1-3]|worker-0[12]) on host/.test(line)).length;
  const held = async (pool: string) =>
    (
      (
        await fixtures.read<{ status?: { configStatuses?: { state: string }[] } }>(
          'VSphereMachineConfigPool',
          pool,
        )
      )?.status?.configStatuses ?? []
    ).filter((record) => record.state === 'InUse').length;
  report.damage = {
    'duplicate VMs': Math.max(0, worstDuplicate - 1),
    // Look up by instance UUID before a clone, and no second clone while vCenter may not list the first.
    'VMs cloned more than once': clones - machinesMade,
    'orphaned VMs': (await ours()).length,
    'leaked slots':
      (await held('demo-cluster-control-plane-pool')) + (await held('demo-cluster-worker-pool')),
  };
  report.write();
  expect(report.damage).toEqual(Object.fromEntries(Object.keys(report.damage).map((what) => [what, 0])));
  expect(worstDuplicate).toBe(1);
});
