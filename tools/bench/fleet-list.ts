#!/usr/bin/env node
// Benchmark (not a test): how fast the first page of the Fleet Essentials cluster list renders in a real
// browser with N clusters and 10 machines each in a real API server. Prints JSON; the numbers go into
// packages/fleet-essentials/README.md by hand.
//   node tools/bench/fleet-list.ts [--clusters 2000] [--machines-per-cluster 10] [--runs 5]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import { createManagementPlane } from '@immutable-infra/management-plane';
import { chromiumLaunchOptions } from '@immutable-infra/testkit';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '2000' },
    'machines-per-cluster': { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
  },
});
const clusters = Number(values.clusters);
const perCluster = Number(values['machines-per-cluster']);
const runs = Number(values.runs);
const log = (message: string) => process.stderr.write(`fleet-list: ${message}\n`);

const tokenDir = mkdtempSync(join(tmpdir(), 'bench-tokens-'));
const tokenFile = join(tokenDir, 'tokens.csv');
writeFileSync(tokenFile, 'bench-admin-token,bench,bench,"system:masters"\n');
const plane = await createManagementPlane({
  lifetime: 'attached',
  apiServerFlags: [`--token-auth-file=${tokenFile}`],
});
const kubeConfig = plane.kubeConfig;
const objects = KubernetesObjectApi.makeApiClient(kubeConfig);

async function createAll(items: KubernetesObject[], concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as KubernetesObject;
        await objects.create(item);
      }
    }),
  );
}

const namespaces = Array.from({ length: 20 }, (_, i) => `fleet-${i}`);
await createAll(namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
const infra = (kind: string, name: string) => ({ apiGroup: 'infrastructure.cluster.x-k8s.io', kind, name });
const loadStart = Date.now();
const batch: KubernetesObject[] = [];
for (let i = 0; i < clusters; i++) {
  const namespace = namespaces[i % namespaces.length] as string;
  const name = `cluster-${String(i).padStart(5, '0')}`;
  const labels = { 'cluster.x-k8s.io/cluster-name': name };
  batch.push({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, namespace, labels },
    spec: {
      controlPlaneRef: {
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: 'KubeadmControlPlane',
        name: `${name}-cp`,
      },
      infrastructureRef: infra(i % 2 ? 'HCSCluster' : 'DCSCluster', name),
    },
  } as KubernetesObject);
  batch.push({
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmControlPlane',
    metadata: { name: `${name}-cp`, namespace, labels },
    spec: {
      replicas: 3,
      version: 'v1.35.4',
      machineTemplate: { spec: { infrastructureRef: infra('DCSMachineTemplate', `${name}-cp`) } },
      kubeadmConfigSpec: { format: 'cloud-config' },
    },
  } as KubernetesObject);
  batch.push({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'MachineDeployment',
    metadata: { name: `${name}-md`, namespace, labels },
    spec: {
      clusterName: name,
      replicas: perCluster - 3,
      selector: { matchLabels: { pool: `${name}-md` } },
      template: {
        metadata: { labels: { pool: `${name}-md` } },
        spec: {
          clusterName: name,
          version: 'v1.35.4',
          bootstrap: { dataSecretName: 'x' },
          infrastructureRef: infra('DCSMachineTemplate', `${name}-w`),
        },
      },
    },
  } as KubernetesObject);
  for (let m = 0; m < perCluster; m++) {
    batch.push({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata: { name: `${name}-m${m}`, namespace, labels },
      spec: {
        clusterName: name,
        version: 'v1.35.4',
        bootstrap: { dataSecretName: 'x' },
        infrastructureRef: infra('DCSMachine', `${name}-m${m}`),
      },
    } as KubernetesObject);
  }
}
log(`creating ${batch.length} objects (${clusters} clusters, ${clusters * perCluster} machines)`);
await createAll(batch);
const loadSeconds = (Date.now() - loadStart) / 1000;

const cacheStart = Date.now();
const server = await createFleetServer({ kubeConfig });
const cacheSeconds = (Date.now() - cacheStart) / 1000;
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
const browser = await chromium.launch(chromiumLaunchOptions());
const page = await browser.newPage();
await page.goto(url);
await page.getByLabel('Kubernetes bearer token').fill('bench-admin-token');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.locator('tr[data-cluster]').first().waitFor();

const renders: number[] = [];
const apiTimes: number[] = [];
for (let run = 0; run < runs; run++) {
  const started = Date.now();
  await page.goto(`${url}/?run=${run}`);
  await page.locator('tr[data-cluster]').first().waitFor();
  renders.push(Date.now() - started);
  const apiStarted = Date.now();
  await page.evaluate(() => fetch('/api/clusters?page=1&limit=50&sort=name').then((r) => r.json()));
  apiTimes.push(Date.now() - apiStarted);
}
const rows = await page.locator('tr[data-cluster]').count();
await browser.close();
await server.close();
await plane.controlPlane.stop();
// The token file names an admin token of a server that is gone; leave nothing behind in /tmp.
rmSync(tokenDir, { recursive: true, force: true });
// Informer reconnect timers would keep the process alive.
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
process.stdout.write(
  `${JSON.stringify(
    {
      clusters,
      machines: clusters * perCluster,
      rowsOnFirstPage: rows,
      loadObjectsSeconds: loadSeconds,
      serverCacheFillSeconds: cacheSeconds,
      firstPageRenderMs: { median: median(renders), all: renders },
      listApiMs: { median: median(apiTimes), all: apiTimes },
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
