import type { KubeClient } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGeneratedSecret } from '../../src/index.js';
import { customObjectClient } from './custom-object-client.js';

describe('ensureGeneratedSecret on the real API server', () => {
  let core: CoreV1Api;
  let kube: KubeClient;
  let namespace: string;
  const owner = {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'KitCluster',
    name: 'c1',
    uid: 'uid-c1',
  };
  const wanted = (name: string, password: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    stringData: { data: `user: svc\npassword: ${password}\n` },
  });
  const read = async (name: string) => core.readNamespacedSecret({ name, namespace });

  beforeAll(async () => {
    core = testKubeConfig().makeApiClient(CoreV1Api);
    // Secrets only: the plural is never asked for.
    kube = customObjectClient(testKubeConfig(), 'secrets');
    namespace = await createTestNamespace(testKubeConfig(), 'generated-secret');
  });

  it('makes the Secret owned by its object, writes nothing while it is as wanted, and follows a change', async () => {
    expect(await ensureGeneratedSecret(kube, wanted('s1', 'one'), owner)).toBe('created');
    expect((await read('s1')).metadata?.ownerReferences).toEqual([
      expect.objectContaining({ uid: 'uid-c1' }),
    ]);
    const version = (await read('s1')).metadata?.resourceVersion;
    expect(await ensureGeneratedSecret(kube, wanted('s1', 'one'), owner)).toBe('unchanged');
    expect((await read('s1')).metadata?.resourceVersion).toBe(version);
    expect(await ensureGeneratedSecret(kube, wanted('s1', 'two'), owner)).toBe('updated');
    expect(Buffer.from((await read('s1')).data?.data ?? '', 'base64').toString()).toContain('password: two');
  });

  it('leaves a Secret someone else made as it is', async () => {
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's2' }, stringData: { data: 'mine' } },
    });
    expect(await ensureGeneratedSecret(kube, wanted('s2', 'one'), owner)).toBe('not ours');
    expect(Buffer.from((await read('s2')).data?.data ?? '', 'base64').toString()).toBe('mine');
  });
});
