import { readFileSync } from 'node:fs';
import { startTcpProxy } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { expect, inject, it } from 'vitest';
import { Informer } from '../src/informer/informer.js';
import { Discovery } from '../src/kube/discovery.js';
import { KubeTransport } from '../src/kube/transport.js';
import { objectClient } from './support/capi-objects.ts';
import { eventually } from './support/eventually.ts';

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
