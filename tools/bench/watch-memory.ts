#!/usr/bin/env node
// Benchmark (not a test): the manager's memory with many watched objects. The manager runs as its
// own process (`iinfra manager --provider @immutable-infra/provider-dcs`, as production runs it)
// against the embedded management plane, which holds N objects of the kinds it watches: per cluster
// a paused Cluster, its DCSCluster, and three Machines with their DCSMachines (8 objects). Paused, so
// nothing reaches a platform and what is measured is the informer caches and the runtime. Prints the
// manager's resident memory and V8 heap before any object and once every object is cached and the
// manager is idle, and the memory per object. The manager runs with the Node.js settings the DCS chart
// gives it (values runtime.*), as deployed. The numbers go into the README by hand.
// With --heap-snapshot DIR the manager writes a V8 heap snapshot into DIR (a full GC comes first)
// before the measurement, for a look at what holds the memory (Chrome DevTools, Memory tab).
//   node tools/bench/watch-memory.ts [--objects 10000] [--node-options=FLAGS | --node-defaults]
//                                    [--heap-snapshot DIR] [--json]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createManagementPlane } from '@immutable-infra/management-plane';
import {
  chartRuntimeEnvironment,
  clusterApiObjects,
  freePort,
  inParallel,
  ProcessSampler,
  scrapeMetrics,
  spawnManagerProcess,
} from '@immutable-infra/testkit';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';

const usage = `usage: node tools/bench/watch-memory.ts [--objects N] [--node-options=FLAGS | --node-defaults] [--heap-snapshot DIR] [--json]
  --objects       watched objects to create, eight per cluster (10000)
  --node-options  NODE_OPTIONS for the manager process (default: the DCS chart's values runtime.nodeOptions)
  --node-defaults run the manager with Node's and glibc's defaults instead of the chart's runtime settings
  --heap-snapshot the manager writes a heap snapshot into this directory before the measurement
  --json          print the report as JSON instead of a table`;
let values: {
  objects: string;
  'node-options'?: string;
  'node-defaults': boolean;
  'heap-snapshot'?: string;
  json: boolean;
  help: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      objects: { type: 'string', default: '10000' },
      'node-options': { type: 'string' },
      'node-defaults': { type: 'boolean', default: false },
      'heap-snapshot': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }) as { values: typeof values });
} catch (error) {
  console.error(`watch-memory: ${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const objectCount = Number(values.objects);
if (!Number.isInteger(objectCount) || objectCount < 8) {
  console.error(`watch-memory: --objects must be a whole number of 8 or more\n${usage}`);
  process.exit(2);
}

const root = new URL('../..', import.meta.url).pathname;
const log = (message: string) => process.stderr.write(`watch-memory: ${message}\n`);
const MACHINES_PER_CLUSTER = 3;
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const NAMESPACE = 'watch-memory';
const MiB = 2 ** 20;

const crdDir = join(root, 'providers/dcs/crds');
const plane = await createManagementPlane({
  lifetime: 'attached',
  crdFiles: readdirSync(crdDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(crdDir, name)),
});
let manager: ReturnType<typeof spawnManagerProcess> | undefined;
try {
  const objects = KubernetesObjectApi.makeApiClient(plane.kubeConfig);
  const create = (object: Record<string, unknown>) => objects.create(object as KubernetesObject);
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });

  // As the provider's chart deploys the manager (values runtime.*), unless told otherwise.
  const chartRuntime = chartRuntimeEnvironment(join(root, 'providers/dcs'));
  const runtimeEnvironment: Record<string, string> = values['node-defaults']
    ? { NODE_OPTIONS: '', MALLOC_ARENA_MAX: '' }
    : {
        ...chartRuntime,
        ...(values['node-options'] !== undefined ? { NODE_OPTIONS: values['node-options'] } : {}),
      };
  if (values['heap-snapshot']) {
    runtimeEnvironment.NODE_OPTIONS = `${runtimeEnvironment.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${values['heap-snapshot']}`;
  }
  const port = await freePort();
  const probe = `http://127.0.0.1:${port}`;
  manager = spawnManagerProcess({
    provider: '@immutable-infra/provider-dcs',
    from: join(root, 'providers/dcs'),
    kubeconfigPath: plane.controlPlane.kubeconfigPath,
    namespace: NAMESPACE,
    probeAddress: `127.0.0.1:${port}`,
    logLevel: 'warn',
    stdio: ['ignore', 'ignore', 'inherit'],
    env: runtimeEnvironment,
  });
  const sampler = new ProcessSampler(manager.pid as number);
  await until('the manager ready', async () => (await fetch(`${probe}/readyz`).catch(() => undefined))?.ok);
  await sleep(5_000);
  const before = await memory(probe, sampler);
  log(`before any object: ${JSON.stringify(before)}`);

  const clusters = Array.from(
    { length: Math.ceil(objectCount / (2 + 2 * MACHINES_PER_CLUSTER)) },
    (_, i) => `c${i + 1}`,
  );
  const started = performance.now();
  await inParallel(clusters, async (cluster) => {
    const capi = clusterApiObjects({
      namespace: NAMESPACE,
      cluster,
      infrastructureKinds: { cluster: 'DCSCluster', machine: 'DCSMachine' },
    });
    const owner = await create({ ...capi.cluster(), spec: { ...capi.cluster().spec, paused: true } });
    await create({
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: {
        name: cluster,
        namespace: NAMESPACE,
        labels: capi.labels,
        ownerReferences: [capi.ownerReference(owner)],
      },
      spec: {
        controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
        credentialSecretRef: { name: 'dcs-auth' },
        networkType: 'kube-ovn',
      },
    });
    for (let i = 1; i <= MACHINES_PER_CLUSTER; i++) {
      const name = `${cluster}-m${i}`;
      const labels = { ...capi.labels, 'cluster.x-k8s.io/control-plane': '' };
      const machine = await create(capi.machine(name, { labels, version: 'v1.34.3' }));
      await create({
        apiVersion: INFRA,
        kind: 'DCSMachine',
        metadata: { name, namespace: NAMESPACE, labels, ownerReferences: [capi.ownerReference(machine)] },
        spec: {
          vmTemplateName: 'ubuntu-2204-k8s-v1.34',
          ipHostPoolRef: { name: `${cluster}-pool` },
          vmConfig: {
            dcsMachineCpuSpec: { quantity: 4 },
            dcsMachineMemorySpec: { quantity: 8192 },
            dcsMachineDiskSpec: [{ quantity: 0, systemVolume: true, datastoreClusterName: 'ssd-pool' }],
          },
        },
      });
    }
  });
  const created = clusters.length * (2 + 2 * MACHINES_PER_CLUSTER);
  log(`created ${created} objects in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  await until(`the manager's caches holding ${created} objects`, async () => {
    const cached = (await scrapeMetrics(probe))
      .filter((sample) => sample.name === 'iinfra_informer_objects')
      .reduce((sum, sample) => sum + sample.value, 0);
    return cached >= created || undefined;
  });
  // Idle: the paused objects' one status write each has been made and watched back.
  await until('the manager idle', async () => {
    const depth = (await scrapeMetrics(probe))
      .filter((sample) => sample.name === 'iinfra_workqueue_depth')
      .reduce((sum, sample) => sum + sample.value, 0);
    return depth === 0 || undefined;
  });
  await sleep(20_000);
  if (values['heap-snapshot']) {
    manager.kill('SIGUSR2');
    await sleep(30_000);
  }
  const samples = [];
  for (let i = 0; i < 10; i++) {
    samples.push(await memory(probe, sampler));
    await sleep(2_000);
  }
  const median = (pick: (m: Memory) => number) =>
    samples.map(pick).sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
  const after: Memory = {
    rssMiB: median((m) => m.rssMiB),
    heapUsedMiB: median((m) => m.heapUsedMiB),
    heapTotalMiB: median((m) => m.heapTotalMiB),
    externalMiB: median((m) => m.externalMiB),
  };
  log(`with them: ${JSON.stringify(after)}`);
  const report = {
    objects: created,
    runtimeEnvironment,
    before,
    after,
    peakRssMiB: Math.round(sampler.peakRssBytes / MiB),
    rssPerObjectKiB: Math.round((((after.rssMiB - before.rssMiB) * 1024) / created) * 10) / 10,
    heapPerObjectKiB: Math.round((((after.heapUsedMiB - before.heapUsedMiB) * 1024) / created) * 10) / 10,
  };
  sampler.stop();
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      '| watched objects | RSS before / with them / peak | V8 heap used before / with them | per object (RSS, heap) |',
    );
    console.log('|---|---|---|---|');
    console.log(
      `| ${created} (${Object.entries(runtimeEnvironment)
        .map(([k, v]) => `${k}=${v || '(default)'}`)
        .join(
          ', ',
        )}) | ${before.rssMiB} / ${after.rssMiB} / ${report.peakRssMiB} MiB | ${before.heapUsedMiB} / ${after.heapUsedMiB} MiB | ${report.rssPerObjectKiB} KiB, ${report.heapPerObjectKiB} KiB |`,
    );
  }
} finally {
  manager?.kill('SIGKILL');
  await plane.controlPlane.stop();
}

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** Buffers and other memory V8 objects hold outside the heap. */
  externalMiB: number;
}

async function memory(probe: string, sampler: ProcessSampler): Promise<Memory> {
  const metrics = await scrapeMetrics(probe);
  const value = (name: string) => metrics.find((sample) => sample.name === name)?.value ?? 0;
  return {
    rssMiB: Math.round(sampler.rssBytes() / MiB),
    heapUsedMiB: Math.round(value('nodejs_heap_size_used_bytes') / MiB),
    heapTotalMiB: Math.round(value('nodejs_heap_size_total_bytes') / MiB),
    externalMiB: Math.round(value('nodejs_external_memory_bytes') / MiB),
  };
}

async function until(what: string, check: () => Promise<unknown>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => undefined)) return;
    await sleep(1_000);
  }
  throw new Error(`watch-memory: gave up waiting for ${what}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
