import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/kube/object-client.js';
import { createLogger } from '../src/runtime/logger.js';
import { Manager } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import { createTestProvider } from './fixtures/test-provider.ts';
import { objectClient } from './support/capi-objects.ts';

interface TestIdentity extends KubeObject {
  spec: { account: string };
  status?: { ready?: boolean; observedAccount?: string; conditions?: { type: string; status: string }[] };
}

const kubeConfig = testKubeConfig();
const client = objectClient(kubeConfig);
const running: Manager[] = [];
const ref = (name: string) => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'TestIdentity',
  name,
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

describe('a cluster-scoped extra kind', () => {
  it('is watched, finalized, status-written and deleted on its cluster-wide path by a manager of one namespace', async () => {
    // The manager watches one namespace; an identity lives in none and must still be reconciled.
    const namespace = await createTestNamespace(kubeConfig, 'cluster-scoped');
    const platform = new FakePlatform();
    const manager = new Manager({
      kubeConfig,
      namespace,
      providers: [createTestProvider({ platform, withIdentity: true })],
      log: createLogger({ level: process.env.IINFRA_TEST_LOG_LEVEL ?? 'error' }),
    });
    running.push(manager);
    void manager.start();

    const name = `${namespace}-identity`;
    await client.create({ ...ref(name), metadata: { name }, spec: { account: 'first' } });
    const ready = await eventually('the identity is ready', async () => {
      const identity = await client.get<TestIdentity>(ref(name));
      return identity?.status?.observedAccount === 'first' ? identity : undefined;
    });
    expect(ready.metadata.namespace).toBeUndefined();
    expect(ready.metadata.finalizers).toEqual(['test.infrastructure.immutable-infra.dev']);
    expect(ready.status?.ready).toBe(true);

    // A spec change reaches the reconcile through the cluster-wide watch.
    await client.patch(ref(name), { spec: { account: 'second' } });
    await eventually('the new spec is observed', async () => {
      const identity = await client.get<TestIdentity>(ref(name));
      return identity?.status?.observedAccount === 'second' ? true : undefined;
    });

    // Deleting runs the delete hook and then removes the finalizer on the cluster-scoped path.
    await client.delete(ref(name));
    await eventually('the identity is gone', async () =>
      (await client.get(ref(name))) === undefined ? true : undefined,
    );
    expect(platform.hookCalls.filter((call) => call.endsWith(`TestIdentity ${name}`))).toEqual(
      expect.arrayContaining([`reconcile TestIdentity ${name}`, `delete TestIdentity ${name}`]),
    );
  });
});
