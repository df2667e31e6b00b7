import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDcsProvider } from '../../src/provider.js';
import { eventually } from './eventually.ts';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let sim: DcsSimulator;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
});

afterAll(async () => {
  for (const manager of managers) await manager.stop();
  await sim?.close();
});

function startManager(namespace: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createDcsProvider()],
    log: createLogger({ level: 'error' }),
  });
  managers.push(manager);
  void manager.start();
}

async function apply(object: Record<string, unknown>): Promise<KubernetesObject> {
  return objects.create(object as KubernetesObject);
}

async function read<T>(
  kind: string,
  namespace: string,
  name: string,
  apiVersion = INFRA,
): Promise<T | undefined> {
  try {
    return (await objects.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
  } catch {
    return undefined;
  }
}

const ignition = JSON.stringify({
  ignition: { version: '3.4.0' },
  storage: {
    files: [
      {
        path: '/etc/kubeadm-extra.yaml',
        contents: { source: `data:,${encodeURIComponent('provider-id: PROVIDER_ID\nnode-ip: NODE_IP\n')}` },
      },
    ],
  },
});

async function createCluster(namespace: string, secretKey: string, vmPrefix = namespace): Promise<void> {
  await apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dcs-auth', namespace },
    stringData: { authUser: 'cluster-api', authKey: secretKey, endpoint: sim.url },
  });
  await apply({
    apiVersion: INFRA,
    kind: 'DCSIpHostnamePool',
    metadata: { name: 'cp-pool', namespace },
    spec: {
      pool: [1, 2].map((n) => ({
        ip: `10.0.1.1${n}`,
        mask: '24',
        gateway: '10.0.1.1',
        dns: '10.0.0.2',
        hostname: `cp-${n}`,
        machineName: `${vmPrefix}-vm-${n}`,
        dvSwitchName: 'DVS-Business',
        portGroupName: 'business-vlan100',
        additionNic: [
          {
            ip: `10.0.2.1${n}`,
            mask: '255.255.255.0',
            dvSwitchName: 'DVS-Management',
            portGroupName: 'management',
          },
        ],
      })),
    },
  });
  const cluster = await apply({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name: 'demo', namespace },
    spec: {
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSCluster', name: 'demo' },
    },
  });
  await apply({
    apiVersion: INFRA,
    kind: 'DCSCluster',
    metadata: {
      name: 'demo',
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': 'demo' },
      ownerReferences: [
        { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'demo', uid: cluster.metadata?.uid },
      ],
    },
    spec: {
      controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
      credentialSecretRef: { name: 'dcs-auth' },
      networkType: 'kube-ovn',
    },
  });
}

async function createMachine(namespace: string, name: string): Promise<void> {
  await apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${name}-bootstrap`, namespace },
    stringData: { value: ignition, format: 'ignition' },
  });
  const machine = await apply({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Machine',
    metadata: {
      name,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': 'demo', 'cluster.x-k8s.io/control-plane': '' },
    },
    spec: {
      clusterName: 'demo',
      bootstrap: { dataSecretName: `${name}-bootstrap` },
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSMachine', name },
    },
  });
  await apply({
    apiVersion: INFRA,
    kind: 'DCSMachine',
    metadata: {
      name,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': 'demo' },
      ownerReferences: [
        { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine', name, uid: machine.metadata?.uid },
      ],
    },
    spec: {
      vmTemplateName: 'ubuntu-2204-k8s-v1.34',
      location: { type: 'folder', name: 'kubernetes' },
      ipHostPoolRef: { name: 'cp-pool' },
      vmConfig: {
        dcsMachineCpuSpec: { quantity: 4 },
        dcsMachineMemorySpec: { quantity: 8192 },
        dcsMachineDiskSpec: [
          { quantity: 0, systemVolume: true, datastoreClusterName: 'ssd-pool' },
          { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/containerd', format: 'xfs' },
        ],
        cdRomDatastoreName: 'datastore-nas-01',
      },
    },
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
    await createCluster(namespace, 'Huawei@123');

    const cluster = await eventually('DCSCluster ready', async () => {
      const c = await read<{ spec: { controlPlaneEndpoint?: unknown }; status?: Status }>(
        'DCSCluster',
        namespace,
        'demo',
      );
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '10.0.1.100', port: 6443 });

    await createMachine(namespace, 'demo-cp-1');
    const machine = await eventually('DCSMachine ready', async () => {
      const m = await read<{ spec: { providerID?: string }; status?: Status & { addresses?: unknown } }>(
        'DCSMachine',
        namespace,
        'demo-cp-1',
      );
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
    expect(sim.state().uploads.map((u) => u.fileName)).toContain('demo-cp-1-bootstrap.iso');
    const pool = await read<{ status?: { slots?: { ip: string; dcsMachine: string }[]; used?: number } }>(
      'DCSIpHostnamePool',
      namespace,
      'cp-pool',
    );
    expect(pool?.status?.slots?.map((s) => `${s.ip}=${s.dcsMachine}`)).toEqual(['10.0.1.11=demo-cp-1']);

    await objects.delete({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: { name: 'demo-cp-1', namespace },
    });
    await eventually(
      'DCSMachine gone',
      async () => (await read('DCSMachine', namespace, 'demo-cp-1')) === undefined,
    );
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)).toBeUndefined();
    expect(sim.state().uploads.filter((u) => u.fileName === 'demo-cp-1-bootstrap.iso')).toEqual([]);
    const released = await read<{ status?: { slots?: unknown[] } }>(
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
    await createCluster(namespace, 'not-the-password-4711');
    const condition = await eventually('CredentialsReady False', async () => {
      const c = await read<{ status?: Status }>('DCSCluster', namespace, 'demo');
      return c?.status?.conditions?.find((x) => x.type === 'CredentialsReady' && x.status === 'False');
    });
    expect(condition.reason).toBe('LoginFailed');
    expect(condition.message).toMatch(/user|key|password|credential/i);
    const status = JSON.stringify(await read('DCSCluster', namespace, 'demo'));
    expect(status).not.toContain('not-the-password-4711');
    expect(sim.state().logins.failed - loginsBefore).toBe(1);
  });

  it('says so on the DCSMachine, with an Event, when its pool has no free entry', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-full');
    startManager(namespace);
    await createCluster(namespace, 'Huawei@123');
    for (const name of ['full-1', 'full-2', 'full-3']) await createMachine(namespace, name);
    const condition = await eventually('PoolExhausted on one machine', async () => {
      for (const name of ['full-1', 'full-2', 'full-3']) {
        const m = await read<{ status?: Status }>('DCSMachine', namespace, name);
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
        ['full-1', 'full-2', 'full-3'].map((n) => read<{ status?: Status }>('DCSMachine', namespace, n)),
      );
      const count = states.filter((m) => m?.status?.ready).length;
      return count === 2 ? count : undefined;
    });
    expect(ready).toBe(2);
  });

  it('converges through platform faults: 5xx answers and an expired session', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-faults');
    startManager(namespace);
    await createCluster(namespace, 'Huawei@123');
    sim.setFaults({ taskSeconds: 0.05, errorRate: 0.15, seed: 7 });
    try {
      await createMachine(namespace, 'flaky-1');
      await eventually('the machine is cloning', () =>
        sim.state().vms.find((v) => v.name === `${namespace}-vm-1`),
      );
      sim.setFaults({ taskSeconds: 0.05, errorRate: 0.15, seed: 8, expireSessions: true });
      const machine = await eventually('DCSMachine ready despite faults', async () => {
        const m = await read<{ status?: Status }>('DCSMachine', namespace, 'flaky-1');
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
    await createCluster(other, 'Huawei@123', 'shared');
    await createMachine(other, 'other-1');
    await eventually(
      'the other cluster has its VM',
      async () => (await read<{ status?: Status }>('DCSMachine', other, 'other-1'))?.status?.ready,
    );

    startManager(namespace);
    await createCluster(namespace, 'Huawei@123', 'shared');
    await createMachine(namespace, 'mine-1');
    const condition = await eventually('VMNameInUse', async () => {
      const m = await read<{ status?: Status }>('DCSMachine', namespace, 'mine-1');
      return m?.status?.conditions?.find((c) => c.reason === 'VMNameInUse');
    });
    expect(condition.message).toContain('shared-vm-1');
    const vms = sim.state().vms.filter((v) => v.name === 'shared-vm-1');
    expect(vms).toHaveLength(1);
    expect(vms[0]?.description).toContain(`dcsmachine=${other}/other-1`);
  });
});
