// The manager SIGKILLed at random points while machines attach and detach hosts: no host runs a
// plan it did not need (a second reprovision for one attach), no host is held by two machines, and
// after the deletes every host is Available again with no claim left and no MachineInventory gone.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import { ChaosReport, CrashCampaign, chaosSettings, spawnManagerProcess } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, expect, inject, it } from 'vitest';
import { BaremetalFixtures, INFRA } from '../baremetal-fixtures.js';

const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
// The test's short version; `npm run chaos` sets CHAOS_ROUNDS (and may set CHAOS_KILLS_PER_PHASE) for the long one.
const CHAOS = chaosSettings({ killsPerPhase: 8, rounds: 2, seed: 20261204 });
const HOSTS = ['crash-1', 'crash-2', 'crash-3'];
const VERSION = 'v1.33.7-2';

let fleet: BaremetalFleet | undefined;
let campaign: CrashCampaign | undefined;
afterAll(() => {
  campaign?.stop();
  fleet?.stop();
});

function startManager(namespace: string): ChildProcess {
  // The image catalog is read from the provider's namespace, which the pod's POD_NAMESPACE names.
  return spawnManagerProcess({
    provider,
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    namespace,
    env: { POD_NAMESPACE: namespace },
  });
}

it(`runs one reprovision per attach and frees every host when the manager is killed ${2 * CHAOS.killsPerPhase * CHAOS.rounds} times (attach, detach)`, {
  timeout: 300_000 + 2 * CHAOS.killsPerPhase * CHAOS.rounds * 10_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const namespace = await createTestNamespace(kubeConfig, 'bm-crash');
  const fixtures = new BaremetalFixtures(kubeConfig);
  // Plans take a while, as on real hosts, so kills land while they run.
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: HOSTS.map((name) => ({ name })),
    pollMs: 50,
    durations: { reprovisionMs: 800, cleanMs: 300 },
  });
  const hosts = fleet;
  await fixtures.imageCatalog(namespace, { [VERSION]: 'registry.example.local/tkestack/base:v1.33.7-2' });
  await fixtures.cluster(namespace);
  await fixtures.pool(
    namespace,
    'crash-pool',
    HOSTS.map((name) => ({ name })),
  );
  const report = new ChaosReport('baremetal', CHAOS);
  const kills = new CrashCampaign({
    start: () => startManager(namespace),
    random: new SeededRandom(CHAOS.seed),
    spreadMs: 1_600,
    report,
  });
  campaign = kills;

  // Any moment two machines hold one host is a double allocation.
  let worstSharing = 0;
  let watching = true;
  const holders = async () => {
    const inventories = await fixtures.custom.listNamespacedCustomObject({
      group: 'elemental.cattle.io',
      version: 'v1beta1',
      namespace,
      plural: 'machineinventories',
    });
    return (inventories as { items: { metadata: { annotations?: Record<string, string> } }[] }).items;
  };
  const machines = async () =>
    (
      (await fixtures.custom.listNamespacedCustomObject({
        group: 'infrastructure.cluster.x-k8s.io',
        version: 'v1beta1',
        namespace,
        plural: 'baremetalmachines',
      })) as { items: { status?: { machineInventoryRef?: { name: string } } }[] }
    ).items;
  const watcher = (async () => {
    while (watching) {
      const held = (await machines().catch(() => []))
        .map((m) => m.status?.machineInventoryRef?.name)
        .filter((name): name is string => Boolean(name));
      const counts = new Map<string, number>();
      for (const name of held) counts.set(name, (counts.get(name) ?? 0) + 1);
      worstSharing = Math.max(worstSharing, ...counts.values(), 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  let attaches = 0;
  try {
    for (let round = 1; round <= CHAOS.rounds; round++) {
      const names = ['a', 'b', 'c'].map((n) => `crash-${n}-r${round}`);
      const inRound = (what: string) => (CHAOS.rounds > 1 ? `${what} (round ${round})` : what);
      await kills.phase(
        inRound('attach'),
        CHAOS.killsPerPhase,
        async () => {
          for (const name of names) await fixtures.machine(namespace, name, 'crash-pool', VERSION);
          attaches += names.length;
        },
        async () => {
          const states = await Promise.all(
            names.map(
              async (n) =>
                (
                  await fixtures.read<{ status?: { ready?: boolean } }>(
                    INFRA,
                    'BaremetalMachine',
                    namespace,
                    n,
                  )
                )?.status?.ready,
            ),
          );
          return states.every(Boolean) || undefined;
        },
      );
      await kills.phase(
        inRound('detach'),
        CHAOS.killsPerPhase,
        async () => {
          for (const name of names) await fixtures.delete(INFRA, 'BaremetalMachine', namespace, name);
        },
        async () => {
          const left = await Promise.all(
            names.map((n) => fixtures.read(INFRA, 'BaremetalMachine', namespace, n)),
          );
          return left.every((m) => m === undefined) || undefined;
        },
      );
    }
  } finally {
    watching = false;
    await watcher;
    campaign?.stop();
  }

  const executed = hosts.hosts().flatMap((host) => host.executed);
  const inventories = await holders();
  const pool = await fixtures.read<{ status?: { claims?: unknown[] } }>(
    INFRA,
    'MachineInventoryPool',
    namespace,
    'crash-pool',
  );
  report.damage = {
    'hosts held by two machines': Math.max(0, worstSharing - 1),
    // The plan is deterministic and its checksum is saved before it is written: a re-run writes nothing new.
    'reprovisions beyond one per attach': executed.filter((p) => p.type === 'reprovision').length - attaches,
    'failed plans': executed.filter((p) => p.outcome === 'Failed').length,
    'hosts not Available': inventories.filter(
      (i) => i.metadata.annotations?.['baremetal.alauda.io/allocation-state'] !== 'Available',
    ).length,
    'leaked claims': pool?.status?.claims?.length ?? 0,
    'inventories deleted': HOSTS.length - inventories.length,
  };
  report.write();
  expect(report.damage).toEqual(Object.fromEntries(Object.keys(report.damage).map((what) => [what, 0])));
});
