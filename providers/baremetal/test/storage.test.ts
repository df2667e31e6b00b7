// Managed data volumes (MachineInventory.spec.storage) on a real kube-apiserver, the provider in the
// real host (the Manager) and simulated hosts: the API server refuses bad declarations naming the
// field; an unsafe one (InitializeIfBlank on a disk holding data, or without an approval) is
// refused on StoragePrepared with nothing written to the host; Prepare runs as a storage-prepare
// plan, fails on a plan failure and runs again on a retryNonce; a machine's reprovision plan
// activates the volumes and its delete deactivates them, the filesystem and data kept, the
// inventory back in its pool; and emptying the declaration releases them without a wipe.
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { ApiException, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializationApproval, type StorageStatus, type StorageVolume } from '../src/cloud/index.js';
import { createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ELEMENTAL = { group: 'elemental.cattle.io', version: 'v1beta1', plural: 'machineinventories' };
const VERSION = 'v1.33.7-2';
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
const POOL = 'storage-pool';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface Inventory {
  metadata: { uid: string; annotations?: Record<string, string> };
  spec?: { storage?: { volumes?: StorageVolume[]; retryNonce?: number } };
  status?: {
    storage?: StorageStatus;
    observedStorage?: {
      sequence?: number;
      devices?: {
        id: string;
        path?: string;
        filesystem?: { type: string; uuid?: string };
        mounts?: { path: string }[];
      }[];
    };
  };
}
interface MachineObject {
  status?: { phase?: string; ready?: boolean; conditions?: Condition[] };
}

let kubeConfig: KubeConfig;
let namespace: string;
let fleet: BaremetalFleet;
let fixtures: BaremetalFixtures;
let manager: Manager;

const inventory = async (name: string) =>
  (await fixtures.read<Inventory>(
    'elemental.cattle.io/v1beta1',
    'MachineInventory',
    namespace,
    name,
  )) as Inventory;
const condition = (conditions: readonly Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);
const device = (host: string, path: string) => fleet.host(host).devices.find((d) => d.path === path);

async function patchInventory(name: string, body: Record<string, unknown>) {
  return fixtures.custom.patchNamespacedCustomObject({ ...ELEMENTAL, namespace, name, body }, MERGE);
}

/** What the API server says to a patch it refuses (its message), or undefined when it took it. */
async function refusal(name: string, body: Record<string, unknown>): Promise<string | undefined> {
  try {
    await patchInventory(name, body);
    return undefined;
  } catch (error) {
    if (error instanceof ApiException) return String(error.body);
    throw error;
  }
}

const volume = (overrides: {
  name?: string;
  deviceID: string;
  policy?: 'Adopt' | 'InitializeIfBlank';
  type?: 'xfs' | 'ext4';
  expectedUUID?: string;
  path?: string;
  required?: boolean;
  options?: string[];
}): StorageVolume => ({
  name: overrides.name ?? 'cpaas-data',
  source: { deviceID: overrides.deviceID, minimumSize: '100Gi' },
  filesystem: {
    policy: overrides.policy ?? 'InitializeIfBlank',
    type: overrides.type ?? 'xfs',
    ...(overrides.expectedUUID ? { expectedUUID: overrides.expectedUUID } : {}),
  },
  mount: {
    path: overrides.path ?? '/var/cpaas',
    required: overrides.required ?? true,
    ...(overrides.options ? { options: overrides.options } : {}),
  },
});

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  namespace = await createTestNamespace(kubeConfig, 'baremetal-storage');
  fixtures = new BaremetalFixtures(kubeConfig);
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 3,
    namePrefix: 'store',
    pollMs: 50,
    durations: { reprovisionMs: 300, cleanMs: 100, otherMs: 100 },
  });
  await fixtures.imageCatalog(namespace, { [VERSION]: IMAGE });
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [
      createBaremetalProvider({ imageCatalogNamespace: namespace, pollMs: 100, poolRecheckMs: 200 }),
    ],
    log: createLogger({ level: process.env.STORAGE_TEST_LOG === '1' ? 'warn' : 'error' }),
  });
  void manager.start();
  await fixtures.cluster(namespace);
  await fixtures.pool(namespace, POOL, [{ name: 'store-1' }]);
});

afterAll(async () => {
  await manager?.stop();
  fleet?.stop();
});

describe('managed data volumes on simulated hosts', () => {
  it('the API server refuses a bad declaration, naming the field', async () => {
    const blank = device('store-3', '/dev/sdb')?.id ?? '';
    const cases: [StorageVolume, string, string][] = [
      [volume({ deviceID: '/dev/sdb' }), 'spec.storage.volumes[0].source.deviceID', 'stable id'],
      [
        volume({ deviceID: blank, policy: 'Adopt' }),
        'spec.storage.volumes[0].filesystem.expectedUUID',
        'required when policy is Adopt',
      ],
      [
        volume({ deviceID: blank, expectedUUID: 'x' }),
        'spec.storage.volumes[0].filesystem.expectedUUID',
        'forbidden',
      ],
      [
        volume({ deviceID: 'partuuid:1234-5678' }),
        'spec.storage.volumes[0].filesystem.policy',
        'only be adopted',
      ],
      [
        volume({ deviceID: blank, path: '/var/lib/kubelet/data' }),
        'spec.storage.volumes[0].mount.path',
        'protected',
      ],
      [volume({ deviceID: blank, path: '/var' }), 'spec.storage.volumes[0].mount.path', 'protected'],
      [volume({ deviceID: blank, path: '/data/../etc' }), 'spec.storage.volumes[0].mount.path', 'normalized'],
      [
        volume({ deviceID: blank, required: false }),
        'spec.storage.volumes[0].mount.required',
        '/var/cpaas must be required',
      ],
      [
        volume({ deviceID: blank, path: '/data/app', options: ['suid'] }),
        'spec.storage.volumes[0].mount.options',
        'may only hold',
      ],
    ];
    for (const [declared, field, words] of cases) {
      const message = await refusal('store-3', { spec: { storage: { volumes: [declared] } } });
      expect(message, field).toContain(field);
      expect(message, field).toContain(words);
    }
    const twice = await refusal('store-3', {
      spec: {
        storage: {
          volumes: [volume({ deviceID: blank }), volume({ name: 'other', deviceID: blank, path: '/data/x' })],
        },
      },
    });
    expect(twice).toContain('spec.storage.volumes');
    expect(twice).toContain('same source.deviceID');
    expect((await inventory('store-3')).spec?.storage).toBeUndefined();
  });

  it('refuses an unsafe declaration on StoragePrepared and writes nothing to the host', async () => {
    const host = await inventory('store-2');
    const withData = device('store-2', '/dev/sdc');
    const blank = device('store-2', '/dev/sdb');
    // A disk holding an xfs filesystem, declared InitializeIfBlank with a valid approval: refused.
    const unsafe = [volume({ deviceID: withData?.id ?? '' })];
    await patchInventory('store-2', {
      metadata: { annotations: initializationApproval(host.metadata.uid, unsafe, 1) },
      spec: { storage: { volumes: unsafe } },
    });
    const refused = await eventually('unsafe declaration refused', async () => {
      const storage = (await inventory('store-2')).status?.storage;
      return condition(storage?.conditions, 'StoragePrepared')?.reason === 'DeclarationRefused'
        ? storage
        : undefined;
    });
    const prepared = condition(refused.conditions, 'StoragePrepared');
    expect(prepared?.status).toBe('False');
    expect(prepared?.message).toContain('spec.storage.volumes[0].source.deviceID');
    expect(prepared?.message).toContain(`${withData?.id} is not blank`);
    expect(refused.phase).toBe('Failed');
    expect(refused.operation ?? undefined).toBeUndefined();

    // A blank disk without an approval: refused too, naming the approval.
    await patchInventory('store-2', {
      metadata: {
        annotations: {
          'storage.baremetal.alauda.io/initialization-approval-counter': null,
          'storage.baremetal.alauda.io/initialization-approval-hash': null,
        },
      },
      spec: { storage: { volumes: [volume({ deviceID: blank?.id ?? '' })] } },
    });
    const noApproval = await eventually('declaration without approval refused', async () => {
      const message = condition(
        (await inventory('store-2')).status?.storage?.conditions,
        'StoragePrepared',
      )?.message;
      return message?.includes('needs an initialization approval') ? message : undefined;
    });
    expect(noApproval).toContain(
      'metadata.annotations[storage.baremetal.alauda.io/initialization-approval-counter]',
    );
    // An approval made for another inventory does not count.
    const other = await inventory('store-3');
    const declared = [volume({ deviceID: blank?.id ?? '' })];
    await patchInventory('store-2', {
      metadata: { annotations: initializationApproval(other.metadata.uid, declared, 1) },
    });
    await eventually('foreign approval refused', async () =>
      condition(
        (await inventory('store-2')).status?.storage?.conditions,
        'StoragePrepared',
      )?.message?.includes('does not match this inventory'),
    );
    expect(fleet.host('store-2').executed).toEqual([]);
    expect(device('store-2', '/dev/sdc')?.filesystem).toEqual(withData?.filesystem);
    expect(device('store-2', '/dev/sdb')?.filesystem).toBeUndefined();
  });

  it('prepares through a storage-prepare plan: a plan failure fails the operation, a retryNonce runs it again', async () => {
    const host = await inventory('store-1');
    const blank = device('store-1', '/dev/sdb');
    const withData = device('store-1', '/dev/sdc');
    const volumes = [
      volume({ deviceID: blank?.id ?? '', options: ['noatime'] }),
      volume({
        name: 'application-data',
        deviceID: withData?.id ?? '',
        policy: 'Adopt',
        expectedUUID: withData?.filesystem?.uuid ?? '',
        path: '/data/application',
      }),
    ];
    fleet.failNextPlan('store-1', 'mkfs.xfs: cannot open device: I/O error');
    await patchInventory('store-1', {
      metadata: { annotations: initializationApproval(host.metadata.uid, volumes, 1) },
      spec: { storage: { retryNonce: 0, volumes } },
    });
    const failed = await eventually('prepare failed', async () => {
      const storage = (await inventory('store-1')).status?.storage;
      return storage?.operation?.phase === 'Failed' ? storage : undefined;
    });
    expect(failed.phase).toBe('Failed');
    expect(failed.operation?.type).toBe('Prepare');
    expect(failed.lastConsumedInitializationApprovalCounter).toBe(1);
    expect(condition(failed.conditions, 'StoragePrepared')).toMatchObject({
      status: 'False',
      reason: 'PrepareFailed',
    });
    expect(condition(failed.conditions, 'StoragePrepared')?.message).toContain('I/O error');
    expect(device('store-1', '/dev/sdb')?.filesystem).toBeUndefined();
    // Not allocatable meanwhile: the pool counts it unavailable and says why.
    const pool = await fixtures.read<{ status?: { unavailable?: number; conditions?: Condition[] } }>(
      INFRA,
      'MachineInventoryPool',
      namespace,
      POOL,
    );
    expect(condition(pool?.status?.conditions, 'MembersValid')?.message).toContain(
      'MachineInventory store-1: storage',
    );

    await patchInventory('store-1', { spec: { storage: { retryNonce: 1, volumes } } });
    const done = await eventually('prepared after the retry', async () => {
      const storage = (await inventory('store-1')).status?.storage;
      return storage?.phase === 'Prepared' ? storage : undefined;
    });
    expect(done.operation ?? null).toBeNull();
    expect(done.lastConsumedRetryNonce).toBe(1);
    expect(condition(done.conditions, 'StoragePrepared')).toMatchObject({
      status: 'True',
      reason: 'AllRequiredVolumesPrepared',
    });
    expect(condition(done.conditions, 'StorageActive')).toMatchObject({
      status: 'False',
      reason: 'Inactive',
    });
    const cpaas = done.appliedVolumes?.find((v) => v.name === 'cpaas-data');
    expect(device('store-1', '/dev/sdb')?.filesystem).toEqual({ type: 'xfs', uuid: cpaas?.filesystemUUID });
    expect(done.appliedVolumes?.find((v) => v.name === 'application-data')?.filesystemUUID).toBe(
      withData?.filesystem?.uuid,
    );
    expect(device('store-1', '/dev/sdc')?.filesystem).toEqual(withData?.filesystem);
    expect(device('store-1', '/dev/sdb')?.mounts).toBeUndefined();
    expect(fleet.host('store-1').executed.map((p) => [p.type, p.outcome])).toEqual([
      ['storage-prepare', 'Failed'],
      ['storage-prepare', 'Applied'],
    ]);
  });

  it('activates the volumes with the reprovision plan and deactivates them on delete, keeping filesystem and data', async () => {
    const before = (await inventory('store-1')).status?.storage;
    const uuid = before?.appliedVolumes?.find((v) => v.name === 'cpaas-data')?.filesystemUUID;
    await fixtures.machine(namespace, 'store-machine', POOL, VERSION);
    const running = await eventually('machine running', async () => {
      const m = await fixtures.read<MachineObject>(INFRA, 'BaremetalMachine', namespace, 'store-machine');
      return m?.status?.phase === 'Running' ? m : undefined;
    });
    expect(condition(running.status?.conditions, 'StorageReady')).toMatchObject({
      status: 'True',
      reason: 'AllVolumesReady',
    });
    const active = (await inventory('store-1')).status?.storage;
    expect(active?.phase).toBe('Active');
    expect(condition(active?.conditions, 'StorageActive')).toMatchObject({
      status: 'True',
      reason: 'AllRequiredVolumesActive',
    });
    const reprovision = fleet.host('store-1').executed.find((p) => p.type === 'reprovision');
    expect(reprovision?.files['/etc/systemd/system/var-cpaas.mount']).toContain(
      `What=/dev/disk/by-uuid/${uuid}`,
    );
    expect(reprovision?.files['/etc/systemd/system/var-cpaas.mount']).toContain(
      'Options=nodev,nosuid,noatime',
    );
    expect(
      reprovision?.files['/etc/systemd/system/kubelet.service.d/10-managed-data-volumes.conf'],
    ).toContain('RequiresMountsFor=/var/cpaas /data/application');
    expect(device('store-1', '/dev/sdb')?.mounts?.map((m) => m.path)).toEqual(['/var/cpaas']);

    // The declaration is frozen while a machine holds the host: a change is refused on
    // StoragePrepared and nothing runs; putting it back lets the delete deactivate as usual.
    const declared = (await inventory('store-1')).spec?.storage?.volumes ?? [];
    await patchInventory('store-1', {
      spec: {
        storage: {
          volumes: [...declared, volume({ name: 'late', deviceID: 'wwn:0x0000', path: '/data/late' })],
        },
      },
    });
    const frozen = await eventually('change refused while allocated', async () => {
      const prepared = condition((await inventory('store-1')).status?.storage?.conditions, 'StoragePrepared');
      return prepared?.reason === 'DeclarationChangedWhileAllocated' ? prepared : undefined;
    });
    expect(frozen.message).toContain('only while it is unallocated');
    expect((await inventory('store-1')).status?.storage?.phase).toBe('Active');
    await patchInventory('store-1', { spec: { storage: { volumes: declared } } });

    await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'store-machine');
    await eventually(
      'machine gone',
      async () => (await fixtures.read(INFRA, 'BaremetalMachine', namespace, 'store-machine')) === undefined,
    );
    const after = await inventory('store-1');
    expect(after.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe('Available');
    expect(after.status?.storage?.phase).toBe('Prepared');
    expect(condition(after.status?.storage?.conditions, 'StorageActive')).toMatchObject({
      status: 'False',
      reason: 'Inactive',
    });
    expect(after.spec?.storage?.volumes?.map((v) => v.name)).toEqual(['cpaas-data', 'application-data']);
    expect(device('store-1', '/dev/sdb')?.filesystem).toEqual({ type: 'xfs', uuid });
    expect(device('store-1', '/dev/sdb')?.mounts).toBeUndefined();
    expect(
      fleet
        .host('store-1')
        .executed.map((p) => [p.type, p.outcome])
        .slice(2),
    ).toEqual([
      ['reprovision', 'Applied'],
      ['clean', 'Applied'],
    ]);
  });

  it('releases the volumes when the declaration is emptied: ownership gone, filesystem and data kept', async () => {
    const uuid = device('store-1', '/dev/sdb')?.filesystem?.uuid;
    await patchInventory('store-1', { spec: { storage: { volumes: [] } } });
    const released = await eventually('released', async () => {
      const storage = (await inventory('store-1')).status?.storage;
      return storage?.phase === 'Unmanaged' ? storage : undefined;
    });
    expect(condition(released.conditions, 'StoragePrepared')).toMatchObject({
      status: 'True',
      reason: 'NoManagedVolumes',
    });
    expect(released.appliedVolumes).toEqual([]);
    expect(released.operation ?? null).toBeNull();
    expect(fleet.host('store-1').executed.at(-1)).toMatchObject({
      type: 'storage-release',
      outcome: 'Applied',
    });
    expect(device('store-1', '/dev/sdb')?.filesystem).toEqual({ type: 'xfs', uuid });
  });
});
