import type { PlatformCallRecorder } from '@immutable-infra/core';
import type { Manager } from '@immutable-infra/manager';
import { captureLog, eventually, startTestIpamProvider } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLUSTER, CONTROL_PLANE, INFRA, VsphereFixtures } from './vsphere-fixtures.js';
import { startVsphereManager, type VsphereManagerOptions } from './vsphere-manager.js';

const USERNAME = 'svc-capv@example.local';
const PASSWORD = 'not-a-real-password';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
const managers: Manager[] = [];
const managerLog = captureLog();

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  // The documented manifests' names and account, so they apply as the documentation has them.
  vcsim = await startVcsim({ documentedNames: true, username: USERNAME, password: PASSWORD });
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await vcsim?.stop();
});

/** Counts vim25 calls by method, logins included, across every session of the provider. */
function callCounter(): PlatformCallRecorder & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return {
    calls,
    record(operation, call) {
      calls[operation] = (calls[operation] ?? 0) + 1;
      return call();
    },
  };
}

/** A manager of `namespace`, stopped after the test; vcsim lists a clone at once, so a short listing lag. */
function startManager(namespace: string, options: Partial<VsphereManagerOptions> = {}): void {
  managers.push(
    startVsphereManager({ kubeConfig, namespace, log: managerLog, listingLagMs: 2_000, ...options }),
  );
}

type Condition = { type: string; status: string; reason?: string; message?: string };
type MachineStatus = {
  ready?: boolean;
  addresses?: { type: string; address: string }[];
  conditions?: Condition[];
  biosUUID?: string;
  vmRef?: string;
  location?: { server?: string; datacenter?: string };
};
/** govc's JSON of a VM (govmomi's types, lower camel case). */
type VmInfo = {
  name: string;
  config: {
    uuid: string;
    instanceUuid: string;
    hardware: { numCPU: number; memoryMB: number };
    extraConfig?: { key: string; value: string }[];
  };
  runtime: { powerState: string };
};

/** What govc (govmomi's own client, not ours) sees of a VM; undefined when there is none. */
async function govcVm(path: string): Promise<VmInfo | undefined> {
  const out = JSON.parse(await vcsim.govc('vm.info', '-json', '-e', path)) as {
    virtualMachines?: VmInfo[] | null;
  };
  return (out.virtualMachines ?? [])[0];
}

const extraConfig = (vm: VmInfo, key: string) => vm.config.extraConfig?.find((e) => e.key === key)?.value;

/** Every VM whose name starts with `prefix`, across both datacenters (a duplicate shows as two). */
async function vmsNamed(prefix: string): Promise<string[]> {
  const found = await vcsim.govc('find', '/', '-type', 'm', '-name', `${prefix}*`);
  return found.split('\n').filter(Boolean);
}

/** A JSON merge patch of an object, as `kubectl patch --type merge` sends it. */
function mergePatch(object: KubernetesObject & { spec: Record<string, unknown> }): Promise<KubernetesObject> {
  return objects.patch(object, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
}

async function setNodeRef(namespace: string, name: string): Promise<void> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = { group: 'cluster.x-k8s.io', version: 'v1beta2', namespace, plural: 'machines', name };
  const machine = (await custom.getNamespacedCustomObject(target)) as { status?: Record<string, unknown> };
  await custom.replaceNamespacedCustomObjectStatus({
    ...target,
    body: { ...machine, status: { ...machine.status, nodeRef: { name } } },
  });
}

// Each test makes and deletes VMs through several reconciles: on a loaded machine (CI runs four
// packages' tests at once) that outlasts the 60 s default, which is a guard against hangs, not a measure.
describe('the vSphere provider on the real host, against vcsim, from the documented manifests', {
  timeout: 300_000,
}, () => {
  it('provisions the documented control plane, writes its guestinfo, clears it after join, and frees the slot for reuse', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-life');
    const calls = callCounter();
    startManager(namespace, { recorder: calls });
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await fixtures.createCluster();

    const cluster = await eventually('VSphereCluster ready', async () => {
      const c = await fixtures.read<{
        status?: { ready?: boolean; vCenterVersion?: string; conditions?: Condition[] };
      }>('VSphereCluster', CLUSTER);
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.status?.vCenterVersion).toMatch(/^\d+\.\d+/);
    expect(cluster.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'VCenterAvailable', status: 'True' }),
    );
    // The API server's encryption key, made once in a Secret owned by the VSphereCluster, for the
    // control plane's contentFrom: Cluster API objects never carry it.
    const encryption = (await objects.read({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${CLUSTER}-vsphere-encryption-provider`, namespace },
    })) as {
      data?: Record<string, string>;
      metadata: { ownerReferences?: { kind: string; name: string }[] };
    };
    expect(encryption.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'VSphereCluster', name: CLUSTER }),
    ]);
    const config = Buffer.from(encryption.data?.['encryption-provider.conf'] ?? '', 'base64').toString();
    expect(config).toMatch(/kind: EncryptionConfiguration[\s\S]*aescbc:[\s\S]*secret: [A-Za-z0-9+/]{43}=/);

    // Every Ready the VSphereCluster reports from now on: the DRS rule it keeps for the control
    // plane below is upkeep, and changing it must not take a provisioned cluster's readiness away.
    const readyConditions: string[] = [];
    const clusterWatch = await new Watch(kubeConfig).watch(
      `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${namespace}/vsphereclusters`,
      { fieldSelector: `metadata.name=${CLUSTER}` },
      (_phase, object: { status?: { conditions?: Condition[] } }) => {
        const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready) readyConditions.push(`${ready.status} ${ready.reason ?? ''}: ${ready.message ?? ''}`);
      },
      () => undefined,
    );

    const names = ['cp-a', 'cp-b', 'cp-c'];
    for (const name of names) await fixtures.createMachine(name);
    const machines = await eventually(
      'three control plane VSphereMachines ready',
      async () => {
        const read = await Promise.all(
          names.map((n) =>
            fixtures.read<{ spec: { providerID?: string }; status?: MachineStatus }>('VSphereMachine', n),
          ),
        );
        return read.every((m) => m?.status?.ready) ? read : undefined;
      },
      120_000,
    );

    // One VM per machine, named by its slot, in the slot's datacenter: cp-01..03 of the documented pool.
    expect((await vmsNamed('cp-0')).sort()).toEqual(['/dc-a/vm/cp-01', '/dc-a/vm/cp-02', '/dc-a/vm/cp-03']);
    const byHostname = new Map<string, { spec: { providerID?: string }; status?: MachineStatus }>();
    for (const m of machines) {
      const hostname = m?.status?.addresses?.find((a) => a.type === 'Hostname')?.address ?? '';
      byHostname.set(hostname, m as { spec: { providerID?: string }; status?: MachineStatus });
    }
    expect([...byHostname.keys()].sort()).toEqual(['cp-01', 'cp-02', 'cp-03']);
    const first = byHostname.get('cp-01');
    const vm = await govcVm('/dc-a/vm/cp-01');
    expect(vm?.runtime.powerState).toBe('poweredOn');
    expect(vm?.config.hardware).toMatchObject({ numCPU: 4, memoryMB: 8192 });
    expect(first?.spec.providerID).toBe(`vsphere://${vm?.config.uuid}`);
    expect(first?.status?.biosUUID).toBe(vm?.config.uuid);
    expect(first?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'MachineConfigPoolReady', status: 'True', reason: 'SlotClaimed' }),
    );
    expect(first?.status?.location).toEqual({ server: new URL(vcsim.server).host, datacenter: 'dc-a' });
    expect(first?.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.10.10.11' },
      { type: 'Hostname', address: 'cp-01' },
    ]);

    // The bootstrap data went in with its tokens filled in, the hostname, and the slot's three
    // persistent disks (by the WWN of their UUIDs) formatted when blank, var-lib-etcd wiped per new VM.
    const userdata = parse(
      Buffer.from(extraConfig(vm as VmInfo, 'guestinfo.userdata') ?? '', 'base64').toString(),
    ) as {
      write_files: { path: string; content: string }[];
      hostname: string;
      fs_setup: { device: string; overwrite: boolean }[];
      mounts: string[][];
    };
    expect(userdata.write_files).toContainEqual(
      expect.objectContaining({
        path: '/etc/node-identity',
        content: `vsphere://${vm?.config.uuid} 10.10.10.11`,
      }),
    );
    expect(userdata.hostname).toBe('cp-01');
    expect(userdata.mounts.map((m) => m[1])).toEqual(['/var/cpaas', '/var/lib/containerd', '/var/lib/etcd']);
    expect(userdata.fs_setup.map((f) => f.overwrite)).toEqual([false, false, true]);
    const folder = `[datastore-cp] iinfra-persistent/${namespace}/demo-cluster-control-plane-pool/cp-01`;
    const diskFiles = async (path: string) =>
      [...(await vcsim.govc('device.info', '-vm', path, 'disk-*')).matchAll(/File:\s+(.+)/g)].map(
        (m) => m[1],
      );
    expect(await diskFiles('/dc-a/vm/cp-01')).toEqual([
      expect.stringContaining('.vmdk'),
      `${folder}/var-cpaas.vmdk`,
      `${folder}/var-lib-containerd.vmdk`,
      `${folder}/var-lib-etcd.vmdk`,
    ]);
    // The system disk grew to the template's diskGiB (300 GiB), in its own file.
    expect(await vcsim.govc('device.ls', '-vm', '/dc-a/vm/cp-01')).toMatch(
      /disk-\d+-0\s+VirtualDisk\s+314,572,800 KB/,
    );
    // Each disk's file and UUID are written back into the pool's slot, as documented.
    const backfilled = await eventually('volumePath recorded', async () => {
      const p = await fixtures.read<{
        spec: {
          configs: {
            hostname: string;
            persistentDisks?: { name: string; volumePath?: string; diskUUID?: string }[];
          }[];
        };
      }>('VSphereMachineConfigPool', 'demo-cluster-control-plane-pool');
      const disks = p?.spec.configs.find((c) => c.hostname === 'cp-01')?.persistentDisks ?? [];
      return disks.every((d) => d.volumePath && d.diskUUID) ? disks : undefined;
    });
    expect(backfilled.map((d) => d.volumePath)).toEqual([
      `${folder}/var-cpaas.vmdk`,
      `${folder}/var-lib-containerd.vmdk`,
      `${folder}/var-lib-etcd.vmdk`,
    ]);
    expect(userdata.fs_setup[0]?.device).toBe(
      `/dev/disk/by-id/wwn-0x${backfilled[0]?.diskUUID?.replace(/-/g, '').toLowerCase()}`,
    );
    const metadata = JSON.parse(
      Buffer.from(extraConfig(vm as VmInfo, 'guestinfo.metadata') ?? '', 'base64').toString(),
    ) as { 'local-hostname': string; network: { ethernets: Record<string, Record<string, unknown>> } };
    expect(metadata['local-hostname']).toBe('cp-01');
    expect(metadata.network.ethernets.id0).toMatchObject({
      'set-name': 'eth0',
      dhcp4: false,
      addresses: ['10.10.10.11/24'],
      routes: [{ to: '0.0.0.0/0', via: '10.10.10.1' }],
      nameservers: { addresses: ['10.10.0.10'] },
    });
    expect(metadata.network.ethernets.id1).toMatchObject({
      'set-name': 'eth1',
      addresses: ['10.20.10.11/24'],
    });
    expect(await vcsim.govc('device.info', '-vm', '/dc-a/vm/cp-01', 'ethernet-*')).toMatch(/ethernet-1/);

    // The pool is bound to the control plane, every slot in use by its machine's UID.
    const pool = await fixtures.read<{
      status?: {
        consumerRef?: { kind: string; name: string };
        availableCount?: number;
        totalCount?: number;
        configStatuses?: { hostname: string; state: string; machineRef?: { name: string; uid: string } }[];
      };
    }>('VSphereMachineConfigPool', 'demo-cluster-control-plane-pool');
    expect(pool?.status?.consumerRef).toMatchObject({ kind: 'KubeadmControlPlane', name: CONTROL_PLANE });
    expect(pool?.status?.configStatuses?.map((s) => s.state)).toEqual(['InUse', 'InUse', 'InUse']);
    await eventually('pool counts', async () => {
      const p = await fixtures.read<{ status?: { availableCount?: number; totalCount?: number } }>(
        'VSphereMachineConfigPool',
        'demo-cluster-control-plane-pool',
      );
      return p?.status?.availableCount === 0 && p.status.totalCount === 3;
    });

    // The three control plane VMs are kept on different hosts by one DRS anti-affinity rule.
    const rule = `iinfra-${namespace}-${CLUSTER}-control-plane`;
    const ruleVms = async () =>
      (await vcsim.govc('cluster.rule.ls', '-cluster', '/dc-a/host/compute-a', '-name', rule).catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .sort();
    await eventually(
      'anti-affinity rule of the three control plane VMs',
      async () => JSON.stringify(await ruleVms()) === JSON.stringify(['cp-01', 'cp-02', 'cp-03']),
    );
    // The rule's change was a task recorded with it and read on a later reconcile, then cleared.
    const recordedRules = await eventually('the DRS rule recorded with no task in flight', async () => {
      const entries = (
        await fixtures.read<{ status?: { controlPlaneAntiAffinity?: { task?: string }[] } }>(
          'VSphereCluster',
          CLUSTER,
        )
      )?.status?.controlPlaneAntiAffinity;
      return entries?.every((e) => e.task === undefined) ? entries : undefined;
    });
    expect(recordedRules).toEqual([{ computeCluster: expect.stringMatching(/^domain-c/), rule }]);
    clusterWatch.abort();
    // Ready was reported all along: the rule was made and edited twice (two VMs, then three).
    expect(readyConditions.length).toBeGreaterThan(0);
    expect(readyConditions.filter((c) => !c.startsWith('True'))).toEqual([]);

    // Once the node registered, the join secrets leave guestinfo.
    const cp01 = names[machines.findIndex((m) => m === first)] as string;
    await setNodeRef(namespace, cp01);
    await eventually('bootstrap data cleared', async () => {
      const now = await govcVm('/dc-a/vm/cp-01');
      return now && extraConfig(now, 'guestinfo.userdata') === undefined;
    });
    expect(extraConfig((await govcVm('/dc-a/vm/cp-01')) as VmInfo, 'guestinfo.metadata')).toBeDefined();

    // Deleting the machine powers the VM off and destroys it; the slot is Released, then reused first.
    await objects.delete({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereMachine',
      metadata: { name: cp01, namespace },
    });
    await eventually(
      'VSphereMachine gone',
      async () => (await fixtures.read('VSphereMachine', cp01)) === undefined,
    );
    expect(await vmsNamed('cp-01')).toEqual([]);
    // The VM went, its persistent disks stayed for the slot's next VM.
    expect(
      await vcsim.govc(
        'datastore.ls',
        '-dc',
        'dc-a',
        '-ds',
        'datastore-cp',
        folder.slice(folder.indexOf(' ') + 1),
      ),
    ).toMatch(/var-lib-etcd\.vmdk/);
    const released = await fixtures.read<{
      status?: {
        consumerRef?: unknown;
        configStatuses?: { hostname: string; state: string; lastReleasedTime?: string }[];
      };
    }>('VSphereMachineConfigPool', 'demo-cluster-control-plane-pool');
    expect(released?.status?.configStatuses?.find((s) => s.hostname === 'cp-01')).toMatchObject({
      state: 'Released',
      lastReleasedTime: expect.any(String),
    });
    expect(released?.status?.consumerRef).toMatchObject({ name: CONTROL_PLANE });

    await fixtures.createMachine('cp-d');
    const replacement = await eventually('replacement ready', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'cp-d');
      return m?.status?.ready ? m : undefined;
    });
    expect(replacement.status?.addresses).toContainEqual({ type: 'Hostname', address: 'cp-01' });
    expect(await vmsNamed('cp-01')).toEqual(['/dc-a/vm/cp-01']);
    // The replacement VM took the released slot's disks as they were.
    expect((await diskFiles('/dc-a/vm/cp-01')).filter((f) => f?.startsWith(folder)).sort()).toEqual(
      backfilled.map((d) => d.volumePath),
    );
    expect(await diskFiles('/dc-a/vm/cp-01')).toHaveLength(4);
    // The rule follows the control plane: cp-01's new VM is in it, the destroyed one is not.
    await eventually('anti-affinity rule after the replacement', async () => (await ruleVms()).length === 3);
    // Every reconcile of every machine and the cluster shared one vCenter login.
    expect(calls.calls.Login).toBe(1);
  });

  it('reports a wrong password on the VSphereCluster without showing it, and stops logging in before vCenter would lock the account', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-badpw');
    const calls = callCounter();
    startManager(namespace, { recorder: calls });
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    const wrong = 'Wrong-Passw0rd-9137';
    await fixtures.createCluster({ password: wrong });
    const failing = await eventually('VCenterAvailable false', async () => {
      const c = await fixtures.read<{ status?: { ready?: boolean; conditions?: Condition[] } }>(
        'VSphereCluster',
        CLUSTER,
      );
      return c?.status?.conditions?.find(
        (cond) => cond.type === 'VCenterAvailable' && cond.status === 'False',
      );
    });
    expect(failing.reason).toBe('LoginFailed');
    expect(failing.message).toMatch(/^wrong user or key for vCenter/);
    expect(JSON.stringify(failing)).not.toContain(wrong);
    // Machines reconcile on the same account meanwhile: still no more refused logins than the back-off allows.
    await fixtures.createMachine('cp-x');
    await eventually('the machine reports the refusal', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'cp-x');
      return m?.status?.conditions?.some((c) => c.type === 'VMProvisioned' && c.status === 'False');
    });
    expect(calls.calls.Login ?? 0).toBeGreaterThan(0);
    expect(calls.calls.Login ?? 0).toBeLessThanOrEqual(3);
    expect(managerLog.text()).not.toContain(wrong);
    expect(await vmsNamed('cp-x')).toEqual([]);
  });

  it('shows a template that does not exist as a condition, and a machine of another consumer as refused by the bound pool', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-bad');
    startManager(namespace);
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await fixtures.createCluster();
    await fixtures.createMachine('cp-missing', 'control-plane', { template: 'no-such-template' });
    const missing = await eventually('TemplateNotFound', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'cp-missing');
      return m?.status?.conditions?.find(
        (c) => c.type === 'VMProvisioned' && c.reason === 'TemplateNotFound',
      );
    });
    expect(missing.message).toBe('VM template no-such-template not found in datacenter dc-a');

    // The control plane pool is bound to the control plane now; a worker naming it is refused.
    await fixtures.createMachine('md-intruder', 'worker', {
      machineConfigPoolRef: { kind: 'VSphereMachineConfigPool', name: 'demo-cluster-control-plane-pool' },
    });
    // The condition and reason the documentation's node runbook tells operators to read.
    const refused = await eventually('PoolBoundToOtherConsumer', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'md-intruder');
      return m?.status?.conditions?.find(
        (c) => c.type === 'MachineConfigPoolReady' && c.reason === 'PoolBoundToOtherConsumer',
      );
    });
    expect(refused.status).toBe('False');
    expect(refused.message).toBe(
      "VSphereMachineConfigPool demo-cluster-control-plane-pool is bound to KubeadmControlPlane demo-cluster-control-plane, not to this machine's MachineDeployment demo-cluster-md-0",
    );
  });

  it('makes a released worker slot Available to anyone once releaseDelayHours have passed, and unbinds the pool', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-release');
    startManager(namespace);
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await fixtures.createCluster();
    await fixtures.createMachine('md-a', 'worker');
    const worker = await eventually('worker ready', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'md-a');
      return m?.status?.ready ? m : undefined;
    });
    expect(worker.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.10.10.21' },
      { type: 'Hostname', address: 'worker-01' },
    ]);
    expect(await vmsNamed('worker-01')).toEqual(['/dc-a/vm/worker-01']);
    const poolName = 'demo-cluster-worker-pool';
    type Pool = {
      spec: { releaseDelayHours?: number };
      status?: {
        consumerRef?: { kind: string; name: string };
        availableCount?: number;
        configStatuses?: { hostname: string; state: string }[];
      };
    };
    expect(
      (await fixtures.read<Pool>('VSphereMachineConfigPool', poolName))?.status?.consumerRef,
    ).toMatchObject({
      kind: 'MachineDeployment',
      name: 'demo-cluster-md-0',
    });

    await objects.delete({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereMachine',
      metadata: { name: 'md-a', namespace },
    });
    await eventually(
      'worker gone',
      async () => (await fixtures.read('VSphereMachine', 'md-a')) === undefined,
    );
    expect(await vmsNamed('worker-01')).toEqual([]);
    expect(
      await vcsim.govc(
        'datastore.ls',
        '-dc',
        'dc-a',
        '-ds',
        'datastore-worker',
        `iinfra-persistent/${namespace}/${poolName}/worker-01`,
      ),
    ).toMatch(/app-data\.vmdk/);
    const held = await eventually('slot Released and kept for 24 h', async () => {
      const p = await fixtures.read<Pool>('VSphereMachineConfigPool', poolName);
      return p?.status?.availableCount === 1 ? p : undefined;
    });
    expect(held.status?.configStatuses).toEqual([
      expect.objectContaining({ hostname: 'worker-01', state: 'Released' }),
    ]);

    await mergePatch({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereMachineConfigPool',
      metadata: { name: poolName, namespace },
      spec: { releaseDelayHours: 0 },
    });
    const free = await eventually('slot Available, pool unbound', async () => {
      const p = await fixtures.read<Pool>('VSphereMachineConfigPool', poolName);
      return p?.status?.availableCount === 2 && p.status.configStatuses?.length === 0 ? p : undefined;
    });
    expect(free.status?.consumerRef).toBeUndefined();
    // Reclaimed: the slot's persistent disks were deleted before it became Available.
    const workerFolder = `iinfra-persistent/${namespace}/${poolName}/worker-01`;
    const left = await vcsim
      .govc('datastore.ls', '-dc', 'dc-a', '-ds', 'datastore-worker', workerFolder)
      .catch(() => '');
    expect(left).not.toMatch(/\.vmdk/);
  });

  it('spreads over the documented deployment zones: ready ones become failure domains, a machine in dc-b takes a dc-b slot there', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-zones');
    startManager(namespace);
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    // The documented zones (cluster-scoped, named after the namespace), and one whose datastore vCenter lacks.
    const zoned = fixtures.documented.filter(
      (o) => o.kind === 'VSphereFailureDomain' || o.kind === 'VSphereDeploymentZone',
    );
    const broken = structuredClone(
      zoned.filter((o) => o.metadata?.name?.endsWith('-b')),
    ) as (KubernetesObject & { spec: { topology?: { datastore?: string }; failureDomain?: string } })[];
    for (const object of broken) {
      object.metadata = { name: `${object.metadata?.name}-broken` };
      if (object.spec.topology) object.spec.topology.datastore = 'no-such-datastore';
      else object.spec.failureDomain = `${object.spec.failureDomain}-broken`;
    }
    for (const object of [...zoned, ...broken]) await objects.create(object);
    await fixtures.createCluster({ clusterSpec: { failureDomainSelector: {} } });

    const cluster = await eventually('failure domains reported', async () => {
      const c = await fixtures.read<{
        status?: { ready?: boolean; failureDomains?: unknown; conditions?: Condition[] };
      }>('VSphereCluster', CLUSTER);
      return c?.status?.ready && c.status.failureDomains ? c : undefined;
    });
    const domains = JSON.stringify(cluster.status?.failureDomains);
    expect(domains).toContain(`${namespace}-dz-a`);
    expect(domains).toContain(`${namespace}-dz-b`);
    expect(domains).not.toContain('broken');
    expect(cluster.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'FailureDomainsAvailable',
        status: 'False',
        message: `${namespace}-dz-b-broken: datastore no-such-datastore not found in datacenter dc-b`,
      }),
    );
    // Each zone says so itself, as CAPV's zones do: ready, or what vCenter lacks.
    type ZoneStatus = { status?: { ready?: boolean; conditions?: Condition[] } };
    const zoneReady = (zone: string) =>
      eventually(`${zone} reports`, async () => {
        const z = await objects
          .read({ apiVersion: INFRA, kind: 'VSphereDeploymentZone', metadata: { name: zone } })
          .catch(() => undefined);
        return typeof (z as ZoneStatus | undefined)?.status?.ready === 'boolean'
          ? (z as ZoneStatus)
          : undefined;
      });
    for (const zone of [`${namespace}-dz-a`, `${namespace}-dz-b`]) {
      const reported = await zoneReady(zone);
      expect(reported.status?.ready, zone).toBe(true);
      expect(reported.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'PlacementConstraintMet', status: 'True' }),
      );
    }
    const brokenZone = await zoneReady(`${namespace}-dz-b-broken`);
    expect(brokenZone.status?.ready).toBe(false);
    expect(brokenZone.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'PlacementConstraintMet',
        status: 'False',
        message: 'datastore no-such-datastore not found in datacenter dc-b',
      }),
    );

    // A worker the MachineDeployment put in zone b: the dc-b slot (worker-02), the zone's datastore.
    await fixtures.createMachine('md-b', 'worker', {}, `${namespace}-dz-b`);
    const machine = await eventually('zoned worker ready', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'md-b');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.status?.addresses).toContainEqual({ type: 'Hostname', address: 'worker-02' });
    expect(machine.status?.location).toMatchObject({ datacenter: 'dc-b' });
    expect(await vmsNamed('worker-02')).toEqual(['/dc-b/vm/worker-02']);
    expect(await vcsim.govc('vm.info', '-dc', 'dc-b', '-r', '/dc-b/vm/worker-02')).toMatch(/datastore-b/);
  });

  it("logs in with a VSphereClusterIdentity's Secret from the provider's namespace, for the namespaces it allows only", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-ident');
    const providerNamespace = await createTestNamespace(kubeConfig, 'vs-provider');
    startManager(namespace, { identityNamespace: providerNamespace });
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await objects.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'vcenter-admin', namespace: providerNamespace },
      stringData: { username: USERNAME, password: PASSWORD },
    } as KubernetesObject);
    // A Secret belongs to one identity (its owner): the other names another one, never made.
    const identity = (name: string, secretName: string, selector: Record<string, unknown>) =>
      objects.create({
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'VSphereClusterIdentity',
        metadata: { name },
        spec: { secretName, allowedNamespaces: { selector } },
      } as KubernetesObject);
    await identity(`${namespace}-allowed`, 'vcenter-admin', {
      matchLabels: { 'kubernetes.io/metadata.name': namespace },
    });
    await identity(`${namespace}-elsewhere`, 'vcenter-other', {
      matchLabels: { 'kubernetes.io/metadata.name': 'another' },
    });
    // The cluster names the identity that does not allow its namespace: refused, named.
    await fixtures.createCluster({
      clusterSpec: { identityRef: { kind: 'VSphereClusterIdentity', name: `${namespace}-elsewhere` } },
    });
    const refused = await eventually('IdentityNotAllowed', async () => {
      const c = await fixtures.read<{ status?: { conditions?: Condition[] } }>('VSphereCluster', CLUSTER);
      return c?.status?.conditions?.find(
        (cond) => cond.type === 'VCenterAvailable' && cond.reason === 'IdentityNotAllowed',
      );
    });
    expect(refused.message).toBe(
      `VSphereClusterIdentity ${namespace}-elsewhere does not allow namespace ${namespace} (spec.allowedNamespaces.selector)`,
    );
    await mergePatch({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'VSphereCluster',
      metadata: { name: CLUSTER, namespace },
      spec: { identityRef: { kind: 'VSphereClusterIdentity', name: `${namespace}-allowed` } },
    });
    await eventually('ready with the allowed identity', async () => {
      const c = await fixtures.read<{ status?: { ready?: boolean; conditions?: Condition[] } }>(
        'VSphereCluster',
        CLUSTER,
      );
      return c?.status?.conditions?.some(
        (cond) => cond.type === 'VCenterAvailable' && cond.status === 'True',
      );
    });
  });
  it("takes a NIC's addresses from an IPAM pool (an IPAddressClaim per pool, as CAPV does), clones only once they are bound, and releases them on delete", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-ipam');
    startManager(namespace);
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await fixtures.createCluster();
    const poolRef = { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' };
    await fixtures.createMachine('ipam-worker', 'worker', {
      datacenter: 'dc-a',
      machineConfigPoolRef: undefined,
      network: {
        devices: [{ networkName: 'pg-business', addressesFromPools: [poolRef], nameservers: ['10.30.0.2'] }],
      },
    });

    // No IPAM provider answers yet: the claim is made, and the machine waits for it, naming it.
    type Claim = {
      metadata: {
        finalizers?: string[];
        ownerReferences?: { kind: string; name: string; controller?: boolean }[];
      };
      spec: { poolRef: unknown; clusterName?: string };
    };
    const claim = await eventually('the IPAddressClaim', () =>
      fixtures.read<Claim>('IPAddressClaim', 'ipam-worker-0-0', 'ipam.cluster.x-k8s.io/v1beta2'),
    );
    expect(claim.spec).toEqual({ poolRef, clusterName: CLUSTER });
    expect(claim.metadata.finalizers).toEqual([
      'vspheremachine.infrastructure.cluster.x-k8s.io/ip-claim-protection',
    ]);
    expect(claim.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'VSphereMachine', name: 'ipam-worker', controller: true }),
    ]);
    const waiting = await eventually('WaitingForIPAddress', async () => {
      const m = await fixtures.read<{ status?: MachineStatus }>('VSphereMachine', 'ipam-worker');
      return m?.status?.conditions?.find(
        (c) => c.type === 'IPAddressClaimed' && c.reason === 'WaitingForIPAddress',
      );
    });
    expect(waiting.message).toBe(
      '1/1 IPAddressClaims waiting for an address (ipam-worker-0-0: no address yet)',
    );
    expect(await vmsNamed('ipam-worker')).toEqual([]);

    const ipam = startTestIpamProvider(kubeConfig, {
      namespace,
      pools: {
        nodes: { kind: 'InClusterIPPool', first: '10.30.0.21', count: 10, prefix: 24, gateway: '10.30.0.1' },
      },
    });
    try {
      const ready = await eventually(
        'the machine ready with its pool address',
        async () => {
          const m = await fixtures.read<{ status?: MachineStatus & { claimedAddresses?: unknown } }>(
            'VSphereMachine',
            'ipam-worker',
          );
          return m?.status?.ready ? m : undefined;
        },
        120_000,
      );
      expect(ready.status?.addresses).toEqual([
        { type: 'InternalIP', address: '10.30.0.21' },
        { type: 'Hostname', address: 'ipam-worker' },
      ]);
      expect(ready.status?.claimedAddresses).toEqual([
        { claim: 'ipam-worker-0-0', device: 0, address: '10.30.0.21', prefix: 24, gateway: '10.30.0.1' },
      ]);
      expect(ready.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'IPAddressClaimed', status: 'True' }),
      );
      // The guest gets the address with the pool's prefix and gateway; NODE_IP is the address.
      const vm = (await govcVm('/dc-a/vm/ipam-worker')) as VmInfo;
      const metadata = JSON.parse(
        Buffer.from(extraConfig(vm, 'guestinfo.metadata') ?? '', 'base64').toString(),
      ) as {
        network: { ethernets: Record<string, Record<string, unknown>> };
      };
      expect(metadata.network.ethernets.id0).toMatchObject({
        dhcp4: false,
        addresses: ['10.30.0.21/24'],
        routes: [{ to: '0.0.0.0/0', via: '10.30.0.1' }],
        nameservers: { addresses: ['10.30.0.2'] },
      });
      const userdata = Buffer.from(extraConfig(vm, 'guestinfo.userdata') ?? '', 'base64').toString();
      expect(userdata).toContain(`vsphere://${vm.config.uuid} 10.30.0.21`);
      expect(ipam.answered).toEqual(['ipam-worker-0-0']);

      // Deleting the machine destroys the VM, then gives the address back: claim and IPAddress go.
      await fixtures.deleteMachine('ipam-worker');
      await eventually(
        'VSphereMachine gone',
        async () => (await fixtures.read('VSphereMachine', 'ipam-worker')) === undefined,
      );
      expect(await vmsNamed('ipam-worker')).toEqual([]);
      expect(
        await fixtures.read('IPAddressClaim', 'ipam-worker-0-0', 'ipam.cluster.x-k8s.io/v1beta2'),
      ).toBeUndefined();
      await eventually(
        'the IPAddress released',
        async () =>
          (await fixtures.read('IPAddress', 'ipam-worker-0-0', 'ipam.cluster.x-k8s.io/v1beta2')) ===
          undefined,
      );
    } finally {
      await ipam.stop();
    }
  });
});
