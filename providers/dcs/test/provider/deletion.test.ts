import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { apiServerVerdict, clusterApiObjects, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpointSha256 } from '../../src/controllers/cloud-for-cluster.js';
import { createDcsProvider } from '../../src/provider.js';
import { DcsFixtures, INFRA, isBootstrapIsoOf } from './dcs-fixtures.ts';

const CREDENTIAL_FINALIZER = 'huawei-dcs.infrastructure.immutable-infra.dev/credential-in-use';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let core: CoreV1Api;
let sim: DcsSimulator;
let fixtures: DcsFixtures;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  core = kubeConfig.makeApiClient(CoreV1Api);
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  fixtures = new DcsFixtures(objects, sim.url);
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
    providers: [createDcsProvider({ sessions: { timeoutMs: 1_500 } })],
    log: createLogger({ level: 'error' }),
  });
  managers.push(manager);
  void manager.start();
}

type Status = {
  ready?: boolean;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  location?: { endpointSha256?: string; site?: string };
};

const readyMachines = (namespace: string, names: string[]) =>
  eventually(
    `${names.join(', ')} ready`,
    async () => {
      const all = await Promise.all(
        names.map((n) => fixtures.read<{ status?: Status }>('DCSMachine', namespace, n)),
      );
      return all.every((m) => m?.status?.ready) ? all : undefined;
    },
    120_000,
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

/** A merge patch of a DCSCluster's spec: `accepted`, or the API server's refusal. */
async function patchSpec(namespace: string, spec: Record<string, unknown>): Promise<string> {
  try {
    await objects.patch(
      { apiVersion: INFRA, kind: 'DCSCluster', metadata: { name: 'demo', namespace }, spec },
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

describe('deleting DCS clusters', () => {
  it('removes every VM, its disks, ISOs and pool slots when the whole namespace is deleted', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-nsdel');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, 2);
    await fixtures.createWorkerPool(namespace, 1);
    await fixtures.createMachine(namespace, 'cp-1');
    await fixtures.createMachine(namespace, 'cp-2');
    await fixtures.createMachine(namespace, 'w-1', 'worker');
    const machines = await readyMachines(namespace, ['cp-1', 'cp-2', 'w-1']);

    // Each machine records where its VM was cloned: the VRM of the Secret and the simulator's only site.
    // The address itself stays in the Secret: machine status is read by browsers.
    for (const machine of machines)
      expect(machine?.status?.location).toEqual({
        endpointSha256: endpointSha256(sim.url),
        site: '3CD306E7',
      });
    const secret = await core.readNamespacedSecret({ name: 'dcs-auth', namespace });
    expect(secret.metadata?.finalizers).toContain(CREDENTIAL_FINALIZER);

    const vms = sim.state().vms.filter((v) => v.name.startsWith(`${namespace}-`));
    expect(vms).toHaveLength(3);
    const vmUrns = new Set(vms.map((v) => v.urn));
    const volumeUrns = new Set(
      sim
        .state()
        .volumes.filter((v) => vmUrns.has(v.vmUrn))
        .map((v) => v.urn),
    );
    expect(volumeUrns.size).toBeGreaterThan(0);

    await core.deleteNamespace({ name: namespace });
    await eventually('the namespace is gone', async () => !(await namespaceExists(namespace)), 180_000);

    const state = sim.state();
    expect(state.vms.filter((v) => vmUrns.has(v.urn) || v.name.startsWith(`${namespace}-`))).toEqual([]);
    expect(state.volumes.filter((v) => volumeUrns.has(v.urn) || vmUrns.has(v.vmUrn))).toEqual([]);
    expect(
      state.uploads.filter((u) => ['cp-1', 'cp-2', 'w-1'].some((m) => isBootstrapIsoOf(m, u.fileName))),
    ).toEqual([]);
    // Every VM was stopped and deleted by the provider: a delete task for each, none failed.
    const deletes = state.tasks.filter((t) => t.type === 'DeleteVm' && vmUrns.has(t.entityUrn));
    expect(new Set(deletes.map((t) => t.entityUrn))).toEqual(vmUrns);
  }, 300_000);

  it('keeps the DCSCluster, naming how many machines remain, until its machines are gone', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-clwait');
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, 2);
    await fixtures.createMachine(namespace, 'wait-1');
    await fixtures.createMachine(namespace, 'wait-2');
    await readyMachines(namespace, ['wait-1', 'wait-2']);

    await objects.delete({ apiVersion: INFRA, kind: 'DCSCluster', metadata: { name: 'demo', namespace } });
    const waiting = await eventually('the DCSCluster waits for its machines', async () => {
      const c = await fixtures.read<{ status?: Status }>('DCSCluster', namespace, 'demo');
      return c?.status?.conditions?.find((x) => x.type === 'Ready' && x.reason === 'WaitForMachines');
    });
    expect(waiting.message).toContain('2 DCSMachines of this cluster remain (wait-1, wait-2)');
    // The credential stays held while the cluster is being deleted.
    const held = await core.readNamespacedSecret({ name: 'dcs-auth', namespace });
    expect(held.metadata?.finalizers).toContain(CREDENTIAL_FINALIZER);

    for (const name of ['wait-1', 'wait-2'])
      await objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name, namespace } });
    await eventually(
      'the DCSCluster is gone',
      async () => (await fixtures.read('DCSCluster', namespace, 'demo')) === undefined,
      120_000,
    );
    expect(sim.state().vms.filter((v) => v.name.startsWith(`${namespace}-`))).toEqual([]);
    const released = await core.readNamespacedSecret({ name: 'dcs-auth', namespace });
    expect(released.metadata?.finalizers ?? []).not.toContain(CREDENTIAL_FINALIZER);
  }, 240_000);

  /** A namespace with the fixtures' cluster `demo` and a second reconciled cluster `other` on its Secret. */
  async function twoClustersOneSecret(prefix: string): Promise<string> {
    const namespace = await createTestNamespace(kubeConfig, prefix);
    startManager(namespace);
    await fixtures.createCluster(namespace, 'Huawei@123', namespace, 1);
    const capi = clusterApiObjects({
      namespace,
      cluster: 'other',
      infrastructureKinds: { cluster: 'DCSCluster', machine: 'DCSMachine' },
    });
    const owner = await fixtures.apply(capi.cluster());
    await fixtures.apply({
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: {
        name: 'other',
        namespace,
        labels: capi.labels,
        ownerReferences: [capi.ownerReference(owner)],
      },
      spec: {
        controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.101', port: 6443 },
        credentialSecretRef: { name: 'dcs-auth' },
        networkType: 'kube-ovn',
      },
    });
    await eventually('both clusters ready', async () => {
      const both = await Promise.all(
        ['demo', 'other'].map((n) => fixtures.read<{ status?: Status }>('DCSCluster', namespace, n)),
      );
      return both.every((c) => c?.status?.ready);
    });
    const held = await core.readNamespacedSecret({ name: 'dcs-auth', namespace });
    expect(held.metadata?.finalizers).toEqual([CREDENTIAL_FINALIZER]);
    return namespace;
  }

  const released = async (namespace: string) => {
    const s = await core.readNamespacedSecret({ name: 'dcs-auth', namespace });
    return !(s.metadata?.finalizers ?? []).includes(CREDENTIAL_FINALIZER);
  };

  it('keeps a Secret two clusters share until the last of them is gone', async () => {
    const namespace = await twoClustersOneSecret('dcs-shared');
    await objects.delete({ apiVersion: INFRA, kind: 'DCSCluster', metadata: { name: 'demo', namespace } });
    await eventually(
      'demo is gone',
      async () => (await fixtures.read('DCSCluster', namespace, 'demo')) === undefined,
    );
    expect(await released(namespace)).toBe(false);
    await objects.delete({ apiVersion: INFRA, kind: 'DCSCluster', metadata: { name: 'other', namespace } });
    await eventually('the Secret is released', () => released(namespace));
  });

  it('releases a shared Secret when both clusters are deleted at once', async () => {
    const namespace = await twoClustersOneSecret('dcs-shared2');
    await Promise.all(
      ['demo', 'other'].map((name) =>
        objects.delete({ apiVersion: INFRA, kind: 'DCSCluster', metadata: { name, namespace } }),
      ),
    );
    await eventually('both clusters are gone and the Secret is released', async () => {
      const left = await Promise.all(['demo', 'other'].map((n) => fixtures.read('DCSCluster', namespace, n)));
      return left.every((c) => c === undefined) && (await released(namespace));
    });
  });
});

describe('where a DCSCluster places its machines', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await createTestNamespace(kubeConfig, 'dcs-immutable');
    await fixtures.apply({
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: { name: 'demo', namespace },
      spec: {
        controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
        credentialSecretRef: { name: 'dcs-auth' },
        networkType: 'kube-ovn',
        site: '3CD306E7',
      },
    });
  });

  it('cannot change: the API server refuses a new credential Secret or site, naming the field', async () => {
    const refusedSecret = await patchSpec(namespace, { credentialSecretRef: { name: 'another-auth' } });
    expect(refusedSecret).toMatch(/^422 /);
    expect(refusedSecret).toContain('spec.credentialSecretRef cannot change');
    const refusedSite = await patchSpec(namespace, { site: 'EC1C108C' });
    expect(refusedSite).toMatch(/^422 /);
    expect(refusedSite).toContain('spec.site cannot be set, changed or removed');
    const refusedRemoval = await patchSpec(namespace, { site: null });
    expect(refusedRemoval).toContain('spec.site cannot be set, changed or removed');
  });

  it('can still change everything else, and a new cluster may name any Secret and site', async () => {
    expect(await patchSpec(namespace, { networkType: 'calico' })).toBe('accepted');
    const verdict = await apiServerVerdict(objects, {
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: { name: 'fresh', namespace },
      spec: {
        controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
        credentialSecretRef: { name: 'another-auth' },
        networkType: 'kube-ovn',
      },
    });
    expect(verdict).toBe('accepted');
  });
});
