// A provider's `watches`: a change to an object of a kind the provider only reads wakes the objects
// its `concerns` names, and only those this manager holds. The test machine asks for no recheck once
// provisioned, so each further reconcile counted here was started by a watch event.
import type { WatchedObject } from '@immutable-infra/core';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/runtime/logger.js';
import { Manager } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import { createTestProvider } from './fixtures/test-provider.ts';
import { createCluster, createMachine, getTestMachine, objectClient } from './support/capi-objects.ts';

const running: Manager[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

describe('kinds a provider watches without owning them', () => {
  it('wakes the objects a watched object concerns on add, update and delete, and nothing it does not hold', async () => {
    const kubeConfig = testKubeConfig();
    const client = objectClient(kubeConfig);
    const namespace = await createTestNamespace(kubeConfig, 'watches');
    const platform = new FakePlatform();
    const concerned: string[] = [];
    const provider = {
      ...createTestProvider({ platform }),
      watches: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          // The ConfigMap's `wakes` label names a TestMachine (one this manager may not hold).
          concerns: (object: WatchedObject) => {
            const name = object.metadata.labels?.wakes;
            if (!name) return [];
            concerned.push(name);
            return [{ kind: 'TestMachine', namespace: object.metadata.namespace ?? '', name }];
          },
        },
      ],
    };
    const manager = new Manager({
      kubeConfig,
      namespace,
      providers: [provider],
      log: createLogger({ level: 'error' }),
    });
    running.push(manager);
    void manager.start();
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'm1 provisioned',
      async () => (await getTestMachine(client, namespace, 'm1'))?.status?.ready,
    );
    const reconciles = () => platform.hookCalls.filter((c) => c === 'reconcile TestMachine m1').length;
    const settled = reconciles();

    const configMap = (data: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'host-data', namespace, labels: { wakes: 'm1' } },
      data: { value: data },
    });
    await client.create(configMap('a'));
    await eventually('the add wakes m1', async () => reconciles() === settled + 1);
    await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'host-data' },
      { data: { value: 'b' } },
    );
    // Before and after the change name m1: one key in the queue, at least one more reconcile.
    await eventually('the update wakes m1', async () => reconciles() >= settled + 2);
    const afterUpdate = reconciles();
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'host-data' });
    await eventually('the delete wakes m1', async () => reconciles() > afterUpdate);

    // A TestMachine this manager does not hold is named, and nothing is reconciled for it.
    await client.create({
      ...configMap('c'),
      metadata: { name: 'other', namespace, labels: { wakes: 'absent' } },
    });
    await eventually('the change was mapped', async () => concerned.includes('absent'));
    expect(platform.hookCalls.filter((c) => c.includes('absent'))).toEqual([]);
  });

  it("under --watch-filter, watches every object of the kind and wakes only its own shard's objects", async () => {
    const kubeConfig = testKubeConfig();
    const client = objectClient(kubeConfig);
    const namespace = await createTestNamespace(kubeConfig, 'watches-shard');
    const platform = new FakePlatform();
    const provider = {
      ...createTestProvider({ platform }),
      watches: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          concerns: (object: WatchedObject) =>
            (object.metadata.labels?.wakes ?? '')
              .split('.')
              .filter(Boolean)
              .map((name) => ({ kind: 'TestMachine', namespace: object.metadata.namespace ?? '', name })),
        },
      ],
    };
    const manager = new Manager({
      kubeConfig,
      namespace,
      watchFilter: 'shard-a',
      providers: [provider],
      log: createLogger({ level: 'error' }),
    });
    running.push(manager);
    void manager.start();
    const shard = (value: string) => ({ labels: { 'cluster.x-k8s.io/watch-filter': value } });
    await createCluster(client, namespace, 'c1', shard('shard-a'));
    await createMachine(client, namespace, 'c1', 'mine', shard('shard-a'));
    await createMachine(client, namespace, 'c1', 'theirs', shard('shard-b'));
    await eventually(
      'mine provisioned',
      async () => (await getTestMachine(client, namespace, 'mine'))?.status?.ready,
    );
    const reconciles = (name: string) =>
      platform.hookCalls.filter((c) => c === `reconcile TestMachine ${name}`).length;
    const settled = reconciles('mine');
    // The ConfigMap carries no watch-filter label, and names both machines.
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'host-data', namespace, labels: { wakes: 'theirs.mine' } },
      data: { value: 'a' },
    });
    await eventually('the unlabelled ConfigMap wakes mine', async () => reconciles('mine') > settled);
    expect(reconciles('theirs')).toBe(0);
  });
});
