import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectClient } from '../src/kube/object-client.js';
import { createLogger } from '../src/runtime/logger.js';
import { Manager } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import { createTestProvider } from './fixtures/test-provider.ts';
import { createCluster, createMachine, getTestMachine, objectClient } from './support/capi-objects.ts';

let kubeConfig: KubeConfig;
let client: ObjectClient;
const running: Manager[] = [];

/** A manager for one test's namespace: tests share the API server, each has its own platform. */
function startManager(platform: FakePlatform, namespace: string): Manager {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createTestProvider({ platform })],
    log: createLogger({ level: process.env.IINFRA_TEST_LOG_LEVEL ?? 'error' }),
  });
  running.push(manager);
  void manager.start();
  return manager;
}

beforeAll(() => {
  kubeConfig = testKubeConfig();
  client = objectClient(kubeConfig);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

describe('the provider host', () => {
  it('adds its finalizer before the provider causes the first side effect', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'finalizer');
    const platform = new FakePlatform();
    const finalizersAtCreate: string[][] = [];
    const savedAtCreate: (string | undefined)[] = [];
    platform.beforeCreate = async (name) => {
      const object = await getTestMachine(client, namespace, name);
      finalizersAtCreate.push((object?.metadata.finalizers as string[] | undefined) ?? []);
      savedAtCreate.push(object?.status?.createRequestedAt);
    };
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');

    const provisioned = await eventually('TestMachine provisioned', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.ready ? m : undefined;
    });
    expect(finalizersAtCreate).toEqual([['test.infrastructure.immutable-infra.dev']]);
    // saveStatus wrote mid-reconcile; the host's write at the end kept it and added the rest.
    expect(savedAtCreate).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
    expect(provisioned.status?.createRequestedAt).toBe(savedAtCreate[0]);
    expect(provisioned.spec.providerID).toBe('test://m1');
    expect(provisioned.status?.initialization?.provisioned).toBe(true);
    expect(provisioned.status?.addresses).toEqual([{ type: 'InternalIP', address: '192.0.2.10' }]);
    expect(provisioned.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(platform.count('create')).toBe(1);

    const events = await eventually('a Provisioned event', async () => {
      const list = await client.list<{ reason: string; type: string; involvedObject: { name: string } }>(
        'v1',
        'Event',
        {
          namespace,
        },
      );
      const mine = list.filter((e) => e.involvedObject.name === 'm1');
      return mine.some((e) => e.reason === 'Provisioned') ? mine : undefined;
    });
    expect(events.map((e) => `${e.type}/${e.reason}`)).toEqual(
      expect.arrayContaining(['Normal/Creating', 'Normal/Provisioned']),
    );
  });

  it('sends nothing when saveStatus finds a field the CRD does not declare, and says which', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'save-status');
    const platform = new FakePlatform();
    platform.alsoSaved = 'undeclaredRecord';
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const ready = await eventually('Ready names the pruned field', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      const condition = m?.status?.conditions?.find((c) => c.type === 'Ready');
      return condition?.message?.includes('status.undeclaredRecord') ? condition : undefined;
    });
    expect(ready.status).toBe('False');
    expect(ready.message).toContain('the CRD does not declare it');
    expect(platform.count('create')).toBe(0);
  });

  it('takes a saved field with a key left undefined as kept: JSON does not send the key', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'save-undefined');
    const platform = new FakePlatform();
    platform.savesUndefinedKey = true;
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const ready = await eventually('TestMachine provisioned', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.ready ? m : undefined;
    });
    expect(ready.status?.addresses).toEqual([{ type: 'InternalIP', address: '192.0.2.10' }]);
    // No failed save on the way: the VM was created by the first reconcile that reached it.
    expect(platform.count('create')).toBe(1);
    expect(
      (await getTestMachine(client, namespace, 'm1'))?.status?.conditions?.some((c) =>
        c.message?.includes('did not keep'),
      ),
    ).toBe(false);
  });

  it('waits for bootstrap data and says so in a condition', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'bootstrap');
    const platform = new FakePlatform();
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1', { bootstrapReady: false });
    const waiting = await eventually('waiting condition', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.conditions?.find((c) => c.reason === 'WaitingForBootstrapData');
    });
    expect(waiting.status).toBe('False');
    expect(platform.count('create')).toBe(0);
  });

  it('resumes an interrupted reconcile without repeating its side effect', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'restart');
    const platform = new FakePlatform();
    platform.pollsPerTask = 1_000_000; // hold the creation task open while the first manager runs
    const first = startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'task id recorded in status',
      async () => (await getTestMachine(client, namespace, 'm1'))?.status?.createTaskId,
    );
    await first.stop();
    running.splice(running.indexOf(first), 1);

    platform.releaseTasks();
    startManager(platform, namespace);
    await eventually('TestMachine provisioned after restart', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.ready === true || undefined;
    });
    expect(platform.count('create')).toBe(1);
  });

  it('honours Cluster.spec.paused and resumes when unpaused', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'paused');
    const platform = new FakePlatform();
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1', { paused: true });
    await createMachine(client, namespace, 'c1', 'm1');
    const paused = await eventually('Paused condition', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.conditions?.find((c) => c.type === 'Paused' && c.status === 'True');
    });
    expect(paused.reason).toBe('Paused');
    expect(platform.count('create')).toBe(0);

    await client.patch(
      { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'c1', namespace },
      { spec: { paused: false } },
    );
    const machine = await eventually('provisioned after unpause', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.status?.conditions?.find((c) => c.type === 'Paused')?.status).toBe('False');
    expect(platform.count('create')).toBe(1);
  });

  it('keeps a deleted object until the provider has released its platform resources', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'delete');
    const platform = new FakePlatform();
    platform.pollsPerTask = 3;
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'provisioned',
      async () => (await getTestMachine(client, namespace, 'm1'))?.status?.ready,
    );

    await client.delete({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'TestMachine',
      name: 'm1',
      namespace,
    });
    const deleting = await getTestMachine(client, namespace, 'm1');
    expect(deleting?.metadata.deletionTimestamp).toBeDefined();
    await eventually(
      'object gone',
      async () => (await getTestMachine(client, namespace, 'm1')) === undefined,
    );
    expect(platform.findVm('m1')).toBeUndefined();
    expect(platform.calls).toEqual(['create m1', 'delete m1']);
  });

  it('provisions the InfraCluster and sets its control plane endpoint', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'cluster');
    startManager(new FakePlatform(), namespace);
    await createCluster(client, namespace, 'c1');
    const cluster = await eventually('TestCluster ready', async () => {
      const c = await client.get<{
        spec: { controlPlaneEndpoint?: { host: string; port: number } };
        status?: { ready?: boolean };
      }>({
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'TestCluster',
        name: 'c1',
        namespace,
      });
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '10.0.0.100', port: 6443 });
  });
});
