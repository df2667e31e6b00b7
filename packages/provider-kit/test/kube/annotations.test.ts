import type { KubeClient } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { keepAnnotations } from '../../src/index.js';
import { customObjectClient } from './custom-object-client.js';
import { TEST_POOL_API_VERSION, TEST_POOL_GROUP, type TestPoolObject } from './test-pool-kind.js';

describe('keepAnnotations on a real kube-apiserver', () => {
  const kubeConfig = testKubeConfig();
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  let namespace: string;
  let kube: KubeClient;

  beforeAll(async () => {
    namespace = await createTestNamespace(kubeConfig, 'keep-annotations');
    kube = customObjectClient(kubeConfig, 'testpools');
  });

  const ref = (name: string) => ({ apiVersion: TEST_POOL_API_VERSION, kind: 'TestPool', namespace, name });
  type Annotated = TestPoolObject & { metadata: { annotations?: Record<string, string> } };
  const read = async (name: string) => (await kube.get<Annotated>(ref(name))) as Annotated;

  it('patches only when a wanted key differs, removes null keys, keeps the others, and updates the copy', async () => {
    await objects.createNamespacedCustomObject({
      group: TEST_POOL_GROUP,
      version: 'v1',
      namespace,
      plural: 'testpools',
      body: {
        apiVersion: TEST_POOL_API_VERSION,
        kind: 'TestPool',
        metadata: { name: 'host', annotations: { 'user/note': 'kept', 'kit/state': 'Available' } },
        spec: { entries: [] },
      },
    });
    const copy = await read('host');
    const version = copy.metadata.resourceVersion;
    expect(
      await keepAnnotations(kube, ref('host'), copy, { 'kit/state': 'Available', 'kit/owner': null }),
    ).toBe(false);
    expect((await read('host')).metadata.resourceVersion).toBe(version);

    expect(
      await keepAnnotations(kube, ref('host'), copy, { 'kit/state': 'Allocated', 'kit/owner': 'm-1' }),
    ).toBe(true);
    const stored = (await read('host')).metadata.annotations;
    expect(stored).toEqual({ 'user/note': 'kept', 'kit/state': 'Allocated', 'kit/owner': 'm-1' });
    expect(copy.metadata.annotations).toEqual(stored);

    expect(await keepAnnotations(kube, ref('host'), copy, { 'kit/owner': null })).toBe(true);
    expect((await read('host')).metadata.annotations).toEqual({
      'user/note': 'kept',
      'kit/state': 'Allocated',
    });
    expect(copy.metadata.annotations).toEqual({ 'user/note': 'kept', 'kit/state': 'Allocated' });
  });
});
