// The provider in the real host (the Manager) against a real kube-apiserver and the simulated host
// fleet: pools count and guard their inventories, a machine takes a host, reprovisions it and
// runs, a missing catalog version and a failing plan fail the machine, and a deleted machine cleans
// its host and gives it back, never deleting the MachineInventory; a running machine whose host an
// operator reset (deleted its MachineInventory) fails, and its delete cleans the new registration.
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';

const ELEMENTAL = 'elemental.cattle.io/v1beta1';
const VERSION = 'v1.33.7-2';
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface MachineObject {
  spec: { providerID?: string };
  status?: {
    phase?: string;
    ready?: boolean;
    failureReason?: string;
    failureMessage?: string;
    machineInventoryRef?: { name: string };
    planSecretRef?: { name: string };
    addresses?: { type: string; address: string }[];
    conditions?: Condition[];
  };
}
interface PoolObject {
  status?: Record<string, number | undefined> & { conditions?: Condition[]; claims?: unknown[] };
}
interface Inventory {
  metadata: { annotations?: Record<string, string> };
}

let kubeConfig: KubeConfig;
let namespace: string;
let fleet: BaremetalFleet;
let fixtures: BaremetalFixtures;
let manager: Manager;

const machine = (name: string) => fixtures.read<MachineObject>(INFRA, 'BaremetalMachine', namespace, name);
const pool = (name: string) => fixtures.read<PoolObject>(INFRA, 'MachineInventoryPool', namespace, name);
const inventory = async (name: string) =>
  (await fixtures.read<Inventory>(ELEMENTAL, 'MachineInventory', namespace, name)) as Inventory;
const condition = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);
const counters = (p: PoolObject | undefined) => {
  const { total, available, allocated, preparing, reprovisioning, unavailable } = p?.status ?? {};
  return { total, available, allocated, preparing, reprovisioning, unavailable };
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  namespace = await createTestNamespace(kubeConfig, 'baremetal-lifecycle');
  fixtures = new BaremetalFixtures(kubeConfig);
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 5,
    namePrefix: 'demo',
    pollMs: 50,
    durations: { reprovisionMs: 300, cleanMs: 100 },
  });
  await fixtures.imageCatalog(namespace, { [VERSION]: IMAGE });
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [
      createBaremetalProvider({ imageCatalogNamespace: namespace, pollMs: 100, poolRecheckMs: 200 }),
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

describe('bare-metal machines on simulated hosts', () => {
  it('counts a pool and keeps each inventory in one active pool', async () => {
    await fixtures.pool(namespace, 'demo-control-plane-pool', [
      { name: 'demo-1', hostname: 'demo-cp-1' },
      { name: 'demo-2' },
    ]);
    const first = await eventually('control-plane pool counted', async () => {
      const p = await pool('demo-control-plane-pool');
      return p?.status?.total === 2 && p.status.available === 2 ? p : undefined;
    });
    expect(condition(first.status?.conditions, 'MembersValid')?.status).toBe('True');
    expect((await inventory('demo-2')).metadata.annotations?.['baremetal.alauda.io/pool']).toBe(
      'demo-control-plane-pool',
    );

    // demo-2 is taken already; demo-9 was never registered.
    await fixtures.pool(namespace, 'demo-worker-pool', [
      { name: 'demo-2' },
      { name: 'demo-3' },
      { name: 'demo-9' },
    ]);
    const second = await eventually('worker pool counted', async () => {
      const p = await pool('demo-worker-pool');
      return p?.status?.total === 3 ? p : undefined;
    });
    expect(counters(second)).toEqual({
      total: 3,
      available: 1,
      allocated: 0,
      preparing: 0,
      reprovisioning: 0,
      unavailable: 2,
    });
    const members = condition(second.status?.conditions, 'MembersValid');
    expect(members?.status).toBe('False');
    expect(members?.message).toContain(
      'MachineInventory demo-2 belongs to MachineInventoryPool demo-control-plane-pool',
    );
    expect(members?.message).toContain('MachineInventory demo-9 not found');
    expect(condition(second.status?.conditions, 'Ready')?.status).toBe('False');
    expect((await inventory('demo-2')).metadata.annotations?.['baremetal.alauda.io/pool']).toBe(
      'demo-control-plane-pool',
    );
  });

  it('takes the first host, reprovisions it with the catalog image and runs it as baremetal:///<inventory>', async () => {
    const cluster = await eventually('BaremetalCluster ready', async () => {
      const c = await fixtures.read<{
        spec: { controlPlaneEndpoint?: unknown };
        status?: { ready?: boolean };
      }>(INFRA, 'BaremetalCluster', namespace, 'demo');
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '192.168.254.100', port: 6443 });

    await fixtures.machine(namespace, 'demo-cp-a', 'demo-control-plane-pool', VERSION);
    const running = await eventually('machine running', async () => {
      const m = await machine('demo-cp-a');
      return m?.status?.ready ? m : undefined;
    });
    expect(running.status?.phase).toBe('Running');
    expect(running.spec.providerID).toBe('baremetal:///demo-1');
    expect(running.status?.machineInventoryRef).toEqual({ name: 'demo-1' });
    expect(running.status?.planSecretRef).toEqual({ name: 'demo-1' });
    expect(running.status?.addresses).toEqual([
      { type: 'Hostname', address: 'demo-cp-1' },
      { type: 'InternalIP', address: '192.168.254.11' },
    ]);

    const [plan] = fleet.host('demo-1').executed;
    expect(plan?.type).toBe('reprovision');
    expect(plan?.outcome).toBe('Applied');
    expect(plan?.commands).toContain(`elemental upgrade --reboot=false --system ${IMAGE}`);
    const userData = plan?.files['/var/lib/cloud/seed/nocloud/user-data'] ?? '';
    expect(userData).toContain('hostname: demo-cp-1');
    expect(userData).toContain('provider-id: baremetal:///demo-1');
    expect(userData).toContain('criSocket: unix:///var/run/containerd/containerd.sock');
    expect(userData).toContain('node-labels: kube-ovn/role=master');
    const network = plan?.files['/var/lib/cloud/seed/nocloud/network-config'] ?? '';
    expect(network).toContain('192.168.254.11/24');
    expect(network).toContain('via: 192.168.254.1');

    expect((await inventory('demo-1')).metadata.annotations).toMatchObject({
      'baremetal.alauda.io/pool': 'demo-control-plane-pool',
      'baremetal.alauda.io/allocation-state': 'Allocated',
      'baremetal.alauda.io/owner-cluster': 'demo',
      'baremetal.alauda.io/owner-machine': 'demo-cp-a',
      'baremetal.alauda.io/owner-baremetalmachine': 'demo-cp-a',
    });
    const counted = await eventually('pool counts the host', async () => {
      const p = await pool('demo-control-plane-pool');
      return p?.status?.allocated === 1 ? p : undefined;
    });
    expect(counters(counted)).toMatchObject({ total: 2, available: 1, allocated: 1, unavailable: 0 });
  });

  it('fails a machine whose version is not in the image catalog, naming it, and writes no plan', async () => {
    await fixtures.machine(namespace, 'demo-cp-b', 'demo-control-plane-pool', 'v1.99.0');
    const failedMachine = await eventually('machine failed', async () => {
      const m = await machine('demo-cp-b');
      return m?.status?.failureReason ? m : undefined;
    });
    expect(failedMachine.status?.phase).toBe('Failed');
    expect(failedMachine.status?.failureReason).toBe('ImageCatalogMiss');
    expect(failedMachine.status?.failureMessage).toContain(
      `Machine.spec.version v1.99.0 is not a key of ConfigMap ${namespace}/elemental-image-catalog`,
    );
    expect(condition(failedMachine.status?.conditions, 'ImageResolved')).toMatchObject({
      status: 'False',
      reason: 'ImageCatalogMiss',
    });
    // No host taken, no plan written.
    expect(failedMachine.status?.machineInventoryRef).toBeUndefined();
    expect(fleet.host('demo-2').planStarts).toBe(0);
  });

  it('fails a machine whose reprovision plan fails and marks its host Unavailable', async () => {
    fleet.failNextPlan('demo-3', 'elemental upgrade: registry unreachable');
    await fixtures.machine(namespace, 'demo-worker-a', 'demo-worker-pool', VERSION);
    const failedMachine = await eventually('machine failed', async () => {
      const m = await machine('demo-worker-a');
      return m?.status?.failureReason ? m : undefined;
    });
    expect(failedMachine.status?.phase).toBe('Failed');
    expect(failedMachine.status?.failureReason).toBe('ReprovisionFailed');
    expect(failedMachine.status?.failureMessage).toContain('read failed-output in Secret');
    expect(failedMachine.status?.machineInventoryRef).toEqual({ name: 'demo-3' });
    // The pool's first member, demo-2, belongs to the control-plane pool: passed over, no plan run on it.
    expect(fleet.host('demo-2').planStarts).toBe(0);
    expect((await inventory('demo-3')).metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe(
      'Unavailable',
    );
    const counted = await eventually('pool counts the failed host', async () => {
      const p = await pool('demo-worker-pool');
      return p?.status?.unavailable === 3 ? p : undefined;
    });
    expect(counters(counted)).toMatchObject({ total: 3, available: 0, unavailable: 3 });
  });

  it("cleans a deleted machine's host and gives it back to the pool, keeping the MachineInventory", async () => {
    await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'demo-cp-a');
    await eventually('BaremetalMachine gone', async () => (await machine('demo-cp-a')) === undefined);
    expect(fleet.host('demo-1').executed.map((p) => [p.type, p.outcome])).toEqual([
      ['reprovision', 'Applied'],
      ['clean', 'Applied'],
    ]);
    expect(fleet.host('demo-1').executed[1]?.commands).toContain('systemctl stop kubelet');
    const released = await inventory('demo-1');
    expect(released.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe('Available');
    expect(released.metadata.annotations?.['baremetal.alauda.io/pool']).toBe('demo-control-plane-pool');
    expect(released.metadata.annotations?.['baremetal.alauda.io/owner-machine']).toBeUndefined();
    const counted = await eventually('pool has the host back', async () => {
      const p = await pool('demo-control-plane-pool');
      return p?.status?.available === 2 ? p : undefined;
    });
    expect(counted.status?.claims ?? []).toEqual([]);
  });

  it('waits for a lost host without failing, and follows a plan its agent runs again after a restart', async () => {
    await fixtures.pool(namespace, 'demo-spare-pool', [{ name: 'demo-4' }, { name: 'demo-5' }]);
    await eventually(
      'spare pool counted',
      async () => (await pool('demo-spare-pool'))?.status?.available === 2,
    );

    await fixtures.machine(namespace, 'demo-spare-a', 'demo-spare-pool', VERSION);
    await eventually('plan running on demo-4', () => fleet.host('demo-4').running?.type === 'reprovision');
    await fleet.loseHost('demo-4');
    const waiting = await eventually('machine names the lost host', async () => {
      const m = await machine('demo-spare-a');
      const ready = condition(m?.status?.conditions, 'Ready');
      return ready?.message?.includes('MachineInventory demo-4 is not Ready (AgentDisconnected)')
        ? m
        : undefined;
    });
    expect(waiting.status?.phase).toBe('Reprovisioning');
    expect(waiting.status?.failureReason).toBeUndefined();
    await fleet.recoverHost('demo-4');
    await eventually(
      'machine runs once the host is back',
      async () => (await machine('demo-spare-a'))?.status?.ready,
    );
    expect(fleet.host('demo-4').executed.map((p) => p.outcome)).toEqual(['Interrupted', 'Applied']);

    await fixtures.machine(namespace, 'demo-spare-b', 'demo-spare-pool', VERSION);
    await eventually('plan running on demo-5', () => fleet.host('demo-5').running?.type === 'reprovision');
    fleet.restartAgent('demo-5');
    const running = await eventually('machine runs after the restart', async () => {
      const m = await machine('demo-spare-b');
      return m?.status?.ready ? m : undefined;
    });
    expect(running.spec.providerID).toBe('baremetal:///demo-5');
    expect(fleet.host('demo-5').planStarts).toBe(2);
  });

  it('cleans the host of a deleted failed machine and makes it Available again', async () => {
    await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'demo-worker-a');
    await eventually('BaremetalMachine gone', async () => (await machine('demo-worker-a')) === undefined);
    expect(fleet.host('demo-3').executed.map((p) => [p.type, p.outcome])).toEqual([
      ['reprovision', 'Failed'],
      ['clean', 'Applied'],
    ]);
    expect((await inventory('demo-3')).metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe(
      'Available',
    );
    // The machine that failed on the catalog held no host: its delete writes no plan.
    await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'demo-cp-b');
    await eventually('catalog-miss machine gone', async () => (await machine('demo-cp-b')) === undefined);
    expect(fleet.host('demo-2').planStarts).toBe(0);
  });

  it('fails a running machine whose MachineInventory an operator deleted, then cleans and frees the host that registered again', async () => {
    const before = await fixtures.read<{ metadata: { uid?: string } }>(
      ELEMENTAL,
      'MachineInventory',
      namespace,
      'demo-4',
    );
    await fleet.deleteInventory('demo-4');
    const reset = await eventually('machine failed', async () => {
      const m = await machine('demo-spare-a');
      return m?.status?.failureReason ? m : undefined;
    });
    expect(reset.status?.phase).toBe('Failed');
    expect(reset.status?.failureReason).toBe('HostReset');
    expect(reset.status?.failureMessage).toContain('MachineInventory demo-4 no longer reports');
    expect(condition(reset.status?.conditions, 'Ready')?.status).toBe('False');
    const again = await fixtures.read<{ metadata: { uid?: string } }>(
      ELEMENTAL,
      'MachineInventory',
      namespace,
      'demo-4',
    );
    expect(again?.metadata.uid).not.toBe(before?.metadata.uid);

    await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'demo-spare-a');
    await eventually('BaremetalMachine gone', async () => (await machine('demo-spare-a')) === undefined);
    expect(fleet.host('demo-4').executed.at(-1)).toMatchObject({ type: 'clean', outcome: 'Applied' });
    const freed = await inventory('demo-4');
    expect(freed.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe('Available');
    expect(freed.metadata.annotations?.['baremetal.alauda.io/owner-baremetalmachine']).toBeUndefined();
    const counted = await eventually('spare pool has the host back', async () => {
      const p = await pool('demo-spare-pool');
      return p?.status?.available === 1 ? p : undefined;
    });
    expect(
      (counted.status?.claims ?? []).map((c) => (c as { machineInventory: string }).machineInventory),
    ).toEqual(['demo-5']);
  });
});
