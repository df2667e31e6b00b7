import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createManagementPlane, eventually, startTcpProxy } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { expect, inject, it } from 'vitest';
import { Informer } from '../src/informer/informer.js';
import { Discovery } from '../src/kube/discovery.js';
import { KubeTransport } from '../src/kube/transport.js';
import { objectClient } from './support/capi-objects.ts';

it('replaces a watch whose connection went silent without closing', async () => {
  const kubeconfigPath = inject('iinfraKubeconfigPath');
  const direct = testKubeConfig();
  const server = new URL(direct.getCurrentCluster()?.server ?? '');
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  const viaProxy = new KubeConfig();
  viaProxy.loadFromString(
    readFileSync(kubeconfigPath, 'utf8').replace(server.origin, `https://127.0.0.1:${proxy.port}`),
  );
  const transport = new KubeTransport(viaProxy);
  const errors: string[] = [];
  const informer = new Informer(transport, await new Discovery(transport).resource('v1', 'ConfigMap'), {
    watchTimeoutSeconds: 2,
    staleGraceMs: 1000,
    onError: (error) => errors.push(String(error)),
  });
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  try {
    await informer.hasSynced();
    const namespace = await createTestNamespace(direct, 'watch');
    const client = objectClient(direct);
    const configMap = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
    });

    await client.create(configMap('before'));
    await eventually('the watch sees the first change', () => informer.get(namespace, 'before'));

    // The connection stays open but carries nothing more, as when a NAT or load balancer drops it.
    proxy.stallOpenConnections();
    await client.create(configMap('after'));
    await eventually('a new watch sees the change made after the stall', () =>
      informer.get(namespace, 'after'),
    );
    expect(errors.some((e) => e.includes('went silent'))).toBe(true);
  } finally {
    stop.abort();
    await running;
    transport.close();
    await proxy.close();
  }
});

it('relists after 410 Gone when the watch resumes from a compacted resourceVersion', async () => {
  // Its own API server: no watch cache, and etcd compacted every second, so history goes quickly.
  const plane = await createManagementPlane({
    assets: inject('iinfraEnvtestAssets'),
    clusterApiCrds: false,
    apiServerFlags: ['--watch-cache=false', '--etcd-compaction-interval=1s'],
  });
  const server = new URL(plane.controlPlane.server);
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  const viaProxy = new KubeConfig();
  viaProxy.loadFromString(
    readFileSync(plane.controlPlane.kubeconfigPath, 'utf8').replace(
      server.origin,
      `https://127.0.0.1:${proxy.port}`,
    ),
  );
  const transport = new KubeTransport(viaProxy);
  const relists: string[] = [];
  const informer = new Informer(transport, await new Discovery(transport).resource('v1', 'ConfigMap'), {
    onRelist: (reason) => relists.push(reason),
  });
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  try {
    await informer.hasSynced();
    const client = objectClient(plane.kubeConfig);
    const namespace = await createTestNamespace(plane.kubeConfig, 'gone');
    const configMap = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
    });
    await client.create(configMap('seen'));
    await eventually('the watch sees the first change', () => informer.get(namespace, 'seen'));

    // The manager loses the API server while the world moves on and etcd compacts the history.
    proxy.refuseNewConnections(true);
    proxy.cutOpenConnections();
    for (let i = 0; i < 5; i++) {
      await client.create(configMap(`missed-${i}`));
      await sleep(600);
    }
    proxy.refuseNewConnections(false);

    await eventually('the informer has every object again', () =>
      [0, 1, 2, 3, 4].every((i) => informer.get(namespace, `missed-${i}`) !== undefined),
    );
    expect(relists).toContain('410 Gone');
    expect(informer.relists).toBeGreaterThanOrEqual(2);
  } finally {
    stop.abort();
    await running;
    transport.close();
    await proxy.close();
    await plane.controlPlane.stop();
  }
});

it('keeps objects without managedFields, from the list and from the watch, and updates from them keep the stored ones', async () => {
  const direct = testKubeConfig();
  const transport = new KubeTransport(direct);
  const namespace = await createTestNamespace(direct, 'slim');
  const informer = new Informer(transport, await new Discovery(transport).resource('v1', 'ConfigMap'), {
    namespace,
  });
  type Stored = { data?: Record<string, string>; metadata: { managedFields?: { manager: string }[] } };
  const path = (name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`;
  // Server-side apply with a named manager, so the API server records managedFields.
  const create = (name: string) =>
    transport.request({
      method: 'PATCH',
      path: path(name),
      query: { fieldManager: 'informer-test' },
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } },
      contentType: 'application/apply-patch+yaml',
    });
  const read = (name: string) => transport.request<Stored>({ method: 'GET', path: path(name) });
  await create('listed');
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  try {
    await informer.hasSynced();
    await create('watched');
    const watched = await eventually('the watch delivers', async () => informer.get(namespace, 'watched'));
    for (const cached of [informer.get(namespace, 'listed'), watched]) {
      expect(cached?.metadata.name).toBeDefined();
      expect(cached?.metadata).not.toHaveProperty('managedFields');
    }
    expect((await read('listed')).metadata.managedFields?.map((entry) => entry.manager)).toEqual([
      'informer-test',
    ]);
    // An update from the slim copy leaves the API server's record of who owns which field.
    // (It keeps `k`, which informer-test set, and adds `a`.)
    await objectClient(direct).update({
      ...informer.get(namespace, 'listed'),
      data: { k: 'v', a: 'b' },
    } as never);
    const after = await read('listed');
    expect(after.data).toEqual({ k: 'v', a: 'b' });
    expect(after.metadata.managedFields?.map((entry) => entry.manager)).toContain('informer-test');
  } finally {
    stop.abort();
    await running;
  }
});
