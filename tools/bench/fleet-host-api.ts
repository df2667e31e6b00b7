#!/usr/bin/env node
// Benchmark (not a test): what the Fleet Essentials HostApi costs over plain calls, against a real API
// server and the example extension of the package's tests. Prints JSON; the numbers go into
// packages/fleet-essentials/README.md by hand.
//   node tools/bench/fleet-host-api.ts [--runs 50]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import { createManagementPlane } from '@immutable-infra/management-plane';
import { CoreV1Api } from '@kubernetes/client-node';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' } } });
const runs = Number(values.runs);
const log = (message: string) => process.stderr.write(`fleet-host-api: ${message}\n`);
const fixture = fileURLToPath(
  new URL('../../packages/fleet-essentials/test/fixtures/ext-full/', import.meta.url),
);

const tokenFile = join(mkdtempSync(join(tmpdir(), 'bench-tokens-')), 'tokens.csv');
writeFileSync(tokenFile, 'bench-admin-token,bench,bench,"system:masters"\n');
const plane = await createManagementPlane({
  lifetime: 'attached',
  apiServerFlags: [`--token-auth-file=${tokenFile}`],
  crdFiles: [join(fixture, 'crds.yaml')],
});

// The example platform: basic auth, as in the package's tests.
const platform = createServer((request, response) => {
  const ok =
    request.headers.authorization === `Basic ${Buffer.from('admin:bench-password').toString('base64')}`;
  response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
  response.end(JSON.stringify(ok ? { product: 'Example Platform', version: '4.2' } : { error: 'no' }));
});
await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
const platformUrl = `http://127.0.0.1:${(platform.address() as { port: number }).port}`;

await plane.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
  namespace: 'default',
  body: {
    metadata: { name: 'bench-cred' },
    stringData: { endpoint: platformUrl, username: 'admin', password: 'bench-password' },
  },
});
const server = await createFleetServer({ kubeConfig: plane.kubeConfig, extensionPackages: [fixture] });
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
const session = await fetch(`${url}/api/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ token: 'bench-admin-token' }),
});
const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] as string;
const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };

async function median(label: string, n: number, run: (i: number) => Promise<void>) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  log(`${label} done`);
  return {
    median: Number(times[Math.floor(n / 2)]?.toFixed(1)),
    min: Number(times[0]?.toFixed(1)),
    max: Number(times.at(-1)?.toFixed(1)),
  };
}

const expectOk = async (response: Response) => {
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
};
const direct = await median('direct platform call', runs, async () => {
  await expectOk(
    await fetch(`${platformUrl}/about`, {
      headers: { authorization: `Basic ${Buffer.from('admin:bench-password').toString('base64')}` },
    }),
  );
});
const proxied = await median('platform proxy testConnection', runs, async () => {
  await expectOk(
    await fetch(`${url}/api/platform`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        extension: '@example/provider-full',
        credential: { namespace: 'default', name: 'bench-cred' },
        operation: 'testConnection',
      }),
    }),
  );
});
const secretGet = await median('pass-through Secret GET', runs, async () => {
  await expectOk(
    await fetch(`${url}/api/kube/api/v1/namespaces/default/secrets/bench-cred`, { headers: { cookie } }),
  );
});
const applyRuns = Math.min(runs, 20);
const apply = await median('manifests dry run + create (5 objects)', applyRuns, async (i) => {
  const name = `bench-${i}`;
  const labels = { 'cluster.x-k8s.io/cluster-name': name };
  const template = { apiGroup: 'infrastructure.example.com', kind: 'ExampleMachineTemplate', name: 'small' };
  const manifests = [
    {
      apiVersion: 'infrastructure.example.com/v1alpha1',
      kind: 'ExampleCluster',
      metadata: { name, labels },
      spec: { credentialRef: { name: 'bench-cred' }, controlPlaneEndpoint: { host: '10.0.0.5', port: 6443 } },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name, labels },
      spec: {
        controlPlaneRef: {
          apiGroup: 'controlplane.cluster.x-k8s.io',
          kind: 'KubeadmControlPlane',
          name: `${name}-cp`,
        },
        infrastructureRef: { apiGroup: 'infrastructure.example.com', kind: 'ExampleCluster', name },
      },
    },
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmControlPlane',
      metadata: { name: `${name}-cp`, labels },
      spec: { replicas: 3, version: 'v1.35.4', machineTemplate: { spec: { infrastructureRef: template } } },
    },
    {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmConfigTemplate',
      metadata: { name: `${name}-workers`, labels },
      spec: { template: { spec: { format: 'cloud-config' } } },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: `${name}-workers`, labels },
      spec: {
        clusterName: name,
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            clusterName: name,
            version: 'v1.35.4',
            bootstrap: {
              configRef: {
                apiGroup: 'bootstrap.cluster.x-k8s.io',
                kind: 'KubeadmConfigTemplate',
                name: `${name}-workers`,
              },
            },
            infrastructureRef: template,
          },
        },
      },
    },
  ];
  await expectOk(
    await fetch(`${url}/api/manifests`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ namespace: 'default', manifests }),
    }),
  );
});

process.stdout.write(
  `${JSON.stringify({ runs, directPlatformCallMs: direct, platformProxyTestConnectionMs: proxied, passThroughSecretGetMs: secretGet, applyFiveObjectsMs: { runs: applyRuns, ...apply } }, null, 2)}\n`,
);
await server.close();
platform.close();
await plane.controlPlane.stop();
