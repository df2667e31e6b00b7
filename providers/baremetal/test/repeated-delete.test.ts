// A BaremetalMachine's delete steps run again after its host went back to the pool and another
// machine took it (a reconcile from a stale copy, or a retry after the release): they leave that
// host alone. No clean plan, no owner annotations of the deleted machine, the other keeps its claim.
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import {
  type InfraMachineContext,
  isStepPlan,
  type KubeClient,
  type ObjectReference,
  type StepResult,
} from '@immutable-infra/core';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BaremetalMachine, createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';

const ELEMENTAL = 'elemental.cattle.io/v1beta1';
const VERSION = 'v1.33.7-2';
const POOL = 'again-pool';
const HOST = 'again-1';

interface MachineObject extends KubernetesObject {
  spec: { machineInventoryPoolRef: { name: string } };
  status?: { phase?: string; machineInventoryRef?: { name: string }; planSecretRef?: { name: string } };
}
interface Inventory {
  metadata: { annotations?: Record<string, string> };
}
interface PoolObject {
  status?: { claims?: { baremetalMachineRef?: { name: string; uid: string } }[] };
}

let kubeConfig: KubeConfig;
let namespace: string;
let fleet: BaremetalFleet;
let fixtures: BaremetalFixtures;
let manager: Manager;
const options = { imageCatalogNamespace: '', pollMs: 100, poolRecheckMs: 200 };

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  namespace = await createTestNamespace(kubeConfig, 'baremetal-repeated-delete');
  options.imageCatalogNamespace = namespace;
  fixtures = new BaremetalFixtures(kubeConfig);
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 1,
    namePrefix: 'again',
    pollMs: 50,
    durations: { reprovisionMs: 200, cleanMs: 100 },
  });
  await fixtures.imageCatalog(namespace, { [VERSION]: 'registry.example.local/tkestack/base:v1.33.7-2' });
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createBaremetalProvider(options)],
    log: createLogger({ level: 'error' }),
  });
  void manager.start();
  await fixtures.cluster(namespace);
  await fixtures.pool(namespace, POOL, [{ name: HOST }]);
});

afterAll(async () => {
  await manager?.stop();
  fleet?.stop();
});

const read = <T>(apiVersion: string, kind: string, name: string) =>
  fixtures.read<T>(apiVersion, kind, namespace, name);
const runningOn = (name: string) =>
  eventually(`${name} running on ${HOST}`, async () => {
    const m = await read<MachineObject>(INFRA, 'BaremetalMachine', name);
    return m?.status?.phase === 'Running' && m.status.machineInventoryRef?.name === HOST ? m : undefined;
  });

/** Core's KubeClient on client-node, for running a hook outside the host (status of the two pool kinds). */
function kubeClient(): KubeClient {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const plurals: Record<string, string> = {
    MachineInventoryPool: 'machineinventorypools',
    MachineInventory: 'machineinventories',
  };
  const spec = (ref: ObjectReference) => ({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace ?? namespace },
  });
  const merge = PatchStrategy.MergePatch;
  return {
    get: <T>(ref: ObjectReference) =>
      fixtures.read<T>(ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name),
    list: async <T>(apiVersion: string, kind: string, o?: { namespace?: string; labelSelector?: string }) =>
      (
        await objects.list(
          apiVersion,
          kind,
          o?.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          o?.labelSelector,
        )
      ).items as T[],
    create: async <T>(object: T) => (await objects.create(object as KubernetesObject)) as T,
    patch: async <T>(ref: ObjectReference, patch: Record<string, unknown>) =>
      (await objects.patch(
        { ...spec(ref), ...patch, metadata: { ...spec(ref).metadata, ...(patch.metadata as object) } },
        undefined,
        undefined,
        'repeated-delete-test',
        undefined,
        merge,
      )) as T,
    patchStatus: async <T>(ref: ObjectReference, patch: Record<string, unknown>) => {
      const [group = '', version = ''] = ref.apiVersion.split('/');
      const plural = plurals[ref.kind];
      if (!plural) throw new Error(`no status patch for ${ref.kind} in this test`);
      return (await custom.patchNamespacedCustomObjectStatus(
        { group, version, namespace: ref.namespace ?? '', plural, name: ref.name, body: patch },
        setHeaderOptions('Content-Type', merge),
      )) as T;
    },
    delete: async (ref) => {
      await objects.delete(spec(ref));
    },
  };
}

/** The provider's delete hook on `object` as it was, its steps run in order as the host does. */
async function runDeleteAgain(object: MachineObject, machine: KubernetesObject): Promise<StepResult[]> {
  const status = structuredClone(object.status ?? {}) as Record<string, unknown>;
  const events: string[] = [];
  const ctx = {
    kube: kubeClient(),
    log: createLogger({ level: 'error' }),
    events: {
      normal: (reason: string) => events.push(reason),
      warning: (reason: string) => events.push(reason),
    },
    secrets: { read: async () => undefined },
    clock: { now: () => new Date() },
    platformCalls: { record: <T>(_operation: string, call: () => Promise<T>) => call() },
    signal: new AbortController().signal,
    status,
    setCondition: () => undefined,
    getCondition: () => undefined,
    saveStatus: async () => undefined,
    object,
    machine,
    cluster: undefined,
    infraCluster: undefined,
    isControlPlane: false,
    bootstrapData: async () => {
      throw new Error('a delete needs no bootstrap data');
    },
  } as unknown as InfraMachineContext<typeof BaremetalMachine>;
  const hook = createBaremetalProvider(options).infraMachine.delete;
  if (!hook) throw new Error('the BaremetalMachine has a delete hook');
  const plan = await hook(ctx);
  if (!isStepPlan(plan)) throw new Error('the delete hook returns a step plan');
  const results: StepResult[] = [];
  for (const step of plan.steps) {
    const result = await step.run();
    results.push(result);
    if (result.type !== 'done') break;
  }
  return results;
}

it("leaves a host alone that another machine took after the deleted machine's release", async () => {
  await fixtures.machine(namespace, 'first', POOL, VERSION);
  await runningOn('first');
  // The copy a stale reconcile would hold: deleting, status naming the host and its plan.
  await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'first');
  const stale = (await read<MachineObject>(INFRA, 'BaremetalMachine', 'first')) as MachineObject;
  const staleMachine = (await read<KubernetesObject>(
    'cluster.x-k8s.io/v1beta2',
    'Machine',
    'first',
  )) as KubernetesObject;
  expect(stale.metadata?.deletionTimestamp).toBeDefined();
  await eventually('first gone', async () => (await read(INFRA, 'BaremetalMachine', 'first')) === undefined);

  await fixtures.machine(namespace, 'second', POOL, VERSION);
  const second = await runningOn('second');
  const plans = () => fleet.host(HOST).executed.map((p) => p.type);
  expect(plans()).toEqual(['reprovision', 'clean', 'reprovision']);
  const planSecret = second.status?.planSecretRef?.name as string;
  const before = await read<{ data?: Record<string, string> }>('v1', 'Secret', planSecret);

  const results = await runDeleteAgain(stale, staleMachine);
  expect(results.map((r) => r.type)).toEqual(['done', 'done', 'done', 'done']);

  // No plan written: the Secret holds the second machine's reprovision plan, byte for byte.
  const after = await read<{
    data?: Record<string, string>;
    metadata: { annotations?: Record<string, string> };
  }>('v1', 'Secret', planSecret);
  expect(after?.data?.plan).toBe(before?.data?.plan);
  expect(after?.metadata.annotations?.['baremetal.alauda.io/plan.type']).toBe('reprovision');
  const inventory = (await read<Inventory>(ELEMENTAL, 'MachineInventory', HOST)) as Inventory;
  expect(inventory.metadata.annotations?.['baremetal.alauda.io/owner-baremetalmachine']).toBe('second');
  expect(inventory.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe('Allocated');
  const pool = await read<PoolObject>(INFRA, 'MachineInventoryPool', POOL);
  expect(pool?.status?.claims).toEqual([
    expect.objectContaining({ baremetalMachineRef: { name: 'second', uid: second.metadata?.uid } }),
  ]);
  expect((await read<MachineObject>(INFRA, 'BaremetalMachine', 'second'))?.status?.phase).toBe('Running');
  expect(plans()).toEqual(['reprovision', 'clean', 'reprovision']);
});
