import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { apiServerVerdict, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBalancerName, serverGroupName } from '../../src/controllers/names.js';
import { createHcsProvider } from '../../src/provider.js';
import { simLookup } from '../cloud/simulator.js';
import { type ClusterOptions, HcsFixtures, INFRA, TEST_DOMAIN } from './hcs-fixtures.ts';

const CREDENTIAL_FINALIZER = 'huawei-cloud-stack.infrastructure.immutable-infra.dev/credential-in-use';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let core: CoreV1Api;
let sim: HcsSimulator;
let fixtures: HcsFixtures;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  core = kubeConfig.makeApiClient(CoreV1Api);
  sim = await startHcsSimulator({ faults: { jobSeconds: 0.05 } });
  fixtures = new HcsFixtures(objects, sim);
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await sim?.close();
});

function startManager(namespace: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createHcsProvider({ http: { lookup: simLookup(), timeoutMs: 1_500 } })],
    log: createLogger({ level: 'error' }),
  });
  managers.push(manager);
  void manager.start();
}

type Condition = { type: string; status: string; reason?: string; message?: string };
type Machine = {
  status?: {
    ready?: boolean;
    conditions?: Condition[];
    location?: { externalGlobalDomain?: string; region?: string; projectID?: string };
  };
};

const readyMachines = (namespace: string, names: string[]) =>
  eventually(
    `${names.join(', ')} ready`,
    async () => {
      const all = await Promise.all(names.map((n) => fixtures.read<Machine>('HCSMachine', namespace, n)));
      return all.every((m) => m?.status?.ready) ? (all as Machine[]) : undefined;
    },
    150_000,
  );

async function namespaceExists(namespace: string): Promise<boolean> {
  try {
    await core.readNamespace({ name: namespace });
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  }
}

/** What HCS holds for the cluster of `namespace`: servers and volumes by name, the ELB and its parts. */
function platformParts(namespace: string) {
  const state = sim.state();
  const lbIds = new Set(
    state.loadBalancers.filter((l) => l.name === loadBalancerName(namespace, 'demo')).map((l) => l.id),
  );
  const poolIds = new Set(
    state.pools.filter((p) => p.loadbalancers.some((l) => lbIds.has(l.id))).map((p) => p.id),
  );
  return {
    servers: state.servers.filter((s) => s.name.startsWith(`${namespace}-`)).map((s) => s.name),
    volumes: state.volumes.filter((v) => v.name.startsWith(`${namespace}-`)).map((v) => v.name),
    loadBalancers: [...lbIds],
    listeners: state.listeners.filter((l) => l.loadbalancers.some((lb) => lbIds.has(lb.id))).map((l) => l.id),
    pools: [...poolIds],
    members: state.members.filter((m) => poolIds.has(m.pool_id)).map((m) => m.address),
    healthMonitors: state.healthMonitors
      .filter((h) => h.pools.some((p) => poolIds.has(p.id)))
      .map((h) => h.id),
    serverGroups: state.serverGroups
      .filter((g) => g.name === serverGroupName(namespace, 'demo'))
      .map((g) => g.name),
  };
}

async function patchSpec(namespace: string, spec: Record<string, unknown>): Promise<string> {
  try {
    await objects.patch(
      { apiVersion: INFRA, kind: 'HCSCluster', metadata: { name: 'demo', namespace }, spec },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    return 'accepted';
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return `${error.code} ${body?.message ?? ''}`;
  }
}

/** A namespace with a manager, the identity Secret, the CA, a control plane pool and an HCSCluster. */
async function managedCluster(prefix: string, options: Omit<ClusterOptions, 'hostPrefix'>): Promise<string> {
  const namespace = await createTestNamespace(kubeConfig, prefix);
  startManager(namespace);
  await fixtures.createCluster(namespace, { hostPrefix: namespace, ...options });
  return namespace;
}

describe('deleting HCS clusters', () => {
  it('removes every server, volume, ELB member and part, server group and pool slot when the whole namespace is deleted', async () => {
    const namespace = await managedCluster('hcs-nsdel', {
      poolSize: 2,
      vipAddress: '192.168.10.200',
      ipBase: 100,
      controlPlaneHA: true,
    });
    await fixtures.createPool(namespace, 'worker-pool', namespace, 'workers', '192.168.20.100', { size: 1 });
    await fixtures.createMachine(namespace, 'cp-1');
    await fixtures.createMachine(namespace, 'cp-2');
    await fixtures.createMachine(namespace, 'w-1', 'worker');
    const machines = await readyMachines(namespace, ['cp-1', 'cp-2', 'w-1']);

    // Each machine records where its server was created: the Secret's domain, region and project.
    const domain = `${TEST_DOMAIN}:${new URL(sim.url).port}`;
    for (const machine of machines)
      expect(machine.status?.location).toEqual({
        externalGlobalDomain: domain,
        region: sim.region,
        projectID: sim.projectId,
      });
    const secret = await core.readNamespacedSecret({ name: 'hcs-auth', namespace });
    expect(secret.metadata?.finalizers).toContain(CREDENTIAL_FINALIZER);
    const before = await eventually('both control planes are ELB members', async () => {
      const parts = platformParts(namespace);
      return parts.members.length === 2 ? parts : undefined;
    });
    expect(before.servers).toHaveLength(3);
    expect(before.volumes.length).toBeGreaterThan(0);
    expect(before.serverGroups).toHaveLength(1);

    await core.deleteNamespace({ name: namespace });
    await eventually('the namespace is gone', async () => !(await namespaceExists(namespace)), 240_000);

    expect(platformParts(namespace)).toEqual({
      servers: [],
      volumes: [],
      loadBalancers: [],
      listeners: [],
      pools: [],
      members: [],
      healthMonitors: [],
      serverGroups: [],
    });
  }, 420_000);

  it('takes a control plane machine out of the ELB before its server is stopped or deleted', async () => {
    const namespace = await managedCluster('hcs-cpout', {
      poolSize: 1,
      vipAddress: '192.168.10.220',
      ipBase: 120,
      // A persistent disk makes the delete stop the server first, so both orders can be checked.
      persistentDiskGB: 20,
    });
    await fixtures.createMachine(namespace, 'out-1');
    const [machine] = await readyMachines(namespace, ['out-1']);
    const serverId = (machine?.status as { serverId?: string } | undefined)?.serverId;
    expect(serverId).toBeTruthy();
    await eventually(
      'the control plane is an ELB member',
      () => platformParts(namespace).members.length === 1,
    );
    const from = sim.state().changes.length;

    await fixtures.delete('HCSMachine', namespace, 'out-1');
    await eventually('the server is gone', () => platformParts(namespace).servers.length === 0, 120_000);

    // The order the cloud acted in, not samples of its state: a short overlap cannot slip between them.
    const changes = sim.state().changes.slice(from);
    // This file's simulator serves one test at a time: every change since `from` is this deletion's.
    expect(changes.map((c) => c.operation)).toEqual([
      'elb.deleteMember',
      'ecs.serverAction',
      'ecs.detachVolume',
      'ecs.deleteServers',
    ]);
    expect(changes[1]?.path).toMatch(/\/cloudservers\/action$/);
    expect(changes[2]?.path).toContain(`/cloudservers/${serverId}/detachvolume/`);
  }, 300_000);

  it('keeps the HCSCluster and its ELB, naming how many machines remain, until its machines are gone', async () => {
    const namespace = await managedCluster('hcs-clwait', {
      poolSize: 1,
      vipAddress: '192.168.10.210',
      ipBase: 110,
    });
    await fixtures.createMachine(namespace, 'wait-1');
    await readyMachines(namespace, ['wait-1']);
    await eventually(
      'the control plane is an ELB member',
      () => platformParts(namespace).members.length === 1,
    );

    await fixtures.delete('HCSCluster', namespace, 'demo');
    const waiting = await eventually('the HCSCluster waits for its machines', async () => {
      const c = await fixtures.read<{ status?: { conditions?: Condition[] } }>(
        'HCSCluster',
        namespace,
        'demo',
      );
      return c?.status?.conditions?.find((x) => x.type === 'Ready' && x.reason === 'WaitForMachines');
    });
    expect(waiting.message).toContain('1 HCSMachine of this cluster remains (wait-1)');
    // The ELB is still whole, and the server still in it.
    expect(platformParts(namespace).loadBalancers).toHaveLength(1);
    expect(platformParts(namespace).members).toHaveLength(1);

    await fixtures.delete('HCSMachine', namespace, 'wait-1');
    await eventually(
      'the HCSCluster is gone',
      async () => (await fixtures.read('HCSCluster', namespace, 'demo')) === undefined,
      120_000,
    );
    expect(platformParts(namespace).loadBalancers).toEqual([]);
    expect(platformParts(namespace).servers).toEqual([]);
    const released = await core.readNamespacedSecret({ name: 'hcs-auth', namespace });
    expect(released.metadata?.finalizers ?? []).not.toContain(CREDENTIAL_FINALIZER);
  }, 300_000);
});

describe('where an HCSCluster places its machines', () => {
  let namespace: string;
  const spec = (identity: string) => ({
    networkType: 'kube-ovn',
    network: { vpc: { name: 'cluster-vpc' }, subnets: [{ name: 'control-plane' }] },
    identityRef: { name: identity },
  });
  beforeAll(async () => {
    namespace = await createTestNamespace(kubeConfig, 'hcs-immutable');
    await fixtures.apply({
      apiVersion: INFRA,
      kind: 'HCSCluster',
      metadata: { name: 'demo', namespace },
      spec: spec('hcs-auth'),
    });
  });

  it('cannot change: the API server refuses a new identity Secret, naming the field', async () => {
    const refused = await patchSpec(namespace, { identityRef: { name: 'another-auth' } });
    expect(refused).toMatch(/^422 /);
    expect(refused).toContain('spec.identityRef cannot change');
  });

  it('can still change everything else, and a new cluster may name any identity', async () => {
    expect(await patchSpec(namespace, { networkType: 'calico' })).toBe('accepted');
    const verdict = await apiServerVerdict(objects, {
      apiVersion: INFRA,
      kind: 'HCSCluster',
      metadata: { name: 'fresh', namespace },
      spec: spec('another-auth'),
    });
    expect(verdict).toBe('accepted');
  });
});
