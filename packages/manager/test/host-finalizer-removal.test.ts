import { done, type InfraMachineHooks, type KindDefinition } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { OwnFinalizerRemovals, OwnStatusWrites } from '../src/host/own-writes.js';
import { createReconciler, type HostServices, type ObjectCache } from '../src/host/reconciler.js';
import type { KubeObject, ObjectClient } from '../src/kube/object-client.js';
import { createLogger } from '../src/runtime/logger.js';
import { testMachine } from './fixtures/test-provider.ts';
import { objectClient } from './support/capi-objects.ts';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const FINALIZER = 'test.infrastructure.immutable-infra.dev';
/** Another controller's finalizer, which keeps the object after the host removed its own. */
const OTHER_FINALIZER = 'test.immutable-infra.dev/other';

let kubeConfig: KubeConfig;
let client: ObjectClient;

beforeAll(() => {
  kubeConfig = testKubeConfig();
  client = objectClient(kubeConfig);
});

/**
 * The host's reconcile of TestMachines, driven directly: its "informer cache" is a map the test
 * fills, so the race (a reconcile reading the copy from before the host's finalizer removal, whose
 * watch event has not arrived) happens every time instead of once in a while.
 */
function hostWithHeldCache(removals: OwnFinalizerRemovals | undefined) {
  const held = new Map<string, KubeObject>();
  const cache: ObjectCache = {
    get: (apiVersion, kind, namespace, name) =>
      apiVersion === INFRA && kind === 'TestMachine' ? held.get(`${namespace}/${name}`) : undefined,
  };
  const deletes: string[] = [];
  const hooks: InfraMachineHooks<KindDefinition> = {
    kind: testMachine,
    reconcile: async () => done(),
    delete: async (context) => {
      deletes.push(context.object.metadata.name as string);
      return done();
    },
  } as InfraMachineHooks<KindDefinition>;
  const services: HostServices = {
    client,
    log: createLogger({ level: process.env.IINFRA_TEST_LOG_LEVEL ?? 'error' }),
    clock: { now: () => new Date() },
    secrets: { read: async () => undefined },
    platformCalls: { record: (_operation, call) => call() },
    signal: new AbortController().signal,
    finalizer: FINALIZER,
    cache,
    ownWrites: new OwnStatusWrites(),
    ...(removals ? { finalizerRemovals: removals } : {}),
  };
  const reconcile = createReconciler(services, testMachine, { role: 'InfraMachine', hooks });
  return { reconcile, held, deletes };
}

/** A TestMachine being deleted, still held by the host's finalizer (and `more`). */
async function deletingMachine(namespace: string, name: string, more: string[] = []): Promise<KubeObject> {
  const ref = { apiVersion: INFRA, kind: 'TestMachine', name, namespace };
  await client.create({ ...ref, metadata: { name, namespace, finalizers: [FINALIZER, ...more] }, spec: {} });
  await client.delete(ref);
  const object = await client.get<KubeObject>(ref);
  expect(object?.metadata.deletionTimestamp).toBeDefined();
  return object as KubeObject;
}

describe('the host after removing its finalizer', () => {
  it('does not run the delete steps again on the copy from before the removal', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'stale-delete');
    const removals = new OwnFinalizerRemovals(FINALIZER);
    const { reconcile, held, deletes } = hostWithHeldCache(removals);
    // The object goes away with the removal (404), and one that another finalizer keeps.
    const gone = await deletingMachine(namespace, 'm1');
    const kept = await deletingMachine(namespace, 'm2', [OTHER_FINALIZER]);

    for (const object of [gone, kept]) {
      const key = `${namespace}/${object.metadata.name}`;
      // The informer's copy: finalizer and deletionTimestamp; its update event is never delivered.
      held.set(key, object);
      await reconcile(key);
      expect(deletes).toEqual([object.metadata.name]);
      deletes.length = 0;
      // Queued before the removal: the copy says "delete", the API server says there is nothing left.
      await reconcile(key);
      await reconcile(key);
      expect(deletes).toEqual([]);
    }
    const live = await client.get<KubeObject>({
      apiVersion: INFRA,
      kind: 'TestMachine',
      name: 'm2',
      namespace,
    });
    expect(live?.metadata.finalizers).toEqual([OTHER_FINALIZER]);
  });

  it('without the record, the same stale copy runs the delete steps again (the race this guards)', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'stale-delete-unguarded');
    const { reconcile, held, deletes } = hostWithHeldCache(undefined);
    const object = await deletingMachine(namespace, 'm1', [OTHER_FINALIZER]);
    const key = `${namespace}/m1`;
    held.set(key, object);
    await reconcile(key);
    // What the finalizer patch on the stale copy then says does not matter: the delete hook ran again.
    await reconcile(key).catch(() => undefined);
    expect(deletes).toEqual(['m1', 'm1']);
  });
});

describe('OwnFinalizerRemovals', () => {
  const copy = (uid: string, finalizers: string[]): KubeObject =>
    ({ apiVersion: INFRA, kind: 'TestMachine', metadata: { name: 'm1', uid, finalizers } }) as KubeObject;

  it('holds a removal until the watch shows it, so it never grows past the events on their way', () => {
    const removals = new OwnFinalizerRemovals(FINALIZER);
    removals.removing('ns/m1', copy('u1', [FINALIZER]));
    removals.removing('ns/m2', copy('u2', [FINALIZER, OTHER_FINALIZER]));
    expect(removals.isStale('ns/m1', copy('u1', [FINALIZER]))).toBe(true);
    // A new object of the same name is not the deleted one.
    expect(removals.isStale('ns/m1', copy('u9', [FINALIZER]))).toBe(false);

    // An event still carrying the finalizer (written before the removal) is not the catch-up.
    removals.observed('ns/m2', copy('u2', [FINALIZER, OTHER_FINALIZER]));
    expect(removals.size).toBe(2);
    removals.observed('ns/m2', copy('u2', [OTHER_FINALIZER]));
    expect(removals.isStale('ns/m2', copy('u2', [FINALIZER, OTHER_FINALIZER]))).toBe(false);
    // The delete event.
    removals.forget('ns/m1');
    expect(removals.size).toBe(0);
  });
});
