// The documented migration of a cluster made before persistent disks (the how-to "Migrate Existing
// Huawei DCS Clusters to Pool-Managed Persistent Disks"): the DCSMachineTemplate is edited in place to
// drop the disks to keep, the pool entry declares them at slot = sequenceNum - 1 - data disks - 1, and
// the rolling replacement claims each from the old VM, detaches it, converts the stock volume to an
// independent shared one, deletes the old VM and attaches the same volume to the replacement. On the
// real host and API server, against the DCS simulator.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { SeededRandom } from '@immutable-infra/simulator-kit';
import {
  ChaosReport,
  CrashCampaign,
  captureLog,
  chaosSettings,
  eventually,
  mostRepeated,
  spawnManagerProcess,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, expect, inject, it, onTestFinished } from 'vitest';
import { DcsClient, DcsSessionPool } from '../../src/cloud/index.js';
import { persistentVolumeName } from '../../src/controllers/persistent-disks.js';
import { createDcsProvider } from '../../src/provider.js';
import { succeeded } from '../cloud/simulator.js';
import { DcsFixtures, INFRA } from './dcs-fixtures.ts';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
const managers: Manager[] = [];
const managerLog = captureLog();

beforeAll(() => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

/** A simulator of the test's own: volume names come from pool, IP and slot, which every test shares. */
async function ownSimulator(faults: Record<string, unknown> = { taskSeconds: 0.05 }): Promise<DcsSimulator> {
  const sim = await startDcsSimulator({ faults });
  onTestFinished(() => sim.close());
  return sim;
}

function startManager(namespace: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createDcsProvider({ sessions: { timeoutMs: 1_500 } })],
    log: createLogger({ level: 'debug', destination: managerLog.destination }),
  });
  managers.push(manager);
  void manager.start();
}

const TEMPLATE = 'cp-template';
const DISK = { datastoreClusterName: 'ssd-pool' };
/** The old layout: kubelet (seq 2), etcd (seq 3), /var/cpaas (seq 4) as template disks. */
const OLD_DISKS = [
  { quantity: 0, systemVolume: true, ...DISK },
  { quantity: 20, path: '/var/lib/kubelet', format: 'xfs', ...DISK },
  { quantity: 10, path: '/var/lib/etcd', format: 'xfs', ...DISK },
  { quantity: 40, path: '/var/cpaas', format: 'xfs', datastoreName: 'datastore-ssd-01' },
];
/** The template edited in place: /var/cpaas goes to the pool, so 2 data disks stay, and slot = 4 - 1 - 2 - 1 = 0. */
const NEW_DISKS = OLD_DISKS.slice(0, 3);
const CPAAS = {
  slot: 0,
  quantityGB: 40,
  datastoreName: 'datastore-ssd-01',
  path: '/var/cpaas',
  format: 'xfs',
};

function machineSpec(disks: readonly Record<string, unknown>[]) {
  return {
    vmTemplateName: 'ubuntu-2204-k8s-v1.34',
    location: { type: 'folder', name: 'kubernetes' },
    ipHostPoolRef: { name: 'cp-pool' },
    vmConfig: {
      dcsMachineCpuSpec: { quantity: 4 },
      dcsMachineMemorySpec: { quantity: 8192 },
      dcsMachineDiskSpec: disks,
      cdRomDatastoreName: 'datastore-nas-01',
    },
  };
}

class Migration {
  readonly custom: CustomObjectsApi;
  constructor(
    readonly fixtures: DcsFixtures,
    readonly namespace: string,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async createTemplate(): Promise<void> {
    await this.fixtures.apply({
      apiVersion: INFRA,
      kind: 'DCSMachineTemplate',
      metadata: { name: TEMPLATE, namespace: this.namespace },
      spec: { template: { spec: machineSpec(OLD_DISKS) } },
    });
  }

  /** A control plane machine as Cluster API clones it from the template (spec and cloned-from annotations). */
  async createMachine(name: string, disks: readonly Record<string, unknown>[]): Promise<void> {
    const { namespace } = this;
    const labels = { 'cluster.x-k8s.io/cluster-name': 'demo', 'cluster.x-k8s.io/control-plane': '' };
    await this.fixtures.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-bootstrap`, namespace },
      stringData: { value: JSON.stringify({ ignition: { version: '3.4.0' } }), format: 'ignition' },
    });
    const machine = await this.fixtures.apply({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata: { name, namespace, labels },
      spec: {
        clusterName: 'demo',
        bootstrap: { dataSecretName: `${name}-bootstrap` },
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSMachine', name },
      },
    });
    await this.fixtures.apply({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          'cluster.x-k8s.io/cloned-from-name': TEMPLATE,
          'cluster.x-k8s.io/cloned-from-groupkind': 'DCSMachineTemplate.infrastructure.cluster.x-k8s.io',
        },
        ownerReferences: [
          { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine', name, uid: machine.metadata?.uid },
        ],
      },
      spec: machineSpec(disks),
    });
  }

  /** The documented edits: the template in place without the kept disk, then the pool entries declaring it. */
  async migrate(entries: number, disk: Record<string, unknown> = CPAAS): Promise<void> {
    await this.custom.patchNamespacedCustomObject({
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace: this.namespace,
      plural: 'dcsmachinetemplates',
      name: TEMPLATE,
      body: [{ op: 'replace', path: '/spec/template/spec/vmConfig/dcsMachineDiskSpec', value: NEW_DISKS }],
    });
    await this.custom.patchNamespacedCustomObject({
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace: this.namespace,
      plural: 'dcsiphostnamepools',
      name: 'cp-pool',
      body: Array.from({ length: entries }, (_, i) => ({
        op: 'add',
        path: `/spec/pool/${i}/persistentDisk`,
        value: [disk],
      })),
    });
  }

  async allReady(names: string[]): Promise<true | undefined> {
    const states = await Promise.all(
      names.map(
        async (n) =>
          (await this.fixtures.read<{ status?: { ready?: boolean } }>('DCSMachine', this.namespace, n))
            ?.status?.ready,
      ),
    );
    return states.every(Boolean) || undefined;
  }

  ready(names: string[]) {
    return eventually(`${names.join(', ')} ready`, () => this.allReady(names), 120_000);
  }

  gone(name: string) {
    return eventually(
      `${name} gone`,
      async () => (await this.fixtures.read('DCSMachine', this.namespace, name)) === undefined || undefined,
      120_000,
    );
  }

  delete(name: string) {
    return objects.delete({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: { name, namespace: this.namespace },
    });
  }

  record(ip: string) {
    return this.fixtures
      .read<{ status?: { persistentDiskStatus?: DiskRecord[] } }>(
        'DCSIpHostnamePool',
        this.namespace,
        'cp-pool',
      )
      .then((pool) => pool?.status?.persistentDiskStatus?.find((r) => r.ip === ip));
  }
}

type DiskRecord = {
  ip: string;
  slot: number;
  phase?: string;
  lastError?: string;
  volumeUrn?: string;
  attachedVmUrn?: string;
  ownerMachineName?: string;
};

/** The disk of a VM at a sequence number, as DCS lists it. */
function diskAt(sim: DcsSimulator, vmName: string, sequenceNum: number) {
  return sim
    .state()
    .vms.find((vm) => vm.name === vmName)
    ?.vmConfig.disks.find((d) => d.sequenceNum === sequenceNum);
}

it('claims the template disk of a legacy VM at its sequence number and carries it, converted, to the replacement machine', async () => {
  const sim = await ownSimulator();
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-migrate');
  const migration = new Migration(fixtures, namespace);
  startManager(namespace);
  // A cluster from before persistent disks: its VM got /var/cpaas from the template, at sequence 4.
  await fixtures.createCluster(namespace, 'Huawei@123', namespace, 1, 0);
  await migration.createTemplate();
  await migration.createMachine('legacy-1', OLD_DISKS);
  await migration.ready(['legacy-1']);
  const vmName = `${namespace}-vm-1`;
  const oldVm = sim.state().vms.find((vm) => vm.name === vmName);
  const legacy = diskAt(sim, vmName, 4);
  expect(legacy).toMatchObject({ quantityGB: 40, type: 'normal', indepDisk: false });
  const others = [2, 3].map((n) => diskAt(sim, vmName, n)?.volumeUrn);

  await migration.migrate(1);
  const name = persistentVolumeName('cp-pool', '10.0.1.11', 0);
  // Before the rollout the pool shows the disk the old VM still owns, as documented.
  const attached = await eventually('the pool shows the legacy disk Attached', async () => {
    const record = await migration.record('10.0.1.11');
    return record?.phase === 'Attached' ? record : undefined;
  });
  expect(attached).toMatchObject({ slot: 0, volumeUrn: legacy?.volumeUrn, attachedVmUrn: oldVm?.urn });

  // The rolling replacement with maxSurge 0: the old machine goes first.
  await migration.delete('legacy-1');
  await migration.gone('legacy-1');
  const kept = sim.state().volumes.find((v) => v.urn === legacy?.volumeUrn);
  expect(kept).toMatchObject({ name, status: 'FREE', type: 'share', indepDisk: true, persistentDisk: true });
  // The disks the new template still has went with the old VM; nothing was created.
  expect(sim.state().volumes.filter((v) => others.includes(v.urn))).toEqual([]);
  expect(sim.state().creates.volumes).toBe(0);
  expect(sim.state().volumeModifyBodies).toEqual([
    { volumeUrn: legacy?.volumeUrn, body: { name } },
    { volumeUrn: legacy?.volumeUrn, body: { type: 'share' } },
  ]);
  await eventually('the pool shows the disk Available', async () => {
    const record = await migration.record('10.0.1.11');
    return record?.phase === 'Available' && record.volumeUrn === legacy?.volumeUrn ? record : undefined;
  });

  await migration.createMachine('new-1', NEW_DISKS);
  await migration.ready(['new-1']);
  const newVm = sim.state().vms.find((vm) => vm.name === vmName);
  expect(newVm?.urn).not.toBe(oldVm?.urn);
  // Right after the new template's two data disks: the same volume, at the same sequence number.
  expect(diskAt(sim, vmName, 4)?.volumeUrn).toBe(legacy?.volumeUrn);
  expect(newVm?.vmConfig.disks.map((d) => d.sequenceNum)).toEqual([1, 2, 3, 4]);
  expect(sim.state().creates.volumes).toBe(0);
  expect(sim.state().volumes.filter((v) => v.name === name)).toHaveLength(1);
  await eventually('the pool shows the disk Attached to the replacement', async () => {
    const record = await migration.record('10.0.1.11');
    return record?.phase === 'Attached' &&
      record.attachedVmUrn === newVm?.urn &&
      record.ownerMachineName === 'new-1'
      ? record
      : undefined;
  });
}, 240_000);

it('claims a volume that was attached to a legacy VM as an ordinary volume, as it claims a template disk', async () => {
  const sim = await ownSimulator();
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-migrate-vol');
  const migration = new Migration(fixtures, namespace);
  startManager(namespace);
  await fixtures.createCluster(namespace, 'Huawei@123', namespace, 1, 0);
  await migration.createTemplate();
  // The template never had /var/cpaas: an operator made a volume and attached it at sequence 4.
  await migration.createMachine('legacy-1', NEW_DISKS);
  await migration.ready(['legacy-1']);
  const vmName = `${namespace}-vm-1`;
  const sessions = new DcsSessionPool();
  onTestFinished(() => sessions.closeAll());
  const client = new DcsClient(
    sessions.session({ endpoint: sim.url, user: 'cluster-api', key: 'Huawei@123' }),
  );
  const datastore = await client.resolveDatastore('datastore-ssd-01');
  const made = await client.createVolume({
    name: 'cpaas-by-hand',
    quantityGB: 40,
    datastoreUrn: datastore.urn,
  });
  await succeeded(client, made.taskUri);
  const vm = sim.state().vms.find((v) => v.name === vmName);
  await succeeded(client, (await client.attachVolume(vm?.uri as string, made.volumeUrn, 4)).taskUri);
  expect(sim.state().volumes.find((v) => v.urn === made.volumeUrn)).toMatchObject({ indepDisk: false });

  await migration.migrate(1);
  await migration.delete('legacy-1');
  await migration.gone('legacy-1');
  expect(sim.state().volumes.find((v) => v.urn === made.volumeUrn)).toMatchObject({
    name: persistentVolumeName('cp-pool', '10.0.1.11', 0),
    status: 'FREE',
    type: 'share',
    indepDisk: true,
  });
  // Only the operator's own volume was ever created.
  expect(sim.state().creates.volumes).toBe(1);
}, 180_000);

it('refuses to claim a legacy disk that differs from the declaration or is not there (Error with lastError), deleting nothing until the pool is corrected', async () => {
  const sim = await ownSimulator();
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-migrate-bad');
  const migration = new Migration(fixtures, namespace);
  startManager(namespace);
  await fixtures.createCluster(namespace, 'Huawei@123', namespace, 2, 0);
  await migration.createTemplate();
  await migration.createMachine('legacy-1', OLD_DISKS);
  await migration.createMachine('legacy-2', OLD_DISKS);
  await migration.ready(['legacy-1', 'legacy-2']);
  const legacy = diskAt(sim, `${namespace}-vm-1`, 4);
  const ip = (n: number) => `10.0.1.1${n}`;
  // Which machine took which entry is up to the claim order; entry n's VM is `<namespace>-vm-<n>`.
  const holder = async (n: number) =>
    (
      await fixtures.read<{ status?: { slots?: { ip: string; dcsMachine: string }[] } }>(
        'DCSIpHostnamePool',
        namespace,
        'cp-pool',
      )
    )?.status?.slots?.find((s) => s.ip === ip(n))?.dcsMachine;
  const first = (await holder(1)) as string;
  const vmOf = (n: number) => `${namespace}-vm-${n}`;

  // Entry 1 declares 50 GB where the old VM's disk has 40; entry 2 a slot whose sequence number the
  // old VM has no disk at (slot 1 is sequence 5).
  await migration.custom.patchNamespacedCustomObject({
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta1',
    namespace,
    plural: 'dcsmachinetemplates',
    name: TEMPLATE,
    body: [{ op: 'replace', path: '/spec/template/spec/vmConfig/dcsMachineDiskSpec', value: NEW_DISKS }],
  });
  await migration.custom.patchNamespacedCustomObject({
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta1',
    namespace,
    plural: 'dcsiphostnamepools',
    name: 'cp-pool',
    body: [
      { op: 'add', path: '/spec/pool/0/persistentDisk', value: [{ ...CPAAS, quantityGB: 50 }] },
      { op: 'add', path: '/spec/pool/1/persistentDisk', value: [{ ...CPAAS, slot: 1 }] },
    ],
  });
  const tooBig = `persistent disk ${ip(1)}/0 (sequenceNum 4 on VM ${vmOf(1)}): quantityGB is 50 but the disk has 40 GB; correct quantityGB to match it`;
  const missing = `persistent disk ${ip(2)}/1 (sequenceNum 5 on VM ${vmOf(2)}): the VM has no disk to claim there; its disks past the template's 2 data disks are at sequenceNum 4; correct slot (slot = sequenceNum - 1 - template data disks - 1)`;
  const errors = await eventually('both records in Error', async () => {
    const records = [await migration.record(ip(1)), await migration.record(ip(2))];
    return records.every((r) => r?.phase === 'Error') ? records : undefined;
  });
  expect(errors[0]).toMatchObject({ lastError: tooBig, volumeUrn: legacy?.volumeUrn });
  expect(errors[1]).toMatchObject({ lastError: missing });
  expect(errors[1]?.volumeUrn).toBeUndefined();

  // The rollout reaches the first machine: it says why on VMReady and keeps its VM.
  await migration.delete(first);
  const refused = await eventually('PersistentDiskError on the machine being deleted', async () => {
    const m = await fixtures.read<{ status?: { conditions?: { reason?: string; message?: string }[] } }>(
      'DCSMachine',
      namespace,
      first,
    );
    return m?.status?.conditions?.find((c) => c.reason === 'PersistentDiskError');
  });
  expect(refused.message).toBe(tooBig);
  expect(sim.state().vms.find((vm) => vm.name === vmOf(1))?.status).toBe('running');
  expect(sim.state().volumes.find((v) => v.urn === legacy?.volumeUrn)?.vmUrn).toBeTruthy();
  expect(sim.state().volumeModifyBodies).toEqual([]);
  expect(sim.state().creates.volumes).toBe(0);

  // Corrected, the claim goes through and the deletion finishes with the disk kept.
  await migration.custom.patchNamespacedCustomObject({
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta1',
    namespace,
    plural: 'dcsiphostnamepools',
    name: 'cp-pool',
    body: [{ op: 'replace', path: '/spec/pool/0/persistentDisk/0/quantityGB', value: 40 }],
  });
  await migration.gone(first);
  expect(sim.state().volumes.find((v) => v.urn === legacy?.volumeUrn)).toMatchObject({
    name: persistentVolumeName('cp-pool', ip(1), 0),
    status: 'FREE',
    type: 'share',
  });
  // The second entry's machine is left as it is: its VM keeps every disk.
  expect(sim.state().vms.find((vm) => vm.name === vmOf(2))?.vmConfig.disks).toHaveLength(4);
}, 240_000);

const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const CHAOS = chaosSettings({ killsPerPhase: 6, seed: 20261204 });
const LEGACY = 3;
let campaign: CrashCampaign | undefined;
afterAll(() => campaign?.stop());

it(`claims every legacy disk once, never creating, losing or swapping one, when the manager is killed ${CHAOS.killsPerPhase} times during the migration on an unkind platform`, {
  timeout: 600_000,
}, async () => {
  const sim = await ownSimulator({
    taskSeconds: 0.3,
    createLagSeconds: 1.5,
    lostReplyRate: 0.05,
    seed: CHAOS.seed,
  });
  const fixtures = new DcsFixtures(objects, sim.url);
  const namespace = await createTestNamespace(kubeConfig, 'dcs-migrate-crash');
  const migration = new Migration(fixtures, namespace);
  const report = new ChaosReport('dcs-migration', CHAOS);
  const startProcess = (): ChildProcess =>
    spawnManagerProcess({ provider, kubeconfigPath: inject('iinfraKubeconfigPath'), namespace });
  const kills = new CrashCampaign({
    start: startProcess,
    random: new SeededRandom(CHAOS.seed),
    spreadMs: 1_600,
    report,
  });
  campaign = kills;
  const old = Array.from({ length: LEGACY }, (_, i) => `legacy-${i + 1}`);
  const replacements = Array.from({ length: LEGACY }, (_, i) => `new-${i + 1}`);

  await fixtures.createCluster(namespace, 'Huawei@123', namespace, LEGACY, 0);
  await migration.createTemplate();
  await kills.phase(
    'legacy cluster',
    0,
    async () => {
      for (const name of old) await migration.createMachine(name, OLD_DISKS);
    },
    () => migration.allReady(old),
  );
  // Which volume each entry's VM has at sequence 4: the one its persistent disk must stay.
  const vmNames = Array.from({ length: LEGACY }, (_, i) => `${namespace}-vm-${i + 1}`);
  const legacyOf = new Map(vmNames.map((vm) => [vm, diskAt(sim, vm, 4)?.volumeUrn]));
  expect([...legacyOf.values()].every(Boolean)).toBe(true);
  const createdBefore = sim.state().creates.volumes;

  let worstDuplicate = 0;
  const watching = setInterval(() => {
    const names = sim
      .state()
      .volumes.map((v) => v.name)
      .filter((n) => n.startsWith('cp-pool-'));
    worstDuplicate = Math.max(worstDuplicate, mostRepeated(names));
  }, 20);
  try {
    await migration.migrate(LEGACY);
    await kills.phase(
      'migration',
      CHAOS.killsPerPhase,
      async () => {
        for (const name of old) await migration.delete(name);
        for (const name of replacements) await migration.createMachine(name, NEW_DISKS);
      },
      async () => {
        const left = await Promise.all(old.map((n) => fixtures.read('DCSMachine', namespace, n)));
        if (left.some(Boolean)) return undefined;
        return migration.allReady(replacements);
      },
    );
  } finally {
    clearInterval(watching);
  }

  const state = sim.state();
  const misplaced = vmNames.filter((vm, i) => {
    const volume = state.volumes.find((v) => v.urn === legacyOf.get(vm));
    const now = state.vms.find((v) => v.name === vm);
    return !(
      volume?.name === persistentVolumeName('cp-pool', `10.0.1.1${i + 1}`, 0) &&
      volume.vmUrn === now?.urn &&
      volume.type === 'share' &&
      diskAt(sim, vm, 4)?.volumeUrn === volume.urn
    );
  });
  report.damage = {
    'volumes created': state.creates.volumes - createdBefore,
    'duplicate volumes': Math.max(0, worstDuplicate - 1),
    'legacy disks lost or on the wrong VM': misplaced.length,
  };
  report.write();
  expect(report.damage).toEqual({
    'volumes created': 0,
    'duplicate volumes': 0,
    'legacy disks lost or on the wrong VM': 0,
  });
});
