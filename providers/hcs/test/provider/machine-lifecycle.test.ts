import { X509Certificate } from 'node:crypto';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { captureLog, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBalancerName, persistentVolumeName } from '../../src/controllers/names.js';
import { createHcsProvider } from '../../src/provider.js';
import { clientFor, network, simLookup } from '../cloud/simulator.js';
import { HcsFixtures } from './hcs-fixtures.ts';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let sim: HcsSimulator;
let fixtures: HcsFixtures;
const managers: Manager[] = [];
const WRONG_SECRET = 'not-the-secret-key-4711';

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startHcsSimulator({ faults: { jobSeconds: 0.05 } });
  fixtures = new HcsFixtures(objects, sim);
});

afterEach(async () => {
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
    // Long enough that a request the simulator answers is not given up on when the machine is busy
    // (tests share 2 cores), short enough that the 'never answered' faults cost seconds, not minutes.
    providers: [createHcsProvider({ http: { lookup: simLookup(), timeoutMs: 5_000 } })],
    log: createLogger({ level: 'debug', destination: managerLog.destination }),
  });
  managers.push(manager);
  void manager.start();
}

type Condition = { type: string; status: string; reason?: string; message?: string };
type Machine = {
  metadata: { name: string };
  spec: { providerID?: string; failureDomain?: string };
  status?: {
    ready?: boolean;
    serverId?: string;
    poolHostname?: string;
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
  };
};
type Cluster = {
  spec: { controlPlaneEndpoint?: { host: string; port: number } };
  status?: {
    ready?: boolean;
    failureDomains?: unknown[];
    conditions?: Condition[];
    loadBalancer?: { id?: string; poolId?: string; members?: { machineName: string; address: string }[] };
    controlPlaneHA?: { id?: string };
  };
};

const readMachine = (namespace: string, name: string) =>
  fixtures.read<Machine>('HCSMachine', namespace, name);

function ready(namespace: string, names: string[], timeout = 120_000) {
  return eventually(
    `${names.join(', ')} ready`,
    async () => {
      const all = await Promise.all(names.map((n) => readMachine(namespace, n)));
      return all.every((m) => m?.status?.ready) ? (all as Machine[]) : undefined;
    },
    timeout,
  );
}

async function gone(namespace: string, kind: string, name: string) {
  await eventually(
    `${kind} ${name} gone`,
    async () => (await fixtures.read(kind, namespace, name)) === undefined,
    120_000,
  );
}

/** The members of the cluster's ELB pool, by address, straight from HCS. */
function memberAddresses(namespace: string): string[] {
  const state = sim.state();
  const lb = state.loadBalancers.find((l) => l.name === loadBalancerName(namespace, 'demo'));
  const pool = state.pools.find((p) => p.loadbalancers.some((l) => l.id === lb?.id));
  return state.members
    .filter((m) => m.pool_id === pool?.id)
    .map((m) => m.address)
    .sort();
}

describe('the HCS provider on the real host, against hcs-sim', () => {
  it('creates the control plane ELB, writes the endpoint, builds 3 control planes and 2 workers, keeps members equal to the control plane, and removes everything on delete', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-life');
    const prefix = namespace;
    startManager(namespace);
    await fixtures.createCluster(namespace, {
      hostPrefix: prefix,
      vipAddress: '192.168.10.250',
      backendIps: { l4: ['192.168.10.240', '192.168.10.241'], l7: ['192.168.10.242', '192.168.10.243'] },
      ipBase: 10,
    });
    await fixtures.createPool(namespace, 'worker-pool', prefix, 'workers', '192.168.20.10', { size: 2 });

    const cluster = await eventually('HCSCluster ready', async () => {
      const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '192.168.10.250', port: 6443 });
    // The v1beta2 contract's list (the CRD declares that contract): Cluster API v1.13 reads nothing else.
    expect(cluster.status?.failureDomains).toEqual([{ name: 'az1', controlPlane: true }]);
    const lb = sim.state().loadBalancers.find((l) => l.name === loadBalancerName(namespace, 'demo'));
    expect(lb?.provisioning_status).toBe('ACTIVE');
    expect(lb?.elb_virsubnet_l4_ips?.map((e) => e.ips)).toEqual([['192.168.10.240', '192.168.10.241']]);
    expect(lb?.elb_virsubnet_l7_ips?.map((e) => e.ips)).toEqual([['192.168.10.242', '192.168.10.243']]);
    expect(lb?.id).toBe(cluster.status?.loadBalancer?.id);
    expect(
      sim
        .state()
        .listeners.filter((l) => l.loadbalancers[0]?.id === lb?.id)
        .map((l) => l.protocol_port),
    ).toEqual([6443]);
    const pool = sim.state().pools.find((p) => p.loadbalancers[0]?.id === lb?.id);
    expect(pool?.healthmonitor_id).toBeTruthy();

    const controlPlanes = ['cp-1', 'cp-2', 'cp-3'];
    const workers = ['w-1', 'w-2'];
    for (const name of controlPlanes) await fixtures.createMachine(namespace, name);
    for (const name of workers) await fixtures.createMachine(namespace, name, 'worker');
    const machines = await ready(namespace, [...controlPlanes, ...workers], 150_000);
    for (const machine of machines) {
      expect(machine.spec.providerID).toBe(`hcs://${machine.metadata.name}`);
      expect(machine.spec.failureDomain).toBe('az1');
    }
    const ips = machines
      .map((m) => m.status?.addresses?.find((a) => a.type === 'InternalIP')?.address)
      .sort();
    expect(ips).toEqual([
      '192.168.10.11',
      '192.168.10.12',
      '192.168.10.13',
      '192.168.20.11',
      '192.168.20.12',
    ]);

    const servers = sim.state().servers.filter((s) => s.name.startsWith(`${prefix}-`));
    expect(servers).toHaveLength(5);
    for (const server of servers) {
      expect(server.status).toBe('ACTIVE');
      expect(server.flavor.name).toBe(server.name.includes('-worker-') ? 's6.xlarge.2' : 's6.large.2');
      expect(server['os-extended-volumes:volumes_attached']).toHaveLength(2);
      const userData = Buffer.from(server['OS-EXT-SRV-ATTR:user_data'] ?? '', 'base64').toString();
      const machine = machines.find((m) => m.status?.serverId === server.id);
      const ip = Object.values(server.addresses).flat()[0]?.addr;
      expect(userData).toContain(`provider-id: hcs://${machine?.metadata.name}`);
      expect(userData).toContain(`node-ip: ${ip}`);
      expect(userData).toContain(`hostname: ${server.name}`);
      expect(userData).toContain('/var/lib/etcd');
      expect(userData.startsWith('## template: jinja\n#cloud-config\n')).toBe(true);
    }
    // One encryption provider configuration for every control plane server, from one Secret; none on workers.
    const secret = await fixtures.read<{ data?: Record<string, string> }>(
      'Secret',
      namespace,
      'demo-hcs-encryption-provider',
      'v1',
    );
    const caSecret = await fixtures.read<{ data?: Record<string, string> }>(
      'Secret',
      namespace,
      'demo-ca',
      'v1',
    );
    const ca = Buffer.from(caSecret?.data?.['tls.crt'] ?? '', 'base64').toString();
    const encryption = Buffer.from(secret?.data?.['encryption-provider.conf'] ?? '', 'base64').toString();
    expect(encryption).toContain('aescbc');
    for (const server of servers) {
      const config = parse(Buffer.from(server['OS-EXT-SRV-ATTR:user_data'] ?? '', 'base64').toString()) as {
        write_files?: { path: string; content: string; permissions: string }[];
      };
      const file = config.write_files?.find((f) => f.path === '/etc/kubernetes/encryption-provider.conf');
      const kubelet = config.write_files?.find((f) => f.path === '/etc/kubernetes/pki/kubelet.crt');
      if (server.name.includes('-worker-')) expect(kubelet).toBeUndefined();
      else {
        const cert = new X509Certificate(kubelet?.content ?? '');
        expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
        expect(cert.subject).toContain(`CN=system:node:${server.name}`);
        expect(
          config.write_files?.find((f) => f.path === '/etc/kubernetes/pki/kubelet.key')?.permissions,
        ).toBe('0600');
      }
      if (server.name.includes('-worker-')) expect(file).toBeUndefined();
      else
        expect(file).toEqual({
          path: '/etc/kubernetes/encryption-provider.conf',
          owner: 'root:root',
          permissions: '0600',
          content: encryption,
        });
    }
    // Members are the control plane only.
    await eventually('three control plane members', () =>
      memberAddresses(namespace).length === 3 ? true : undefined,
    );
    expect(memberAddresses(namespace)).toEqual(['192.168.10.11', '192.168.10.12', '192.168.10.13']);
    const cpPool = await fixtures.read<{ status?: { totalCount?: number; availableCount?: number } }>(
      'HCSMachineConfigPool',
      namespace,
      'cp-pool',
    );
    await eventually('pool counts', async () => {
      const p = await fixtures.read<{ status?: { totalCount?: number; availableCount?: number } }>(
        'HCSMachineConfigPool',
        namespace,
        'cp-pool',
      );
      return p?.status?.totalCount === 3 && p.status.availableCount === 0 ? p : undefined;
    });
    expect(cpPool).toBeDefined();

    // Cluster API deletes the machines, then the cluster.
    for (const name of [...controlPlanes, ...workers]) await fixtures.delete('HCSMachine', namespace, name);
    for (const name of [...controlPlanes, ...workers]) await gone(namespace, 'HCSMachine', name);
    expect(sim.state().servers.filter((s) => s.name.startsWith(`${prefix}-`))).toEqual([]);
    expect(memberAddresses(namespace)).toEqual([]);
    await fixtures.delete('HCSCluster', namespace, 'demo');
    await gone(namespace, 'HCSCluster', 'demo');
    const state = sim.state();
    expect(state.loadBalancers.filter((l) => l.name === loadBalancerName(namespace, 'demo'))).toEqual([]);
    expect(state.listeners.filter((l) => l.loadbalancers[0]?.id === lb?.id)).toEqual([]);
    expect(state.pools.filter((p) => p.id === pool?.id)).toEqual([]);
    expect(state.healthMonitors.filter((m) => m.pools[0]?.id === pool?.id)).toEqual([]);
    expect(state.volumes.filter((v) => v.name.startsWith(`${prefix}-`))).toEqual([]);
    const released = await fixtures.read<{ status?: { usedConfigs?: unknown[] } }>(
      'HCSMachineConfigPool',
      namespace,
      'cp-pool',
    );
    expect(released?.status?.usedConfigs ?? []).toEqual([]);
  }, 300_000);

  it('keeps ELB membership through a control plane replacement and carries the persistent disk to the replacement server', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-replace');
    const prefix = namespace;
    startManager(namespace);
    await fixtures.createCluster(namespace, {
      hostPrefix: prefix,
      ipBase: 30,
      persistentDiskGB: 20,
      controlPlaneHA: true,
    });
    // Before any control plane server, the group alone is not HA.
    await eventually('ControlPlaneHAReady waits for servers', async () => {
      const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
      const ha = c?.status?.conditions?.find((x) => x.type === 'ControlPlaneHAReady');
      return ha?.status === 'False' && ha.reason === 'WaitingForControlPlaneServers' ? true : undefined;
    });
    for (const name of ['r-1', 'r-2', 'r-3']) await fixtures.createMachine(namespace, name);
    const first = await ready(namespace, ['r-1', 'r-2', 'r-3'], 150_000);
    await eventually('three members', () => (memberAddresses(namespace).length === 3 ? true : undefined));
    const cluster = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
    const group = sim.state().serverGroups.find((g) => g.id === cluster?.status?.controlPlaneHA?.id);
    expect(group?.policies).toEqual(['anti-affinity']);
    expect([...(group?.members ?? [])].sort()).toEqual(first.map((m) => m.status?.serverId).sort());
    // HA holds once every control plane server is in the group, not when the group exists.
    await eventually('ControlPlaneHAReady with all three members', async () => {
      const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
      const ha = c?.status?.conditions?.find((x) => x.type === 'ControlPlaneHAReady');
      return ha?.status === 'True' && ha.message?.startsWith('all 3 control plane servers')
        ? true
        : undefined;
    });

    const hostname = first.find((m) => m.metadata.name === 'r-1')?.status?.poolHostname as string;
    const volumeName = persistentVolumeName('cp-pool', hostname, 0);
    const oldServer = first.find((m) => m.metadata.name === 'r-1')?.status?.serverId;
    const volume = sim.state().volumes.find((v) => v.name === volumeName);
    expect(volume?.size).toBe(20);
    expect(volume?.attachments[0]?.server_id).toBe(oldServer);

    // maxSurge 0: the old machine goes first, then the replacement takes its entry.
    await fixtures.delete('HCSMachine', namespace, 'r-1');
    await gone(namespace, 'HCSMachine', 'r-1');
    expect(memberAddresses(namespace)).toHaveLength(2);
    // The documented order: the old server stopped cleanly, then the disk detached, then the server deleted.
    const jobsOf = (type: string) =>
      sim
        .state()
        .jobs.filter(
          (j) =>
            j.job_type === type &&
            ((j.entities as { server_id?: string }).server_id === oldServer ||
              j.entities.sub_jobs?.some((sub) => sub.entities.server_id === oldServer)),
        );
    const [stop, detach, removal] = ['stopServer', 'detachVolume', 'deleteServer'].map((t) => jobsOf(t)[0]);
    expect(stop?.status).toBe('SUCCESS');
    expect(detach?.status).toBe('SUCCESS');
    expect(stop && detach && stop.end_time <= detach.begin_time).toBe(true);
    expect(detach && removal && detach.end_time <= removal.begin_time).toBe(true);
    const kept = sim.state().volumes.find((v) => v.name === volumeName);
    expect(kept?.id).toBe(volume?.id);
    expect(kept?.status).toBe('available');
    await eventually('the pool reports the disk available and unowned', async () => {
      const p = await fixtures.read<{
        status?: { persistentDiskStatus?: { hostname: string; phase?: string; ownerMachineName?: string }[] };
      }>('HCSMachineConfigPool', namespace, 'cp-pool');
      const record = p?.status?.persistentDiskStatus?.find((r) => r.hostname === hostname);
      return record?.phase === 'Available' && !record.ownerMachineName ? record : undefined;
    });

    await fixtures.createMachine(namespace, 'r-4');
    const [replacement] = await ready(namespace, ['r-4'], 150_000);
    expect(replacement?.status?.poolHostname).toBe(hostname);
    expect(replacement?.status?.serverId).not.toBe(oldServer);
    const carried = sim.state().volumes.filter((v) => v.name === volumeName);
    expect(carried).toHaveLength(1);
    expect(carried[0]?.id).toBe(volume?.id);
    expect(carried[0]?.attachments[0]?.server_id).toBe(replacement?.status?.serverId);
    const members = await eventually('three members again', async () => {
      const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
      const m = c?.status?.loadBalancer?.members ?? [];
      return m.length === 3 && m.some((x) => x.machineName === 'r-4') ? m : undefined;
    });
    expect(members.map((m) => m.machineName).sort()).toEqual(['r-2', 'r-3', 'r-4']);
    expect(memberAddresses(namespace)).toEqual(['192.168.10.31', '192.168.10.32', '192.168.10.33']);
  }, 300_000);

  it('claims a template data volume for a newly declared persistent disk on replacement (the documented migration)', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-migrate');
    startManager(namespace);
    await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 140, poolSize: 1 });
    await fixtures.createMachine(namespace, 'old-1', 'control-plane', 'cp-pool', [
      { type: 'SSD', size: 20, mountPath: '/var/cpaas', format: 'xfs' },
    ]);
    const [old] = await ready(namespace, ['old-1']);
    const oldServer = sim.state().servers.find((s) => s.id === old?.status?.serverId);
    const cpaasVolume = oldServer?.['os-extended-volumes:volumes_attached'].find(
      (v) => v.device === '/dev/vdc',
    );
    expect(cpaasVolume).toBeDefined();

    // The migration guide: the pool now declares /var/cpaas as a persistent disk, the new template drops it.
    const hostname = `${namespace}-master-1`;
    await objects.patch(
      {
        apiVersion: INFRA_API,
        kind: 'HCSMachineConfigPool',
        metadata: { name: 'cp-pool', namespace },
        spec: {
          configs: [
            {
              hostname,
              networks: [{ subnetName: 'control-plane', ipAddress: '192.168.10.141' }],
              persistentDisks: [{ slot: 0, size: 20, type: 'SSD', mountPath: '/var/cpaas', format: 'xfs' }],
            },
          ],
        },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await fixtures.delete('HCSMachine', namespace, 'old-1');
    await gone(namespace, 'HCSMachine', 'old-1');
    const claimed = sim.state().volumes.find((v) => v.id === cpaasVolume?.id);
    expect(claimed).toMatchObject({
      name: persistentVolumeName('cp-pool', hostname, 0),
      status: 'available',
    });

    await fixtures.createMachine(namespace, 'new-1');
    const [replacement] = await ready(namespace, ['new-1']);
    const carried = sim
      .state()
      .volumes.filter((v) => v.name === persistentVolumeName('cp-pool', hostname, 0));
    expect(carried.map((v) => v.id)).toEqual([cpaasVolume?.id]);
    expect(carried[0]?.attachments[0]?.server_id).toBe(replacement?.status?.serverId);
  }, 240_000);

  it('says QuotaExceeded with the cloud code on the machine, then converges once the quota allows', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-quota');
    startManager(namespace);
    await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 50, poolSize: 1 });
    await eventually(
      'HCSCluster ready',
      async () => (await fixtures.read<Cluster>('HCSCluster', namespace, 'demo'))?.status?.ready,
    );
    const limits = sim.state().quotas;
    sim.setQuotas({ instances: limits.used.instances });
    try {
      await fixtures.createMachine(namespace, 'q-1');
      // The host's Ready says QuotaExceeded too; the machine's own MachineReady names the cloud's words.
      const condition = await eventually('QuotaExceeded on the machine', async () =>
        (await readMachine(namespace, 'q-1'))?.status?.conditions?.find(
          (c) => c.type === 'MachineReady' && c.reason === 'QuotaExceeded',
        ),
      );
      expect(condition.type).toBe('MachineReady');
      expect(condition.message).toContain('Ecs.0001');
      expect(condition.message).toMatch(/instances: \d+ of \d+ used/);
      const events = (await objects.list('v1', 'Event', namespace)).items as unknown as { reason: string }[];
      expect(events.some((e) => e.reason === 'QuotaExceeded')).toBe(true);
    } finally {
      sim.setQuotas({ instances: limits.limits.instances });
    }
    await ready(namespace, ['q-1'], 150_000);
  }, 240_000);

  it('says QuotaExceeded on the HCSCluster when the ELB quota is full, naming the cloud code', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-lbquota');
    const limits = sim.state().quotas;
    sim.setQuotas({ loadBalancers: limits.used.loadBalancers });
    try {
      startManager(namespace);
      await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 120, poolSize: 1 });
      const condition = await eventually('LoadBalancerReady False', async () => {
        const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
        return c?.status?.conditions?.find(
          (x) => x.type === 'LoadBalancerReady' && x.reason === 'QuotaExceeded',
        );
      });
      expect(condition.status).toBe('False');
      expect(condition.message).toContain('ELB.1004');
      expect(sim.state().loadBalancers.filter((l) => l.name === loadBalancerName(namespace, 'demo'))).toEqual(
        [],
      );
    } finally {
      sim.setQuotas({ loadBalancers: limits.limits.loadBalancers });
    }
  });

  it('converges through 5xx answers and a failed create job, with one server in the end', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-faults');
    startManager(namespace);
    await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 60, poolSize: 1 });
    sim.setFaults({
      jobSeconds: 0.05,
      errorRate: 0.15,
      seed: 7,
      jobFailures: [
        { jobType: 'createServer', code: 'Ecs.0000', message: 'injected create failure', times: 1 },
      ],
    });
    try {
      await fixtures.createMachine(namespace, 'f-1');
      // A run of failed reconciles doubles the host's back-off each time (2 s, 4 s, ... 128 s): the
      // bound leaves room for an unlucky run on a loaded machine (ci3 of session 14 ran out at 180 s).
      const machine = await ready(namespace, ['f-1'], 330_000);
      expect(machine[0]?.status?.ready).toBe(true);
    } finally {
      sim.setFaults({ jobSeconds: 0.05 });
    }
    expect(sim.state().servers.filter((s) => s.name === `${namespace}-master-1`)).toHaveLength(1);
    const failedJobs = sim.state().jobs.filter((j) => j.job_type === 'createServer' && j.status === 'FAIL');
    expect(failedJobs.length).toBeGreaterThanOrEqual(1);
  }, 390_000);

  it('reports wrong credentials on the HCSCluster as AuthenticationFailed, without the key', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-badkey');
    startManager(namespace);
    await fixtures.createCluster(namespace, {
      hostPrefix: namespace,
      ipBase: 70,
      poolSize: 1,
      secretKey: WRONG_SECRET,
    });
    const condition = await eventually('CredentialsReady False', async () => {
      const c = await fixtures.read<Cluster>('HCSCluster', namespace, 'demo');
      return c?.status?.conditions?.find((x) => x.type === 'CredentialsReady' && x.status === 'False');
    });
    expect(condition.reason).toBe('AuthenticationFailed');
    expect(condition.message).toContain('APIGW.0301');
    expect(JSON.stringify(await fixtures.read('HCSCluster', namespace, 'demo'))).not.toContain(WRONG_SECRET);
  });

  it('refuses schema http when the Secret does not accept plain HTTP, naming the key to set; with allowPlainHTTP it warns in SecureConnection', async () => {
    const refusedNs = await createTestNamespace(kubeConfig, 'hcs-plain');
    await fixtures.createCluster(refusedNs, { hostPrefix: refusedNs, ipBase: 75, poolSize: 1 });
    await objects.patch(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'hcs-auth', namespace: refusedNs },
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
      const c = await fixtures.read<Cluster>('HCSCluster', refusedNs, 'demo');
      return c?.status?.conditions?.find((x) => x.type === 'CredentialsReady' && x.status === 'False');
    });
    expect(refused.reason).toBe('CredentialSecretInvalid');
    expect(refused.message).toBe(
      `Secret ${refusedNs}/hcs-auth: schema uses plain http://, which sends the credential unencrypted: use https://, or set allowPlainHTTP: "true" in the Secret to accept that`,
    );

    const acceptedNs = await createTestNamespace(kubeConfig, 'hcs-plain-ok');
    startManager(acceptedNs);
    await fixtures.createCluster(acceptedNs, { hostPrefix: acceptedNs, ipBase: 77, poolSize: 1 });
    const conditions = await eventually('CredentialsReady True', async () => {
      const c = await fixtures.read<Cluster>('HCSCluster', acceptedNs, 'demo');
      const all = c?.status?.conditions ?? [];
      return all.some((x) => x.type === 'CredentialsReady' && x.status === 'True') ? all : undefined;
    });
    expect(conditions.find((x) => x.type === 'SecureConnection')).toMatchObject({
      status: 'False',
      reason: 'PlainHTTPAllowed',
      message:
        'plain HTTP is allowed (allowPlainHTTP): the credential and session tokens cross the network unencrypted',
    });
  });

  it('converges through requests that are never answered', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-timeout');
    startManager(namespace);
    await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 80, poolSize: 1 });
    sim.setFaults({ jobSeconds: 0.05, timeoutRate: 0.1, seed: 11 });
    try {
      await fixtures.createMachine(namespace, 't-1');
      await ready(namespace, ['t-1'], 180_000);
    } finally {
      sim.setFaults({ jobSeconds: 0.05 });
    }
    expect(sim.state().servers.filter((s) => s.name === `${namespace}-master-1`)).toHaveLength(1);
  }, 240_000);

  it("never adopts a server that has the machine's name but was made for something else", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-taken');
    const cloud = clientFor(sim);
    const { vpc, workers: subnet } = await network(cloud);
    const image = await cloud.findImage('microos-k8s-1.34.1');
    const foreign = await cloud.createServer({
      name: `${namespace}-master-1`,
      imageRef: image?.id ?? '',
      flavorRef: 's6.large.2',
      vpcid: vpc.id,
      nics: [{ subnet_id: subnet.id }],
      root_volume: { volumetype: 'SSD' },
      metadata: { owner: 'someone else' },
    });
    startManager(namespace);
    await fixtures.createCluster(namespace, { hostPrefix: namespace, ipBase: 90, poolSize: 1 });
    await fixtures.createMachine(namespace, 'n-1');
    const condition = await eventually('ServerNameInUse', async () =>
      (await readMachine(namespace, 'n-1'))?.status?.conditions?.find((c) => c.reason === 'ServerNameInUse'),
    );
    expect(condition.message).toContain(`${namespace}-master-1`);
    const named = sim.state().servers.filter((s) => s.name === `${namespace}-master-1`);
    expect(named.map((s) => s.id)).toEqual(foreign.serverIds);
    // Deleting the machine leaves the foreign server alone and frees the entry.
    await fixtures.delete('HCSMachine', namespace, 'n-1');
    await gone(namespace, 'HCSMachine', 'n-1');
    expect(
      sim
        .state()
        .servers.filter((s) => s.name === `${namespace}-master-1`)
        .map((s) => s.id),
    ).toEqual(foreign.serverIds);
  });

  it('never writes a credential into the manager log, an Event or a status', async () => {
    const log = managerLog.text();
    expect(log.length).toBeGreaterThan(0);
    const encryptionKeys = (
      (await objects.list('v1', 'Secret')).items as {
        metadata: { name?: string };
        data?: Record<string, string>;
      }[]
    )
      .filter((item) => item.metadata.name?.endsWith('-hcs-encryption-provider'))
      .map(
        (item) =>
          /secret: (\S+)/.exec(
            Buffer.from(item.data?.['encryption-provider.conf'] ?? '', 'base64').toString(),
          )?.[1] ?? '',
      );
    expect(encryptionKeys.length).toBeGreaterThan(0);
    for (const secret of [sim.secretKey, WRONG_SECRET, ...encryptionKeys]) {
      expect(log).not.toContain(secret);
      expect(JSON.stringify((await objects.list('v1', 'Event')).items)).not.toContain(secret);
      for (const kind of ['HCSCluster', 'HCSMachine', 'HCSMachineConfigPool'])
        expect(JSON.stringify((await objects.list(INFRA_API, kind)).items)).not.toContain(secret);
    }
  });
});

const INFRA_API = 'infrastructure.cluster.x-k8s.io/v1beta1';
