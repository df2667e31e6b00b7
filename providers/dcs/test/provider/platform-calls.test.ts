import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { captureLog, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { createDcsProvider } from '../../src/provider.js';
import { DcsFixtures, INFRA } from './dcs-fixtures.ts';

// The DCSCluster and the IP pool are woken by every change of their machines (Cluster API's and the
// claims'): a wake-up that finds nothing changed must not ask DCS again for what it saw a moment ago
// (issue 23: about 90 DCS calls per machine in the full-stack run, most of them these). Counts only.

/** The operations only the cluster's HA step and the pool's disk report ask for once machines are Ready. */
const CLUSTER_AND_POOL_OPERATIONS = ['FindVm', 'EnsureDrsRule', 'GetCluster'];
const WAKE_UPS = 5;

let sim: DcsSimulator | undefined;
let manager: Manager | undefined;
afterAll(async () => {
  await manager?.stop();
  await sim?.close();
});

type Status = {
  ready?: boolean;
  conditions?: { type: string; status: string }[];
  persistentDiskStatus?: { ip: string; phase?: string; ownerMachineName?: string }[];
};

it(`asks DCS nothing more when the DCSCluster, its pool and its machines are woken ${WAKE_UPS} times with nothing changed`, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-calls');
  const log = captureLog();
  const running = new Manager({
    kubeConfig,
    namespace,
    providers: [createDcsProvider()],
    log: createLogger({ level: 'warn', destination: log.destination }),
  });
  manager = running;
  void running.start();

  // Two control plane machines with a persistent disk each, HA on, and a third entry nobody holds.
  await fixtures.createCluster(namespace, 'Huawei@123', namespace, 3, 40, true);
  for (const name of ['cp-a', 'cp-b'])
    await fixtures.createMachine(namespace, name, 'control-plane', 'ComputeCluster');
  const read = <T>(kind: string, name: string) => fixtures.read<{ status?: T }>(kind, namespace, name);
  await eventually(
    'both machines Ready, HA held, both disks reported attached to their holders',
    async () => {
      for (const name of ['cp-a', 'cp-b'])
        if (!(await read<Status>('DCSMachine', name))?.status?.ready) return false;
      const cluster = await read<Status>('DCSCluster', 'demo');
      const ha = cluster?.status?.conditions?.find((c) => c.type === 'ControlPlaneHAReady');
      if (ha?.status !== 'True') return false;
      const records = (await read<Status>('DCSIpHostnamePool', 'cp-pool'))?.status?.persistentDiskStatus;
      const held = (records ?? []).filter((r) => r.ownerMachineName);
      return held.length === 2 && held.every((r) => r.phase === 'Attached');
    },
    120_000,
  );

  const counts = async () => {
    const calls = await running.metrics.platformCalls.get();
    const reconciles = await running.metrics.reconciles.get();
    const byOperation = (operation: string) =>
      calls.values.filter((v) => v.labels.operation === operation).reduce((sum, v) => sum + v.value, 0);
    const byKind = (kind: string) =>
      reconciles.values.filter((v) => v.labels.kind === kind).reduce((sum, v) => sum + v.value, 0);
    return {
      clusterAndPool: CLUSTER_AND_POOL_OPERATIONS.reduce((sum, op) => sum + byOperation(op), 0),
      findVolume: byOperation('FindVolume'),
      getVm: byOperation('GetVm'),
      clusterReconciles: byKind('DCSCluster'),
      poolReconciles: byKind('DCSIpHostnamePool'),
      machineReconciles: byKind('DCSMachine'),
    };
  };
  const before = await counts();
  const annotate = (kind: string, name: string, n: number) =>
    objects.patch(
      { apiVersion: INFRA, kind, metadata: { name, namespace, annotations: { 'test/wake-up': String(n) } } },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
  for (let n = 1; n <= WAKE_UPS; n++) {
    const seen = await counts();
    await annotate('DCSCluster', 'demo', n);
    await annotate('DCSIpHostnamePool', 'cp-pool', n);
    await eventually(`wake-up ${n} reconciled`, async () => {
      const now = await counts();
      return now.clusterReconciles > seen.clusterReconciles && now.poolReconciles > seen.poolReconciles;
    });
  }
  const after = await counts();
  const delta = {
    clusterAndPool: after.clusterAndPool - before.clusterAndPool,
    findVolume: after.findVolume - before.findVolume,
    getVm: after.getVm - before.getVm,
    machineReconciles: after.machineReconciles - before.machineReconciles,
  };
  console.log(JSON.stringify({ before, after, delta }));
  expect(after.clusterReconciles - before.clusterReconciles).toBeGreaterThanOrEqual(WAKE_UPS);
  expect(after.poolReconciles - before.poolReconciles).toBeGreaterThanOrEqual(WAKE_UPS);
  // Nothing for the rule and its VMs: they were seen holding a moment ago.
  expect(delta.clusterAndPool).toBe(0);
  // A volume or VM read now is a machine's own (one disk and one VM per machine reconcile), none the pool's or the cluster's.
  expect(delta.findVolume).toBeLessThanOrEqual(delta.machineReconciles);
  expect(delta.getVm).toBeLessThanOrEqual(delta.machineReconciles);

  // The machines themselves: a reconcile reads its VM (one GetVm), whose disk list shows the persistent
  // disks still where they were seen, so no volume is looked up again.
  const machinesBefore = await counts();
  for (let n = 1; n <= WAKE_UPS; n++) {
    const seen = await counts();
    for (const name of ['cp-a', 'cp-b']) await annotate('DCSMachine', name, n);
    await eventually(`machine wake-up ${n} reconciled`, async () => {
      const now = await counts();
      return now.machineReconciles >= seen.machineReconciles + 2;
    });
  }
  const machinesAfter = await counts();
  const machineReconciles = machinesAfter.machineReconciles - machinesBefore.machineReconciles;
  expect(machineReconciles).toBeGreaterThanOrEqual(2 * WAKE_UPS);
  expect(machinesAfter.findVolume - machinesBefore.findVolume).toBe(0);
  expect(machinesAfter.getVm - machinesBefore.getVm).toBeLessThanOrEqual(machineReconciles);
}, 240_000);
