import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import {
  counterDelta,
  eventually,
  freePort,
  type MetricSample,
  ProcessSampler,
  plainHttpConsent,
  scaleSettings,
  scrapeMetrics,
  writeScaleReport,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';

// The manager as production runs it (its own process, the built provider), many machines at once
// on a simulated DCS, without Cluster API's controllers: the provider and the host are what is
// measured. The test's short version asserts only counts that do not depend on speed; `npm run
// bench:scale` runs it with SCALE_MACHINES=1000 and more and prints the timings.
const require = createRequire(import.meta.url);
const iinfra = join(dirname(require.resolve('@immutable-infra/manager/package.json')), 'bin', 'iinfra.js');
const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const SCALE = scaleSettings({ machines: 20, taskSeconds: 0.2 });
const MACHINES_PER_CLUSTER = 10;
const CONTROL_PLANE_PER_CLUSTER = 3;
/** The creates, clones and deletes a benchmark sends to the API server at once. */
const CREATE_PARALLELISM = 16;
/** What the issue allows from a machine's create to its Ready, our writes only. */
const MAX_WRITES_PER_MACHINE = 12;
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const CAPI = 'cluster.x-k8s.io/v1beta2';
const USER = 'cluster-api';
const KEY = 'Huawei@123';

let sim: DcsSimulator | undefined;
let manager: ChildProcess | undefined;
afterAll(async () => {
  manager?.kill('SIGKILL');
  await sim?.close();
});

const ignition = JSON.stringify({ ignition: { version: '3.4.0' } });

/** Runs `work` over `items`, `CREATE_PARALLELISM` at a time. */
async function inParallel<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: CREATE_PARALLELISM }, worker));
}

it(`provisions ${SCALE.machines} DCS machines over ${Math.ceil(SCALE.machines / MACHINES_PER_CLUSTER)} clusters with at most ${MAX_WRITES_PER_MACHINE} API writes each to Ready and one DCS login for the shared credential, then deletes them all`, {
  timeout: 600_000 + SCALE.machines * 3_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const create = (object: Record<string, unknown>) => objects.create(object as KubernetesObject);
  sim = await startDcsSimulator({
    faults: {
      taskSeconds: SCALE.taskSeconds,
      ...(SCALE.platformRps
        ? { rateLimit: { requestsPerSecond: SCALE.platformRps, burst: SCALE.platformRps } }
        : {}),
    },
  });
  const platform = sim;
  const namespace = await createTestNamespace(kubeConfig, 'dcs-scale');
  const clusters = Math.ceil(SCALE.machines / MACHINES_PER_CLUSTER);
  const ours = () => platform.state().vms.filter((vm) => vm.name.startsWith(`${namespace}-`));

  const port = await freePort();
  const probe = `http://127.0.0.1:${port}`;
  manager = spawn(
    process.execPath,
    [
      iinfra,
      'manager',
      '--provider',
      provider,
      '--kubeconfig',
      inject('iinfraKubeconfigPath'),
      '--namespace',
      namespace,
      '--probe-address',
      `127.0.0.1:${port}`,
      '--log-level',
      'warn',
      ...(SCALE.concurrency ? ['--concurrency', String(SCALE.concurrency)] : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const sampler = new ProcessSampler(manager.pid as number);
  await eventually(
    'the manager ready',
    async () => (await fetch(`${probe}/readyz`).catch(() => undefined))?.ok,
  );
  const atStart: MetricSample[] = await scrapeMetrics(probe);
  const rssBeforeAnyObject = sampler.rssBytes();

  // What Cluster API and a user leave around DCS machines: one credential for all, and per cluster a
  // pool of ten entries, the Cluster and the DCSCluster; per machine its Machine, bootstrap Secret
  // and DCSMachine. All at once.
  const started = performance.now();
  await create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dcs-auth', namespace },
    stringData: { authUser: USER, authKey: KEY, endpoint: platform.url, ...plainHttpConsent(platform.url) },
  });
  const clusterNames = Array.from({ length: clusters }, (_, i) => `c${i + 1}`);
  await inParallel(clusterNames, async (cluster) => {
    await create({
      apiVersion: INFRA,
      kind: 'DCSIpHostnamePool',
      metadata: { name: `${cluster}-pool`, namespace },
      spec: {
        pool: Array.from({ length: MACHINES_PER_CLUSTER }, (_, i) => ({
          ip: `10.${Number(cluster.slice(1)) >> 8}.${Number(cluster.slice(1)) & 255}.${10 + i}`,
          mask: '24',
          gateway: '10.0.0.1',
          hostname: `${cluster}-node-${i + 1}`,
          machineName: `${namespace}-${cluster}-vm-${i + 1}`,
          dvSwitchName: 'DVS-Business',
          portGroupName: 'business-vlan100',
        })),
      },
    });
    const owner = await create({
      apiVersion: CAPI,
      kind: 'Cluster',
      metadata: { name: cluster, namespace },
      spec: {
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSCluster', name: cluster },
      },
    });
    await create({
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: {
        name: cluster,
        namespace,
        labels: { 'cluster.x-k8s.io/cluster-name': cluster },
        ownerReferences: [{ apiVersion: CAPI, kind: 'Cluster', name: cluster, uid: owner.metadata?.uid }],
      },
      spec: {
        controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
        credentialSecretRef: { name: 'dcs-auth' },
        networkType: 'kube-ovn',
      },
    });
  });
  const machines = Array.from({ length: SCALE.machines }, (_, i) => {
    const cluster = clusterNames[Math.floor(i / MACHINES_PER_CLUSTER)] as string;
    const controlPlane = i % MACHINES_PER_CLUSTER < CONTROL_PLANE_PER_CLUSTER;
    return { name: `${cluster}-m${(i % MACHINES_PER_CLUSTER) + 1}`, cluster, controlPlane };
  });
  await inParallel(machines, async ({ name, cluster, controlPlane }) => {
    const labels = {
      'cluster.x-k8s.io/cluster-name': cluster,
      ...(controlPlane ? { 'cluster.x-k8s.io/control-plane': '' } : {}),
    };
    await create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-bootstrap`, namespace },
      stringData: { value: ignition, format: 'ignition' },
    });
    const machine = await create({
      apiVersion: CAPI,
      kind: 'Machine',
      metadata: { name, namespace, labels },
      spec: {
        clusterName: cluster,
        bootstrap: { dataSecretName: `${name}-bootstrap` },
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSMachine', name },
      },
    });
    await create({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: {
        name,
        namespace,
        labels,
        ownerReferences: [{ apiVersion: CAPI, kind: 'Machine', name, uid: machine.metadata?.uid }],
      },
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
  });
  const createdMs = performance.now() - started;

  // Every machine ready, timed from the first create; the first one's time says whether work in
  // flight finishes before new work starts.
  let firstReadyMs: number | undefined;
  const listMachines = async () =>
    (
      (await objects.list(INFRA, 'DCSMachine', namespace)).items as {
        status?: { ready?: boolean };
      }[]
    ).filter((m) => m.status?.ready).length;
  await eventually(
    `${SCALE.machines} DCSMachines ready`,
    async () => {
      const ready = await listMachines();
      if (ready > 0) firstReadyMs ??= performance.now() - started;
      return ready === SCALE.machines || undefined;
    },
    600_000 + SCALE.machines * 3_000,
    1_000,
  );
  const readyMs = performance.now() - started;
  const atReady = await scrapeMetrics(probe);
  const state = platform.state();
  const vmsAtReady = ours().length;
  // The sequential tasks of one machine (clone, attach the ISO, power on) bound how fast any
  // machine can be ready; the platform's rate bounds all of them together.
  const tasksPerMachine = state.tasks.length / SCALE.machines;
  const platformCalls = counterDelta(atReady, atStart, 'iinfra_platform_api_calls_total').total ?? 0;
  const limitMs = Math.max(
    tasksPerMachine * SCALE.taskSeconds * 1000,
    SCALE.platformRps ? (platformCalls / SCALE.platformRps) * 1000 : 0,
  );

  let idleCpu: number | undefined;
  if (SCALE.idleSeconds > 0) {
    // Settled first: the last status writes and their watch events.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const before = sampler.cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, SCALE.idleSeconds * 1000));
    idleCpu = (sampler.cpuSeconds() - before) / SCALE.idleSeconds;
  }
  const steadyRssBytes = sampler.rssBytes();
  const atIdle = await scrapeMetrics(probe);

  const deleteStarted = performance.now();
  await inParallel(machines, ({ name }) =>
    objects.delete({ apiVersion: INFRA, kind: 'DCSMachine', metadata: { name, namespace } }),
  );
  await eventually(
    'every DCSMachine gone and its VM deleted',
    async () =>
      ((await objects.list(INFRA, 'DCSMachine', namespace)).items.length === 0 && ours().length === 0) ||
      undefined,
    600_000 + SCALE.machines * 3_000,
    1_000,
  );
  const deleteMs = performance.now() - deleteStarted;
  const atGone = await scrapeMetrics(probe);
  sampler.stop();

  const perMachine = (counts: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(counts).map(([k, v]) => [k, Math.round((v / SCALE.machines) * 100) / 100]),
    );
  const requests = (after: MetricSample[], before: MetricSample[]) => {
    const byMethod = counterDelta(after, before, 'iinfra_kube_requests_total', (l) => l.method);
    const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((sum, m) => sum + (byMethod[m] ?? 0), 0);
    const conflicts = counterDelta(after, before, 'iinfra_kube_requests_total', (l) =>
      l.code === '409' ? 'conflicts' : undefined,
    ).conflicts;
    const byResource = counterDelta(after, before, 'iinfra_kube_requests_total', (l) =>
      l.code === '409' ? undefined : `${l.method} ${l.resource}`,
    );
    const counts: Record<string, number> = perMachine({ ...byMethod, writes, conflicts: conflicts ?? 0 });
    return { ...counts, writes: counts.writes as number, byResource: perMachine(byResource) };
  };
  const toReady = requests(atReady, atStart);
  const logins = platform.state().logins.byUser[USER] ?? 0;
  const report = {
    provider: 'dcs',
    machines: SCALE.machines,
    clusters,
    taskSeconds: SCALE.taskSeconds,
    platformRps: SCALE.platformRps ?? null,
    concurrency: SCALE.concurrency ?? null,
    createObjectsMs: Math.round(createdMs),
    firstReadyMs: Math.round(firstReadyMs ?? readyMs),
    allReadyMs: Math.round(readyMs),
    limitMs: Math.round(limitMs),
    overLimit: Math.round((readyMs / limitMs) * 10) / 10,
    tasksPerMachine: Math.round(tasksPerMachine * 100) / 100,
    kubePerMachineToReady: toReady,
    kubePerMachineIdle: requests(atIdle, atReady),
    kubePerMachineDelete: requests(atGone, atIdle),
    platformCallsPerMachineToReady: Math.round((platformCalls / SCALE.machines) * 10) / 10,
    platformCallsByOperation: perMachine(
      counterDelta(atReady, atStart, 'iinfra_platform_api_calls_total', (l) => l.operation),
    ),
    logins,
    rssMiB: {
      beforeObjects: Math.round(rssBeforeAnyObject / 2 ** 20),
      peak: Math.round(sampler.peakRssBytes / 2 ** 20),
      steady: Math.round(steadyRssBytes / 2 ** 20),
    },
    idleCpuCores: idleCpu === undefined ? null : Math.round(idleCpu * 1000) / 1000,
    deleteMs: Math.round(deleteMs),
  };
  writeScaleReport(report);
  console.log(JSON.stringify(report));

  // One VM per machine, none left after the delete.
  expect(vmsAtReady).toBe(SCALE.machines);
  expect(state.creates.vms).toBe(SCALE.machines);
  expect(ours()).toEqual([]);
  // Counts that do not depend on speed: our writes per machine, and the one shared account's logins.
  expect(toReady.writes).toBeLessThanOrEqual(MAX_WRITES_PER_MACHINE);
  expect(logins).toBe(1);
});
