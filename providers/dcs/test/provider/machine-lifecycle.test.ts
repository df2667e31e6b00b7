import { createHash } from 'node:crypto';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { captureLog, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { bootstrapFiles, ignitionProblems, readIsoFile } from '@immutable-infra/workload-sim';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DcsClient, DcsSessionPool } from '../../src/cloud/index.js';
import { controlPlaneRuleName } from '../../src/controllers/control-plane-ha.js';
import { persistentVolumeName } from '../../src/controllers/persistent-disks.js';
import { createDcsProvider } from '../../src/provider.js';
import { DcsFixtures, INFRA, isBootstrapIsoOf } from './dcs-fixtures.ts';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let sim: DcsSimulator;
let fixtures: DcsFixtures;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  fixtures = new DcsFixtures(objects, sim.url);
});

afterEach(async () => {
  // Each test's manager goes with it, so later tests share the machine with nobody.
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await sim?.close();
});

const managerLog = captureLog();

function startManager(namespace: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace,
    // A short request timeout so the timeout fault costs seconds, not minutes.
    providers: [createDcsProvider({ sessions: { timeoutMs: 1_500 } })],
    log: createLogger({ level: 'debug', destination: managerLog.destination }),
  });
  managers.push(manager);
  void manager.start();
}

/** Sets Machine.status.nodeRef, as Cluster API does once the Node registers. */
async function setNodeRef(namespace: string, name: string, node: string): Promise<void> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = { group: 'cluster.x-k8s.io', version: 'v1beta2', namespace, plural: 'machines', name };
  const machine = (await custom.getNamespacedCustomObject(target)) as { status?: Record<string, unknown> };
  await custom.replaceNamespacedCustomObjectStatus({
    ...target,
    body: { ...machine, status: { ...machine.status, nodeRef: { name: node } } },
  });
}

type Status = {
  ready?: boolean;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
};

describe('the DCS provider on the real host, against the DCS simulator', () => {
  it('provisions a DCSCluster and a DCSMachine, then deletes the machine and frees its pool entry', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-life');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');

    const cluster = await eventually('DCSCluster ready', async () => {
      const c = await fixtures.read<{ spec: { controlPlaneEndpoint?: unknown }; status?: Status }>(
        'DCSCluster',
        namespace,
        'demo',
      );
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '10.0.1.100', port: 6443 });

    await fixtures.createMachine(namespace, 'demo-cp-1');
    const machine = await eventually('DCSMachine ready', async () => {
      const m = await fixtures.read<{
        spec: { providerID?: string };
        status?: Status & { addresses?: unknown };
      }>('DCSMachine', namespace, 'demo-cp-1');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.spec.providerID).toBe('dcs://demo-cp-1');
    expect(machine.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.0.1.11' },
      { type: 'Hostname', address: 'cp-1' },
    ]);

    const vm = sim.state().vms.find((v) => v.name === `${namespace}-vm-1`);
    expect(vm?.status).toBe('running');
    expect(vm?.cdRomStatus).toBe('attached');
    expect(vm?.vmConfig.cpu.quantity).toBe(4);
    expect(vm?.vmConfig.memory.quantityMB).toBe(8192);
    expect(vm?.vmConfig.nics.map((n) => n.ip)).toEqual(['10.0.1.11', '10.0.2.11']);
    expect(vm?.vmConfig.disks.map((d) => d.quantityGB)).toContain(100);
    expect(sim.state().uploads.filter((u) => isBootstrapIsoOf('demo-cp-1', u.fileName))).toHaveLength(1);
    const pool = await fixtures.read<{
      status?: { slots?: { ip: string; dcsMachine: string }[]; used?: number };
    }>('DCSIpHostnamePool', namespace, 'cp-pool');
    expect(pool?.status?.slots?.map((s) => `${s.ip}=${s.dcsMachine}`)).toEqual(['10.0.1.11=demo-cp-1']);

    await objects.delete({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: { name: 'demo-cp-1', namespace },
    });
    await eventually(
      'DCSMachine gone',
      async () => (await fixtures.read('DCSMachine', namespace, 'demo-cp-1')) === undefined,
    );
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)).toBeUndefined();
    // It was stopped (safely: the controller only ever asks for mode safe) before it was deleted.
    const taskTypes = sim
      .state()
      .tasks.filter((t) => t.entityUrn === vm?.urn)
      .map((t) => t.type);
    expect(taskTypes.indexOf('StopVm')).toBeGreaterThanOrEqual(0);
    expect(taskTypes.indexOf('StopVm')).toBeLessThan(taskTypes.indexOf('DeleteVm'));
    expect(sim.state().uploads.filter((u) => isBootstrapIsoOf('demo-cp-1', u.fileName))).toEqual([]);
    const released = await fixtures.read<{ status?: { slots?: unknown[] } }>(
      'DCSIpHostnamePool',
      namespace,
      'cp-pool',
    );
    expect(released?.status?.slots ?? []).toEqual([]);
  });

  it('reports wrong credentials on the DCSCluster without showing the key, and logs in only once', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-badkey');
    const loginsBefore = sim.state().logins.failed;
    startManager(namespace);
    await fixtures.createCluster(namespace, 'not-the-password-4711');
    const condition = await eventually('CredentialsReady False', async () => {
      const c = await fixtures.read<{ status?: Status }>('DCSCluster', namespace, 'demo');
      return c?.status?.conditions?.find((x) => x.type === 'CredentialsReady' && x.status === 'False');
    });
    expect(condition.reason).toBe('LoginFailed');
    expect(condition.message).toMatch(/user|key|password|credential/i);
    const status = JSON.stringify(await fixtures.read('DCSCluster', namespace, 'demo'));
    expect(status).not.toContain('not-the-password-4711');
    expect(sim.state().logins.failed - loginsBefore).toBe(1);
  });

  it('refuses a plain http:// endpoint the Secret does not accept, naming the key to set; with allowPlainHTTP it connects and warns in SecureConnection', async () => {
    const refusedNs = await createTestNamespace(kubeConfig, 'dcs-plain');
    const loginsBefore = sim.state().logins.total;
    await fixtures.createCluster(refusedNs, 'Huawei@123');
    // The simulator's endpoint is http://; take the Secret's consent away before any reconcile.
    await objects.patch(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'dcs-auth', namespace: refusedNs },
        data: { allowPlainHTTP: null },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    startManager(refusedNs);
    const refused = await eventually('CredentialsReady False', async () => {
      const c = await fixtures.read<{ status?: Status }>('DCSCluster', refusedNs, 'demo');
      return c?.status?.conditions?.find((x) => x.type === 'CredentialsReady' && x.status === 'False');
    });
    expect(refused.reason).toBe('CredentialSecretInvalid');
    expect(refused.message).toBe(
      `Secret ${refusedNs}/dcs-auth: endpoint uses plain http://, which sends the credential unencrypted: use https://, or set allowPlainHTTP: "true" in the Secret to accept that`,
    );
    expect(sim.state().logins.total).toBe(loginsBefore);

    // The same cluster whose Secret accepts plain HTTP logs in, and its conditions repeat the risk.
    const acceptedNs = await createTestNamespace(kubeConfig, 'dcs-plain-ok');
    startManager(acceptedNs);
    await fixtures.createCluster(acceptedNs, 'Huawei@123');
    const conditions = await eventually('CredentialsReady True', async () => {
      const c = await fixtures.read<{ status?: Status }>('DCSCluster', acceptedNs, 'demo');
      const all = c?.status?.conditions ?? [];
      return all.some((x) => x.type === 'CredentialsReady' && x.status === 'True') ? all : undefined;
    });
    expect(conditions.find((x) => x.type === 'SecureConnection')).toMatchObject({
      status: 'False',
      reason: 'PlainHTTPAllowed',
      severity: 'Warning',
      message:
        'plain HTTP is allowed (allowPlainHTTP): the credential and session tokens cross the network unencrypted',
    });
  });

  it('uses a rotated password on the next call and logs the old session out, never trying the old key again', async () => {
    // A site of its own: the password changes for every client of the site.
    const site = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
    try {
      const siteFixtures = new DcsFixtures(objects, site.url);
      const namespace = await createTestNamespace(kubeConfig, 'dcs-rotate');
      startManager(namespace);
      await siteFixtures.createCluster(namespace, 'Huawei@123');
      await siteFixtures.createMachine(namespace, 'before-1');
      await eventually(
        'before-1 ready',
        async () =>
          (await siteFixtures.read<{ status?: Status }>('DCSMachine', namespace, 'before-1'))?.status?.ready,
      );
      const [oldSession, ...others] = site.state().sessions;
      expect(others).toEqual([]);
      const loginsBefore = site.state().logins;

      // The administrator changes the password on DCS, then the operator puts it into the Secret.
      site.setUserPassword('cluster-api', 'Rotated@2026');
      await objects.patch(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'dcs-auth', namespace },
          stringData: { authKey: 'Rotated@2026' },
        },
        undefined,
        undefined,
        'test',
        undefined,
        PatchStrategy.MergePatch,
      );
      await siteFixtures.createMachine(namespace, 'after-1');
      await eventually(
        'after-1 ready',
        async () =>
          (await siteFixtures.read<{ status?: Status }>('DCSMachine', namespace, 'after-1'))?.status?.ready,
      );
      const state = await eventually('the old session logged out', () => {
        const now = site.state();
        return now.sessions.some((s) => s.token === oldSession?.token) ? undefined : now;
      });
      // One new login, with the new key: the old key was never sent again (it would have failed).
      expect(state.logins.total - loginsBefore.total).toBe(1);
      expect(state.logins.failed - loginsBefore.failed).toBe(0);
      expect(state.sessions).toHaveLength(1);
      expect(state.vms.filter((vm) => vm.name.startsWith(`${namespace}-`) && !vm.isTemplate)).toHaveLength(2);
    } finally {
      await Promise.all(managers.splice(0).map((manager) => manager.stop()));
      await site.close();
    }
  });

  it('says so on the DCSMachine, with an Event, when its pool has no free entry', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-full');
    const loginsBefore = sim.state().logins.total;
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    for (const name of ['full-1', 'full-2', 'full-3']) await fixtures.createMachine(namespace, name);
    const condition = await eventually('PoolExhausted on one machine', async () => {
      for (const name of ['full-1', 'full-2', 'full-3']) {
        const m = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, name);
        const c = m?.status?.conditions?.find((x) => x.reason === 'PoolExhausted');
        if (c) return { name, ...c };
      }
      return undefined;
    });
    expect(condition.message).toBe('no free entry in DCSIpHostnamePool cp-pool: all 2 are in use');
    const events = (await objects.list('v1', 'Event', namespace)).items as unknown as {
      reason: string;
      involvedObject: { name: string };
    }[];
    expect(events.some((e) => e.reason === 'PoolExhausted' && e.involvedObject.name === condition.name)).toBe(
      true,
    );
    const ready = await eventually('the other two machines provisioned', async () => {
      const states = await Promise.all(
        ['full-1', 'full-2', 'full-3'].map((n) =>
          fixtures.read<{ status?: Status }>('DCSMachine', namespace, n),
        ),
      );
      const count = states.filter((m) => m?.status?.ready).length;
      return count === 2 ? count : undefined;
    });
    expect(ready).toBe(2);
    // One cluster, three machines, dozens of reconciles: one login, shared by all of them.
    expect(sim.state().logins.total - loginsBefore).toBe(1);
  });

  it('converges through platform faults: 5xx answers and an expired session', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-faults');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    sim.setFaults({ taskSeconds: 0.05, errorRate: 0.15, seed: 7 });
    try {
      await fixtures.createMachine(namespace, 'flaky-1');
      await eventually('the machine is cloning', () =>
        sim.state().vms.find((v) => v.name === `${namespace}-vm-1`),
      );
      sim.setFaults({ taskSeconds: 0.05, errorRate: 0.15, seed: 8, expireSessions: true });
      const machine = await eventually('DCSMachine ready despite faults', async () => {
        const m = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'flaky-1');
        return m?.status?.ready ? m : undefined;
      });
      expect(machine.status?.ready).toBe(true);
    } finally {
      sim.setFaults({ taskSeconds: 0.05 });
    }
    expect(sim.state().vms.filter((v) => v.name === `${namespace}-vm-1`)).toHaveLength(1);
  });

  it('never adopts a VM that has the same name but was made for another machine', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-taken');
    // Another cluster's pool uses the same VM names: its VM exists first.
    const other = await createTestNamespace(kubeConfig, 'dcs-other');
    startManager(other);
    await fixtures.createCluster(other, 'Huawei@123', 'shared');
    await fixtures.createMachine(other, 'other-1');
    await eventually(
      'the other cluster has its VM',
      async () => (await fixtures.read<{ status?: Status }>('DCSMachine', other, 'other-1'))?.status?.ready,
    );

    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', 'shared');
    await fixtures.createMachine(namespace, 'mine-1');
    const condition = await eventually('VMNameInUse', async () => {
      const m = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'mine-1');
      return m?.status?.conditions?.find((c) => c.reason === 'VMNameInUse');
    });
    expect(condition.message).toContain('shared-vm-1');
    const vms = sim.state().vms.filter((v) => v.name === 'shared-vm-1');
    expect(vms).toHaveLength(1);
    expect(vms[0]?.description).toContain(`dcsmachine=${other}/other-1`);
  });

  it('carries the persistent disk of a pool entry to the machine that replaces the deleted one', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-disk');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, 1, 40);
    const volumeName = persistentVolumeName('cp-pool', '10.0.1.11', 0);
    const ready = (name: string) =>
      eventually(`${name} ready`, async () => {
        const m = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, name);
        return m?.status?.ready ? m : undefined;
      });

    await fixtures.createMachine(namespace, 'disk-1');
    await ready('disk-1');
    const firstVm = sim.state().vms.find((v) => v.name === `${namespace}-vm-1`);
    const volume = sim.state().volumes.find((v) => v.name === volumeName);
    expect(volume?.quantityGB).toBe(40);
    expect(volume?.vmUrn).toBe(firstVm?.urn);
    type DiskRecord = {
      phase?: string;
      ownerMachineName?: string;
      volumeUrn?: string;
      attachedVmUrn?: string;
    };
    const diskRecord = () =>
      fixtures
        .read<{ status?: { persistentDiskStatus?: DiskRecord[] } }>('DCSIpHostnamePool', namespace, 'cp-pool')
        .then((p) => p?.status?.persistentDiskStatus?.[0]);
    const attached = await eventually('the pool reports the disk attached', async () => {
      const record = await diskRecord();
      return record?.phase === 'Attached' ? record : undefined;
    });
    expect(attached).toMatchObject({
      ownerMachineName: 'disk-1',
      volumeUrn: volume?.urn,
      attachedVmUrn: firstVm?.urn,
    });

    await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name: 'disk-1', namespace } });
    await eventually(
      'disk-1 gone',
      async () => (await fixtures.read('DCSMachine', namespace, 'disk-1')) === undefined,
    );
    const kept = sim.state().volumes.find((v) => v.name === volumeName);
    expect(kept?.urn).toBe(volume?.urn);
    expect(kept?.vmUrn ?? '').toBe('');
    const available = await eventually('the pool reports the disk available', async () => {
      const record = await diskRecord();
      return record?.phase === 'Available' && !record.ownerMachineName ? record : undefined;
    });
    expect(available.volumeUrn).toBe(volume?.urn);

    await fixtures.createMachine(namespace, 'disk-2');
    await ready('disk-2');
    const secondVm = sim.state().vms.find((v) => v.name === `${namespace}-vm-1`);
    expect(secondVm?.urn).not.toBe(firstVm?.urn);
    const reattached = sim.state().volumes.filter((v) => v.name === volumeName);
    expect(reattached).toHaveLength(1);
    expect(reattached[0]?.urn).toBe(volume?.urn);
    expect(reattached[0]?.vmUrn).toBe(secondVm?.urn);
  });

  it('refuses a volume that does not match its declaration (Error with lastError), then takes it once corrected, after the template disks', async () => {
    // A DCS of its own: volume names come from the pool name, IP and slot, which every test's
    // fixtures share, so the shared simulator already has this disk from the test above.
    const dcs = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
    onTestFinished(() => dcs.close());
    const own = new DcsFixtures(objects, dcs.url);
    const namespace = await createTestNamespace(kubeConfig, 'dcs-claim');
    startManager(namespace);
    await own.createCluster(namespace, 'Huawei@123', namespace, 1, 40);
    // A volume already carrying the entry's disk name (an earlier cluster's, or one moved in by
    // hand) but with 50 GB where the pool declares 40: the documented strict claim match refuses it.
    const volumeName = persistentVolumeName('cp-pool', '10.0.1.11', 0);
    const sessions = new DcsSessionPool();
    const client = new DcsClient(
      sessions.session({ endpoint: dcs.url, user: 'cluster-api', key: 'Huawei@123' }),
    );
    const datastore = await client.resolveDatastore('datastore-ssd-01');
    await client.createVolume({ name: volumeName, quantityGB: 50, datastoreUrn: datastore.urn });
    await sessions.closeAll();
    const existing = await eventually('the volume exists', async () =>
      dcs.state().volumes.find((v) => v.name === volumeName && v.status === 'FREE'),
    );

    await own.createMachine(namespace, 'claim-1');
    const refused = await eventually('PersistentDiskError on the machine', async () => {
      const m = await own.read<{ status?: Status }>('DCSMachine', namespace, 'claim-1');
      return m?.status?.conditions?.find((c) => c.reason === 'PersistentDiskError');
    });
    const mismatch = `persistent disk 10.0.1.11/0 (volume ${volumeName}): quantityGB is 40 but the volume has 50 GB; correct quantityGB to match it`;
    expect(refused).toMatchObject({ type: 'VMReady', status: 'False', message: mismatch });
    type DiskRecord = { phase?: string; lastError?: string; volumeUrn?: string };
    const record = () =>
      fixtures
        .read<{ status?: { persistentDiskStatus?: DiskRecord[] } }>('DCSIpHostnamePool', namespace, 'cp-pool')
        .then((p) => p?.status?.persistentDiskStatus?.[0]);
    const error = await eventually('the pool reports the disk in Error', async () => {
      const r = await record();
      return r?.phase === 'Error' ? r : undefined;
    });
    expect(error).toMatchObject({ lastError: mismatch, volumeUrn: existing.urn });
    // Nothing was attached, and no second volume made.
    expect(dcs.state().volumes.filter((v) => v.name === volumeName)).toHaveLength(1);
    expect(dcs.state().volumes.find((v) => v.name === volumeName)?.vmUrn ?? '').toBe('');

    // quantityGB may change (only format, options and pciType are fixed): the corrected declaration takes it.
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    await custom.patchNamespacedCustomObject({
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace,
      plural: 'dcsiphostnamepools',
      name: 'cp-pool',
      body: [{ op: 'replace', path: '/spec/pool/0/persistentDisk/0/quantityGB', value: 50 }],
    });
    const machine = await eventually(
      'claim-1 ready',
      async () => {
        const m = await own.read<{
          spec: { vmConfig?: { dcsMachineDiskSpec?: { systemVolume?: boolean }[] } };
          status?: Status;
        }>('DCSMachine', namespace, 'claim-1');
        return m?.status?.ready ? m : undefined;
      },
      120_000,
    );
    const vm = dcs.state().vms.find((v) => v.name === `${namespace}-vm-1`);
    const disk = vm?.vmConfig.disks.find((d) => d.volumeUrn === existing.urn);
    // Right after the template's disks: the system volume, then each data disk, then slot 0.
    const dataDisks = (machine.spec.vmConfig?.dcsMachineDiskSpec ?? []).filter((d) => !d.systemVolume).length;
    expect(disk?.sequenceNum).toBe(dataDisks + 2);
    expect(Math.max(...(vm?.vmConfig.disks ?? []).map((d) => d.sequenceNum))).toBe(dataDisks + 2);
    await eventually('the pool reports the disk attached', async () => {
      const r = await record();
      return r?.phase === 'Attached' && !r.lastError ? r : undefined;
    });
  }, 180_000);

  it('clones a VM deleted out of band again, with its bootstrap ISO, and is not Ready until it runs', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-oob');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    await fixtures.createMachine(namespace, 'oob-1');
    const ready = async () =>
      (await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'oob-1'))?.status?.ready;
    await eventually('oob-1 ready', ready);
    const vmName = `${namespace}-vm-1`;
    const first = sim.state().vms.find((v) => v.name === vmName);
    const clonesBefore = sim.state().creates.vms;

    // Someone deletes the VM on DCS, through its API, as an operator with the same account could.
    const login = await fetch(`${sim.url}/service/session`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Auth-User': 'cluster-api',
        'X-Auth-Key': createHash('sha256').update('Huawei@123').digest('hex'),
        'X-Auth-UserType': '2',
        'X-Auth-AuthType': '0',
      },
      body: '{}',
    });
    const token = login.headers.get('x-auth-token') ?? '';
    const deleted = await fetch(`${sim.url}${first?.uri}`, {
      method: 'DELETE',
      headers: { 'X-Auth-Token': token },
    });
    expect(deleted.ok).toBe(true);
    await eventually(
      'the VM gone from DCS',
      async () => !sim.state().vms.some((v) => v.urn === first?.urn) || undefined,
    );
    // Anything that touches the machine makes the next reconcile look (here: an annotation).
    await objects.patch(
      {
        apiVersion: INFRA,
        kind: 'DCSMachine',
        metadata: { name: 'oob-1', namespace, annotations: { touched: '1' } },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    const notReady = await eventually('Ready False while the VM is missing', async () => {
      const machine = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'oob-1');
      return machine?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
    });
    expect(notReady.message).toContain(vmName);
    const second = await eventually('a new VM running with the bootstrap ISO', async () => {
      const vm = sim.state().vms.find((v) => v.name === vmName);
      return vm && vm.urn !== first?.urn && vm.status === 'running' && vm.cdRomStatus === 'attached'
        ? vm
        : undefined;
    });
    await eventually('oob-1 ready again', ready);
    expect(second.urn).not.toBe(first?.urn);
    expect(sim.state().creates.vms).toBe(clonesBefore + 1);
    expect(sim.state().vms.filter((v) => v.name === vmName)).toHaveLength(1);
  });

  it('stops with a reason, calling nothing, when the credential Secret names another VRM than the VM was cloned through', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-moved');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    await fixtures.createMachine(namespace, 'moved-1');
    await eventually(
      'moved-1 ready',
      async () =>
        (await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'moved-1'))?.status?.ready,
    );
    const vms = sim.state().vms.filter((v) => v.name.startsWith(`${namespace}-`));
    await objects.patch(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'dcs-auth', namespace },
        stringData: { endpoint: 'https://vrm-2.example:7443' },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name: 'moved-1', namespace } });
    const ready = await eventually('Ready names the changed endpoint', async () => {
      const machine = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'moved-1');
      return machine?.status?.conditions?.find(
        (c) => c.type === 'Ready' && c.message?.includes('names another DCS endpoint'),
      );
    });
    expect(ready.status).toBe('False');
    // Neither deleted (the old VRM is not asked) nor forgotten: the VM and the machine stay.
    expect(sim.state().vms.filter((v) => v.name.startsWith(`${namespace}-`))).toEqual(vms);
    expect(await fixtures.read('DCSMachine', namespace, 'moved-1')).toBeDefined();
  });

  it('detaches and deletes the bootstrap ISO once the node has registered', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-iso');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    await fixtures.createMachine(namespace, 'iso-1');
    await eventually(
      'iso-1 ready',
      async () => (await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'iso-1'))?.status?.ready,
    );
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)?.cdRomStatus).toBe('attached');

    // What Cluster API does when the workload cluster reports the Node.
    await setNodeRef(namespace, 'iso-1', 'cp-1');
    const machine = await eventually('ISO removed', async () => {
      const m = await fixtures.read<{ status?: { cdRomDetached?: boolean; cdRomFileDeleted?: boolean } }>(
        'DCSMachine',
        namespace,
        'iso-1',
      );
      return m?.status?.cdRomFileDeleted ? m : undefined;
    });
    expect(machine.status?.cdRomDetached).toBe(true);
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)?.cdRomStatus).toBe('empty');
    expect(sim.state().uploads.filter((u) => isBootstrapIsoOf('iso-1', u.fileName))).toEqual([]);
  });

  it('keeps control plane VMs apart with one DRS rule, is ready only once they run on different hosts, and removes the rule with the cluster', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-ha');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, 2, 0, true);
    // The DCS scheduler puts both on one host of the two-host ComputeCluster, the rule notwithstanding.
    const vmNames = [`${namespace}-vm-1`, `${namespace}-vm-2`];
    sim.setFaults({ taskSeconds: 0.05, colocate: vmNames });
    await fixtures.createMachine(namespace, 'ha-1', 'control-plane', 'ComputeCluster');
    await fixtures.createMachine(namespace, 'ha-2', 'control-plane', 'ComputeCluster');
    const ruleName = controlPlaneRuleName(namespace, 'demo');
    const haCondition = async () =>
      (await fixtures.read<{ status?: Status }>('DCSCluster', namespace, 'demo'))?.status?.conditions?.find(
        (x) => x.type === 'ControlPlaneHAReady',
      );
    const together = await eventually(
      'ControlPlaneHAReady False naming the shared host',
      async () => {
        const c = await haCondition();
        return c?.status === 'False' && c.message?.includes('same host') ? c : undefined;
      },
      120_000,
    );
    const shared = sim.state().vms.find((vm) => vm.name === vmNames[0])?.hostName as string;
    expect(together.reason).toBe('ControlPlaneHAPending');
    expect(together.message).toContain(`${vmNames[0]}, ${vmNames[1]} run on the same host ${shared}`);
    // The rule exists all the same: it is what asks DCS to move them.
    expect(sim.state().drsRules.find((r) => r.ruleName === ruleName)).toBeDefined();

    // DRS (or an administrator) moves one away: HA holds.
    sim.setFaults({ taskSeconds: 0.05 });
    sim.migrateVm(vmNames[1] as string, shared === 'CNA02' ? 'CNA03' : 'CNA02');
    const condition = await eventually(
      'ControlPlaneHAReady',
      async () => {
        const c = await haCondition();
        return c?.status === 'True' ? c : undefined;
      },
      120_000,
    );
    expect(condition.message).toBe('2 control plane VMs on 2 different hosts');
    const rule = sim.state().drsRules.find((r) => r.ruleName === ruleName);
    const vmUrns = sim
      .state()
      .vms.filter((v) => v.name.startsWith(`${namespace}-vm-`))
      .map((v) => v.urn)
      .sort();
    expect(rule?.ruleType).toBe(2);
    expect([...(rule?.vms ?? [])].sort()).toEqual(vmUrns);

    await objects.delete({ apiVersion: INFRA, kind: 'DCSCluster', metadata: { name: 'demo', namespace } });
    // The cluster outlives its machines, as Cluster API deletes them (the rule with it).
    await eventually('the DCSCluster waits for its machines', async () => {
      const c = await fixtures.read<{ status?: Status }>('DCSCluster', namespace, 'demo');
      return c?.status?.conditions?.some((x) => x.type === 'Ready' && x.reason === 'WaitForMachines');
    });
    expect(sim.state().drsRules.find((r) => r.ruleName === ruleName)).toBeDefined();
    for (const name of ['ha-1', 'ha-2'])
      await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name, namespace } });
    await eventually(
      'DCSCluster gone',
      async () => (await fixtures.read('DCSCluster', namespace, 'demo')) === undefined,
    );
    expect(sim.state().drsRules.find((r) => r.ruleName === ruleName)).toBeUndefined();
  }, 180_000);

  it('converges through requests that are never answered', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-timeout');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    sim.setFaults({ taskSeconds: 0.05, timeoutRate: 0.05, seed: 11 });
    try {
      await fixtures.createMachine(namespace, 'slow-1');
      const machine = await eventually(
        'DCSMachine ready despite unanswered requests',
        async () => {
          const m = await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'slow-1');
          return m?.status?.ready ? m : undefined;
        },
        150_000,
      );
      expect(machine.status?.ready).toBe(true);
    } finally {
      sim.setFaults({ taskSeconds: 0.05 });
    }
    expect(sim.state().vms.filter((v) => v.name === `${namespace}-vm-1`)).toHaveLength(1);
  }, 200_000);

  it('never writes a credential into the manager log or an Event', async () => {
    // By now every test above has logged in, failed to log in or retried with these keys.
    const log = managerLog.text();
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain('Huawei@123');
    expect(log).not.toContain('not-the-password-4711');
    const events = JSON.stringify((await objects.list('v1', 'Event')).items);
    expect(events).not.toContain('Huawei@123');
    expect(events).not.toContain('not-the-password-4711');
  });

  it("builds a 3 control plane + 3 worker cluster with each role's sizes, pool IPs, ISO and power", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-3x3');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, 3);
    await fixtures.createWorkerPool(namespace, 3);
    const controlPlanes = ['cp-a', 'cp-b', 'cp-c'];
    const workers = ['w-a', 'w-b', 'w-c'];
    for (const name of controlPlanes) await fixtures.createMachine(namespace, name);
    for (const name of workers) await fixtures.createMachine(namespace, name, 'worker');
    const machines = await eventually(
      'all six machines ready',
      async () => {
        const all = await Promise.all(
          [...controlPlanes, ...workers].map((n) =>
            fixtures.read<{
              metadata: { name: string };
              spec: { providerID?: string };
              status?: Status & { addresses?: { type: string; address: string }[] };
            }>('DCSMachine', namespace, n),
          ),
        );
        return all.every((m) => m?.status?.ready) ? all : undefined;
      },
      150_000,
    );
    for (const machine of machines) expect(machine?.spec.providerID).toBe(`dcs://${machine?.metadata.name}`);
    const ips = machines
      .map((m) => m?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address)
      .sort();
    expect(ips).toEqual(['10.0.1.11', '10.0.1.12', '10.0.1.13', '10.0.3.11', '10.0.3.12', '10.0.3.13']);

    const vms = sim.state().vms.filter((v) => v.name.startsWith(`${namespace}-`));
    expect(vms).toHaveLength(6);
    for (const vm of vms) {
      const worker = vm.name.startsWith(`${namespace}-w-`);
      expect(vm.status).toBe('running');
      expect(vm.cdRomStatus).toBe('attached');
      expect(vm.vmConfig.cpu.quantity).toBe(worker ? 8 : 4);
      expect(vm.vmConfig.memory.quantityMB).toBe(worker ? 16384 : 8192);
      expect(vm.vmConfig.disks.some((d) => d.quantityGB === 100)).toBe(true);
      expect(vm.vmConfig.nics[0]?.ip).toMatch(worker ? /^10\.0\.3\./ : /^10\.0\.1\./);
    }

    // The Ignition each VM boots from holds what the documentation promises the node.
    const ignitionOf = (vmName: string) =>
      (readIsoFile(sim.bootMedia(vmName) as Buffer, 'ignition/config.ign') as Buffer).toString('utf8');
    const encryption = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace, name: 'demo-dcs-encryption-provider' });
    // Generated once for the cluster and owned by its DCSCluster, so it goes with it.
    expect(encryption.metadata?.ownerReferences?.map((o) => o.kind)).toEqual(['DCSCluster']);
    const key = Buffer.from(encryption.data?.['encryption-provider.conf'] ?? '', 'base64').toString();
    for (const n of [1, 2, 3]) {
      const config = ignitionOf(`${namespace}-vm-${n}`);
      expect(
        ignitionProblems(config, {
          mounts: ['/var/lib/containerd'],
          files: [
            '/etc/kubernetes/pki/kubelet.crt',
            '/etc/kubernetes/pki/kubelet.key',
            '/etc/kubernetes/encryption-provider.conf',
          ],
          nics: [
            { ip: `10.0.1.1${n}`, prefix: 24, gateway: '10.0.1.1', dns: ['10.0.0.2'] },
            { ip: `10.0.2.1${n}`, prefix: 24 },
          ],
          hostname: `cp-${n}`,
          tokens: ['PROVIDER_ID', 'NODE_IP'],
        }),
      ).toEqual([]);
      expect(bootstrapFiles(config, 'ignition').get('/etc/kubernetes/encryption-provider.conf')).toBe(key);
    }
    const worker = ignitionOf(`${namespace}-w-vm-1`);
    expect(
      ignitionProblems(worker, {
        mounts: ['/var/lib/containerd'],
        files: ['/etc/kubernetes/pki/kubelet.crt', '/etc/kubernetes/pki/kubelet.key'],
        nics: [{ ip: '10.0.3.11', prefix: 24, gateway: '10.0.3.1' }],
        hostname: 'worker-1',
        tokens: ['PROVIDER_ID', 'NODE_IP'],
      }),
    ).toEqual([]);
    // The key stays off workers.
    expect(bootstrapFiles(worker, 'ignition').has('/etc/kubernetes/encryption-provider.conf')).toBe(false);
  }, 200_000);

  it('keeps the VM, and its pool entry, when the machine carries cpaas.io/retain-vm', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-retain');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123');
    await fixtures.createMachine(namespace, 'keep-1');
    await eventually(
      'keep-1 ready',
      async () =>
        (await fixtures.read<{ status?: Status }>('DCSMachine', namespace, 'keep-1'))?.status?.ready,
    );
    await objects.patch(
      {
        apiVersion: INFRA,
        kind: 'DCSMachine',
        metadata: { name: 'keep-1', namespace, annotations: { 'cpaas.io/retain-vm': 'true' } },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name: 'keep-1', namespace } });
    await eventually(
      'keep-1 gone',
      async () => (await fixtures.read('DCSMachine', namespace, 'keep-1')) === undefined,
    );
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)?.status).toBe('running');
    const pool = await fixtures.read<{ status?: { slots?: { dcsMachine: string }[] } }>(
      'DCSIpHostnamePool',
      namespace,
      'cp-pool',
    );
    expect(pool?.status?.slots?.map((s) => s.dcsMachine)).toEqual(['keep-1']);
  });
});
