// The simulated host fleet on a real kube-apiserver with elemental's CRDs: hosts register as
// elemental-operator would make them, and their agents run plans from the plan Secrets, with faults,
// and a host whose MachineInventory an operator deletes is reset and registers again.
import { createHash } from 'node:crypto';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaremetalFleet, STORAGE_OPERATION_FILE } from '../src/index.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Inventory {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { observedNetwork?: { interfaces?: { name: string; addresses?: string[] }[] } };
  status?: {
    conditions?: { type: string; status: string; reason?: string }[];
    plan?: { secretRef?: { name?: string }; checksum?: string; state?: string };
    observedStorage?: {
      sequence?: number;
      devices?: {
        id: string;
        path: string;
        systemRole: string;
        filesystem?: { type: string; uuid?: string };
      }[];
    };
  };
}

let kubeConfig: KubeConfig;
let namespace: string;
let fleet: BaremetalFleet;
let core: CoreV1Api;
let custom: CustomObjectsApi;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const inventory = async (name: string) =>
  (await custom.getNamespacedCustomObject({
    group: 'elemental.cattle.io',
    version: 'v1beta1',
    plural: 'machineinventories',
    namespace,
    name,
  })) as Inventory;

/** Writes a plan the way the provider does: the plan JSON and its type annotation. */
async function writePlan(host: string, type: string, command: string): Promise<string> {
  const plan = JSON.stringify({
    files: [
      { path: '/var/lib/plan/marker', content: Buffer.from(type).toString('base64'), permissions: '0600' },
    ],
    instructions: [{ name: type, command: '/bin/sh', args: ['-c', command] }],
  });
  await core.patchNamespacedSecret(
    {
      name: host,
      namespace,
      body: {
        metadata: { annotations: { 'baremetal.alauda.io/plan.type': type } },
        data: { plan: Buffer.from(plan).toString('base64') },
      },
    },
    MERGE,
  );
  return sha256(plan);
}

/** A plan carrying a storage step (the file the host's storage integration reads), as the provider writes one. */
async function writeStoragePlan(
  host: string,
  type: string,
  operation: Record<string, unknown>,
): Promise<string> {
  const plan = JSON.stringify({
    files: [
      {
        path: STORAGE_OPERATION_FILE,
        content: Buffer.from(JSON.stringify(operation)).toString('base64'),
        permissions: '0600',
      },
    ],
    instructions: [{ name: type, command: '/bin/true', args: [] }],
  });
  await core.patchNamespacedSecret(
    {
      name: host,
      namespace,
      body: {
        metadata: { annotations: { 'baremetal.alauda.io/plan.type': type } },
        data: { plan: Buffer.from(plan).toString('base64') },
      },
    },
    MERGE,
  );
  return sha256(plan);
}

const planState = async (host: string, checksum: string) => {
  const plan = (await inventory(host)).status?.plan;
  return plan?.checksum === checksum ? plan.state : undefined;
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  core = kubeConfig.makeApiClient(CoreV1Api);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  namespace = await createTestNamespace(kubeConfig, 'baremetal-sim');
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 4,
    namePrefix: 'demo',
    pollMs: 50,
    durations: { reprovisionMs: 300, cleanMs: 100, otherMs: 100 },
  });
});

afterAll(() => fleet?.stop());

describe('simulated bare-metal hosts', () => {
  it('register as MachineInventory objects with hardware facts, observed network and storage, and a plan Secret', async () => {
    const registered = await inventory('demo-1');
    expect(registered.metadata.labels?.['elemental.cattle.io/CpuTotalCores']).toBe('16');
    expect(registered.metadata.annotations?.['elemental.cattle.io/machine-uuid']).toMatch(/^[0-9a-f]{32}$/);
    expect(registered.spec.observedNetwork?.interfaces?.[0]).toMatchObject({
      name: 'eth0',
      addresses: ['192.168.254.11/24'],
    });
    expect(registered.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(registered.status?.plan?.secretRef?.name).toBe('demo-1');
    expect(registered.status?.observedStorage?.devices?.map((d) => [d.path, d.systemRole])).toEqual([
      ['/dev/sda', 'System'],
      ['/dev/sdb', 'Data'],
      ['/dev/sdc', 'Data'],
    ]);
    const secret = await core.readNamespacedSecret({ name: 'demo-1', namespace });
    expect(secret.type).toBe('elemental.cattle.io/plan');
    expect(fleet.hosts().map((h) => h.name)).toEqual(['demo-1', 'demo-2', 'demo-3', 'demo-4']);
  });

  it('run a reprovision plan and a clean plan, reporting Applied with the checksum', async () => {
    const reprovision = await writePlan('demo-1', 'reprovision', 'elemental upgrade --system img');
    expect(await eventually('reprovision applied', () => planState('demo-1', reprovision))).toBe('Applied');
    const clean = await writePlan('demo-1', 'clean', 'systemctl stop kubelet');
    expect(await eventually('clean applied', () => planState('demo-1', clean))).toBe('Applied');
    const secret = await core.readNamespacedSecret({ name: 'demo-1', namespace });
    expect(Buffer.from(secret.data?.['applied-checksum'] ?? '', 'base64').toString()).toBe(clean);
    expect(fleet.host('demo-1').executed.map((p) => [p.type, p.outcome])).toEqual([
      ['reprovision', 'Applied'],
      ['clean', 'Applied'],
    ]);
    expect(fleet.host('demo-1').executed[0]?.files['/var/lib/plan/marker']).toBe('reprovision');
    expect(fleet.host('demo-1').executed[0]?.commands).toEqual(['/bin/sh -c elemental upgrade --system img']);
  });

  it('fail a plan on request: Failed in the inventory, the output in the Secret', async () => {
    fleet.failNextPlan('demo-2', 'elemental upgrade: registry unreachable');
    const checksum = await writePlan('demo-2', 'reprovision', 'elemental upgrade --system img');
    expect(await eventually('plan failed', () => planState('demo-2', checksum))).toBe('Failed');
    const secret = await core.readNamespacedSecret({ name: 'demo-2', namespace });
    expect(Buffer.from(secret.data?.['failed-output'] ?? '', 'base64').toString()).toBe(
      'elemental upgrade: registry unreachable',
    );
    // The next plan (the operator fixed the registry) runs and applies.
    const again = await writePlan('demo-2', 'reprovision', 'elemental upgrade --system img2');
    expect(await eventually('retry applied', () => planState('demo-2', again))).toBe('Applied');
  });

  it('run a plan again from the start when the agent restarts mid-plan', async () => {
    const checksum = await writePlan('demo-3', 'reprovision', 'elemental upgrade --system img');
    await eventually('plan running', () => fleet.host('demo-3').running?.checksum === checksum);
    fleet.restartAgent('demo-3');
    expect(await eventually('applied after restart', () => planState('demo-3', checksum))).toBe('Applied');
    expect(fleet.host('demo-3').planStarts).toBe(2);
    expect(fleet.host('demo-3').executed.map((p) => p.outcome)).toEqual(['Interrupted', 'Applied']);
  });

  it('lose a host: Ready=False and no plan runs until it is back', async () => {
    await fleet.loseHost('demo-4');
    const lost = await inventory('demo-4');
    expect(lost.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'AgentDisconnected',
    });
    const checksum = await writePlan('demo-4', 'reprovision', 'elemental upgrade --system img');
    // Other hosts keep working meanwhile: one full plan on demo-1 proves the agents poll.
    const other = await writePlan('demo-1', 'reprovision', 'elemental upgrade --system img3');
    await eventually('other host applied', () => planState('demo-1', other));
    expect(fleet.host('demo-4').planStarts).toBe(0);
    await fleet.recoverHost('demo-4');
    expect(await eventually('applied after recovery', () => planState('demo-4', checksum))).toBe('Applied');
  });

  it('reset a host whose MachineInventory an operator deletes: it registers again under its name, new UID, empty plan', async () => {
    const before = (await inventory('demo-3')) as Inventory & { metadata: { uid?: string } };
    await custom.patchNamespacedCustomObject(
      {
        group: 'elemental.cattle.io',
        version: 'v1beta1',
        plural: 'machineinventories',
        namespace,
        name: 'demo-3',
        body: { metadata: { annotations: { 'baremetal.alauda.io/allocation-state': 'Allocated' } } },
      },
      MERGE,
    );
    await fleet.deleteInventory('demo-3');
    const after = (await inventory('demo-3')) as Inventory & { metadata: { uid?: string } };
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBeUndefined();
    expect(after.status?.plan).toEqual({ secretRef: { name: 'demo-3', namespace } });
    expect(after.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const secret = await core.readNamespacedSecret({ name: 'demo-3', namespace });
    expect(Buffer.from(secret.data?.plan ?? '', 'base64').toString()).toBe('{}');
    expect(secret.data?.['applied-checksum']).toBeUndefined();
    // The reset host runs plans again (the one it applied before the reset too: it forgot it).
    const checksum = await writePlan('demo-3', 'reprovision', 'elemental upgrade --system img');
    expect(await eventually('applied after the reset', () => planState('demo-3', checksum))).toBe('Applied');
    expect(fleet.host('demo-3').executed.map((p) => p.outcome)).toEqual([
      'Interrupted',
      'Applied',
      'Applied',
    ]);
    expect(fleet.hosts().map((h) => h.name)).toEqual(['demo-1', 'demo-2', 'demo-3', 'demo-4']);
  });

  it('run storage steps on their disks: format only a blank one, mount, unmount, release keeping the data, and report observedStorage', async () => {
    const [, blank, withData] = fleet.host('demo-4').devices;
    const volume = (deviceID: string, filesystemUUID: string) => ({
      name: 'cpaas-data',
      deviceID,
      policy: 'InitializeIfBlank',
      filesystemType: 'xfs',
      filesystemUUID,
      mountPath: '/var/cpaas',
    });
    const uuid = '11111111-2222-4333-a444-555555555555';
    const before = (await inventory('demo-4')).status?.observedStorage ?? {};
    const prepare = await writeStoragePlan('demo-4', 'storage-prepare', {
      type: 'Prepare',
      volumes: [volume(blank?.id ?? '', uuid)],
    });
    expect(await eventually('prepare applied', () => planState('demo-4', prepare))).toBe('Applied');
    const observed = (await inventory('demo-4')).status?.observedStorage ?? {};
    expect(observed.sequence).toBeGreaterThan(before.sequence ?? 0);
    expect(observed.devices?.find((d) => d.id === blank?.id)?.filesystem).toEqual({ type: 'xfs', uuid });

    // A disk holding a filesystem is never formatted: the plan fails and the disk is unchanged.
    const refused = await writeStoragePlan('demo-4', 'storage-prepare', {
      type: 'Prepare',
      volumes: [{ ...volume(withData?.id ?? '', uuid), name: 'other', mountPath: '/data/other' }],
    });
    expect(await eventually('unsafe prepare failed', () => planState('demo-4', refused))).toBe('Failed');
    const secret = await core.readNamespacedSecret({ name: 'demo-4', namespace });
    expect(Buffer.from(secret.data?.['failed-output'] ?? '', 'base64').toString()).toContain(
      `refusing to format ${withData?.id}`,
    );
    expect(fleet.host('demo-4').devices[2]?.filesystem).toEqual(withData?.filesystem);

    const activate = await writeStoragePlan('demo-4', 'reprovision', {
      type: 'Activate',
      volumes: [{ ...volume(blank?.id ?? '', uuid), mountOptions: ['noatime'] }],
    });
    expect(await eventually('activation applied', () => planState('demo-4', activate))).toBe('Applied');
    expect(fleet.host('demo-4').devices[1]?.mounts).toEqual([
      { path: '/var/cpaas', options: ['nodev', 'nosuid', 'noatime'] },
    ]);
    const deactivate = await writeStoragePlan('demo-4', 'clean', {
      type: 'Deactivate',
      volumes: [volume(blank?.id ?? '', uuid)],
    });
    expect(await eventually('deactivation applied', () => planState('demo-4', deactivate))).toBe('Applied');
    const release = await writeStoragePlan('demo-4', 'storage-release', {
      type: 'Release',
      volumes: [volume(blank?.id ?? '', uuid)],
    });
    expect(await eventually('release applied', () => planState('demo-4', release))).toBe('Applied');
    expect(fleet.host('demo-4').devices[1]).toMatchObject({ filesystem: { type: 'xfs', uuid } });
    expect(fleet.host('demo-4').devices[1]?.mounts).toBeUndefined();
  });
});
