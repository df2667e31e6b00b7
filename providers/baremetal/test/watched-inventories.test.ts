// MachineInventories are watched: the host wakes the pools that count an inventory and the machines
// that hold or wait for one when it changes. The provider here looks at nothing on a schedule
// within the test's lifetime (plan polls, pool counts and resyncs every 10 minutes), so every
// reaction below can only come from the watch.
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machinesAndPoolsOfInventory } from '../src/controllers/inventory-watch.js';
import { createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';

const VERSION = 'v1.33.7-2';
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
/** Longer than the test runs: a reaction within the test is never a scheduled look. */
const NEVER_WITHIN_THE_TEST = 600_000;
const POOL = 'demo-worker-pool';

interface PoolObject {
  status?: { total?: number; available?: number; allocated?: number; unavailable?: number };
}
interface MachineObject {
  status?: {
    phase?: string;
    ready?: boolean;
    machineInventoryRef?: { name: string };
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

let namespace: string;
let fleet: BaremetalFleet;
let fixtures: BaremetalFixtures;
let manager: Manager;

const pool = () => fixtures.read<PoolObject>(INFRA, 'MachineInventoryPool', namespace, POOL);
const machine = (name: string) => fixtures.read<MachineObject>(INFRA, 'BaremetalMachine', namespace, name);
const counters = async () => {
  const { total, available, allocated, unavailable } = (await pool())?.status ?? {};
  return { total, available, allocated, unavailable };
};

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  namespace = await createTestNamespace(kubeConfig, 'baremetal-watch');
  fixtures = new BaremetalFixtures(kubeConfig);
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 1,
    namePrefix: 'demo',
    pollMs: 50,
    durations: { reprovisionMs: 200, cleanMs: 100 },
  });
  await fixtures.imageCatalog(namespace, { [VERSION]: IMAGE });
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [
      createBaremetalProvider({
        imageCatalogNamespace: namespace,
        pollMs: NEVER_WITHIN_THE_TEST,
        poolRecheckMs: NEVER_WITHIN_THE_TEST,
        resyncMs: NEVER_WITHIN_THE_TEST,
      }),
    ],
    log: createLogger({ level: 'error' }),
  });
  void manager.start();
  await fixtures.cluster(namespace);
});

afterAll(async () => {
  await manager?.stop();
  fleet?.stop();
});

describe('MachineInventories watched by the pool and machine controllers', () => {
  it('recounts a pool when one of its inventories turns not Ready, with no recount scheduled', async () => {
    await fixtures.pool(namespace, POOL, [{ name: 'demo-1' }]);
    await eventually('the pool counts its host', async () => (await pool())?.status?.available === 1);
    await fleet.loseHost('demo-1');
    await eventually('the pool counts the lost host unavailable', async () => {
      const counted = await counters();
      return counted.unavailable === 1 ? counted : undefined;
    });
    expect(await counters()).toEqual({ total: 1, available: 0, allocated: 0, unavailable: 1 });
  });

  it('a machine waiting for a host takes the inventory as soon as it is Ready again, and runs on the plan result it was told of', async () => {
    await fixtures.machine(namespace, 'demo-md-a', POOL, VERSION);
    const waiting = await eventually('the machine waits for a host', async () => {
      const m = await machine('demo-md-a');
      const allocated = m?.status?.conditions?.find((c) => c.type === 'InventoryAllocated');
      return allocated?.status === 'False' ? allocated : undefined;
    });
    expect(waiting.reason).toBe('PoolExhausted');
    expect((await machine('demo-md-a'))?.status?.phase).toBe('Pending');
    expect(fleet.host('demo-1').executed).toEqual([]);

    // The host comes back: its inventory turns Ready, which is all that wakes the machine, and the
    // reprovision plan's result reaches it the same way (its plan poll is 10 minutes).
    await fleet.recoverHost('demo-1');
    const running = await eventually('the machine runs on the host', async () => {
      const m = await machine('demo-md-a');
      return m?.status?.ready ? m : undefined;
    });
    expect(running.status).toMatchObject({ phase: 'Running', machineInventoryRef: { name: 'demo-1' } });
    expect(fleet.host('demo-1').executed.map((p) => [p.type, p.outcome])).toEqual([
      ['reprovision', 'Applied'],
    ]);
    await eventually(
      'the pool counts the host allocated',
      async () => (await pool())?.status?.allocated === 1,
    );
    expect(await counters()).toEqual({ total: 1, available: 0, allocated: 1, unavailable: 0 });
  });

  it('fails a running machine whose host an operator reset, told by the watch', async () => {
    await fleet.deleteInventory('demo-1');
    const failed = await eventually('the machine fails with HostReset', async () => {
      const m = await fixtures.read<{ status?: { phase?: string; failureReason?: string } }>(
        INFRA,
        'BaremetalMachine',
        namespace,
        'demo-md-a',
      );
      return m?.status?.failureReason ? m : undefined;
    });
    expect(failed.status).toMatchObject({ phase: 'Failed', failureReason: 'HostReset' });
  });
});

describe('which pools and machines an inventory change concerns', () => {
  const cached = (objects: Record<string, unknown[]>) => ({
    list: (kind: string) => (objects[kind] ?? []) as never[],
  });
  const inventory = (name: string, annotations: Record<string, string> = {}) => ({
    metadata: { name, namespace: 'ns', annotations },
  });
  const pools = [
    { metadata: { name: 'b-pool' }, spec: { machineInventories: [{ name: 'host-1' }] } },
    { metadata: { name: 'a-pool' }, spec: { machineInventories: [{ name: 'host-2' }] } },
  ];
  const machines = [
    {
      metadata: { name: 'running' },
      spec: { machineInventoryPoolRef: { name: 'b-pool' } },
      status: { machineInventoryRef: { name: 'host-1' } },
    },
    { metadata: { name: 'waiting-b' }, spec: { machineInventoryPoolRef: { name: 'b-pool' } }, status: {} },
    { metadata: { name: 'waiting-a' }, spec: { machineInventoryPoolRef: { name: 'a-pool' } } },
    {
      metadata: { name: 'elsewhere' },
      spec: { machineInventoryPoolRef: { name: 'b-pool' } },
      status: { machineInventoryRef: { name: 'host-9' } },
    },
  ];
  const names = (keys: { kind: string; name: string }[]) => keys.map((k) => `${k.kind}/${k.name}`).sort();

  it('names the pools listing it, the machine holding it and the machines of those pools still waiting', () => {
    expect(
      names(
        machinesAndPoolsOfInventory(
          inventory('host-1'),
          cached({ MachineInventoryPool: pools, BaremetalMachine: machines }),
        ),
      ),
    ).toEqual(['BaremetalMachine/running', 'BaremetalMachine/waiting-b', 'MachineInventoryPool/b-pool']);
  });

  it('names the pool of its annotation and the owner machine being recorded, even when no pool lists it any more', () => {
    expect(
      names(
        machinesAndPoolsOfInventory(
          inventory('host-3', {
            'baremetal.alauda.io/pool': 'b-pool',
            'baremetal.alauda.io/owner-baremetalmachine': 'elsewhere',
          }),
          cached({ MachineInventoryPool: pools, BaremetalMachine: machines }),
        ),
      ),
    ).toEqual([
      'BaremetalMachine/elsewhere',
      'BaremetalMachine/waiting-a',
      'BaremetalMachine/waiting-b',
      // In no pool's list: the first pool by name runs its storage lifecycle.
      'MachineInventoryPool/a-pool',
      'MachineInventoryPool/b-pool',
    ]);
  });
});
