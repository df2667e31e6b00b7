import { openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDcsSimulator } from '@immutable-infra/dcs-sim';
import {
  type ClusterApiControllers,
  ClusterProbe,
  capiResource,
  counterDelta,
  freePort,
  type MetricSample,
  ProcessSampler,
  scrapeMetrics,
  spawnManagerProcess,
  startNamespacedClusterApi,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { newWorkerPool } from '@immutable-infra/ui-kit';
import { type InfraMachineView, readIsoFile, startWorkloadSimulator } from '@immutable-infra/workload-sim';
import { CoreV1Api, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { expect, inject, it } from 'vitest';
import { compareVersions, listVersions } from '../../src/ui/catalog/resources.js';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { type DcsClusterDraft, initialDraft, objectNames } from '../../src/ui/wizard/draft.js';
import { workflowLogic } from '../../src/ui/wizard/workflow-logic.js';
import { testHostApi } from '../ui/host-api.js';
import {
  CREDENTIAL,
  ipPool,
  KUBERNETES_FROM,
  machineTemplate,
  operatorPrerequisites,
  type Role,
} from './operator-prerequisites.ts';

// The full-stack benchmark's run (tools/bench/full-stack.ts, `npm run bench:full-stack`; not part
// of the test command: its include pattern is the end-to-end suite's `*.e2e.ts` only). N documented
// DCS clusters of 3 control plane + 2 worker machines, made from the wizard's manifests, through the
// real Cluster API core, kubeadm bootstrap and kubeadm control plane controllers, the DCS simulator
// and the workload-cluster simulator, with our manager as its own process (the built provider).
// Measured: create -> every cluster settled (and the first), our manager's Kubernetes requests and
// DCS calls per machine, its memory and CPU, each Cluster API manager's CPU and memory, and the time
// to delete every cluster. Numbers for the README, not assertions: what is asserted is that it all
// came up and went away again.

const CLUSTERS = wholeNumber('FULL_STACK_CLUSTERS', 2);
const TASK_SECONDS = Number(process.env.FULL_STACK_TASK_SECONDS ?? '2');
const CONTROL_PLANE = 3;
const WORKERS = 2;
const MACHINES = CLUSTERS * (CONTROL_PLANE + WORKERS);
const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const AUTH_KEY = 'Huawei@123';
const USER = 'cluster-api';

function wholeNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of 1 or more`);
  return value;
}

const MiB = 2 ** 20;
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

it(`creates ${CLUSTERS} DCS clusters of ${CONTROL_PLANE} + ${WORKERS} machines through the real Cluster API controllers, then deletes them`, {
  timeout: 1_800_000 + CLUSTERS * 120_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const create = (object: Record<string, unknown>) => objects.create(object as KubernetesObject);
  const namespace = await createTestNamespace(kubeConfig, 'full-stack');
  const log = (line: string) => process.stderr.write(`full-stack: ${line}\n`);
  const sim = await startDcsSimulator({ faults: { taskSeconds: TASK_SECONDS } });
  const vmNameOf = (infra: InfraMachineView) =>
    (infra.status as { networkConfig?: { machineName?: string } } | undefined)?.networkConfig?.machineName;
  const namespaceVms = () => sim.state().vms.filter((vm) => vm.name.startsWith(`${namespace}-`));

  let capi: ClusterApiControllers | undefined;
  let manager: ReturnType<typeof spawnManagerProcess> | undefined;
  let workloads: Awaited<ReturnType<typeof startWorkloadSimulator>> | undefined;
  const samplers: ProcessSampler[] = [];
  let managerLog = '';
  try {
    capi = await startNamespacedClusterApi(kubeConfig, {
      assets: inject('iinfraEnvtestAssets'),
      kubeconfigPath: inject('iinfraKubeconfigPath'),
      namespace,
    });
    const port = await freePort();
    const probeUrl = `http://127.0.0.1:${port}`;
    managerLog = join(tmpdir(), `iinfra-full-stack-${process.pid}.manager.log`);
    manager = spawnManagerProcess({
      provider,
      kubeconfigPath: inject('iinfraKubeconfigPath'),
      namespace,
      probeAddress: `127.0.0.1:${port}`,
      logLevel: 'warn',
      stdio: ['ignore', 'ignore', openSync(managerLog, 'a')],
    });
    log(`manager log: ${managerLog}; Cluster API logs: ${capi.stateDir}/logs`);
    const ours = new ProcessSampler(manager.pid as number);
    samplers.push(ours);
    const theirs = capi.controllers.map((c) => ({
      component: c.component,
      sampler: new ProcessSampler(c.process.pid),
    }));
    samplers.push(...theirs.map((t) => t.sampler));
    workloads = await startWorkloadSimulator({
      kubeConfig,
      assets: inject('iinfraEnvtestAssets'),
      namespace,
      // DCS: the VM runs with its Ignition ISO attached, and boots from what the ISO holds.
      isBooted: (_machine, infra) => {
        const vm = sim.state().vms.find((candidate) => candidate.name === vmNameOf(infra));
        return vm?.status === 'running' && vm.cdRomStatus === 'attached';
      },
      deliveredBootstrapData: (_machine, infra) => {
        const iso = sim.bootMedia(vmNameOf(infra) ?? '');
        const config = iso && readIsoFile(iso, 'ignition/config.ign');
        return config ? { format: 'ignition', value: config.toString('utf8') } : undefined;
      },
    });
    await until(async () => (await fetch(`${probeUrl}/readyz`).catch(() => undefined))?.ok);

    // What the operator has before the wizard, once for all clusters (the credential, the release's
    // version ConfigMap and files Secret, the global Cluster), then each cluster's own pools and
    // machine templates: one loopback /24 per cluster for its nodes and its API server address.
    const x = 100 + (process.pid % 150);
    const y = Math.floor(process.pid / 150) % 200;
    const clusters = await Promise.all(
      Array.from({ length: CLUSTERS }, async (_, i) => {
        const name = `fs${i + 1}`;
        const subnet = `127.${x}.${(y + i) % 256}`;
        return {
          name,
          subnet,
          endpoint: `https://${subnet}.1:${await freePort()}`,
          pools: { cp: `${name}-cp-pool`, worker: `${name}-worker-pool` } as Record<Role, string>,
        };
      }),
    );
    const shared = operatorPrerequisites({
      namespace,
      clusterName: 'unused',
      subnet: '127.0.0',
      simUrl: sim.url,
      authKey: AUTH_KEY,
      workerPoolSize: 0,
    }).filter((o) => o.kind !== 'DCSIpHostnamePool' && o.kind !== 'DCSMachineTemplate');
    for (const object of shared) await create(object);
    for (const c of clusters) {
      const values = {
        namespace,
        clusterName: c.name,
        subnet: c.subnet,
        simUrl: sim.url,
        authKey: AUTH_KEY,
        workerPoolSize: WORKERS,
        pools: c.pools,
      };
      await create(ipPool(values, 'cp', CONTROL_PLANE));
      await create(ipPool(values, 'worker', WORKERS));
      await create(machineTemplate(namespace, 'cp', KUBERNETES_FROM, c.pools.cp, `${c.name}-`));
      await create(machineTemplate(namespace, 'worker', KUBERNETES_FROM, c.pools.worker, `${c.name}-`));
    }

    // Each cluster's manifests as the wizard's review step shows them, checked by its validation.
    const context = { namespace, api: testHostApi(kubeConfig) };
    const newest = (await listVersions(context.api, namespace)).sort((a, b) =>
      compareVersions(b.kubernetesVersion, a.kubernetesVersion),
    )[0];
    const planned: ((typeof clusters)[number] & { probe: ClusterProbe; manifests: readonly unknown[] })[] =
      [];
    for (const c of clusters) {
      const draft: DcsClusterDraft = initialDraft();
      Object.assign(draft, {
        credential: CREDENTIAL,
        name: c.name,
        kubernetesVersion: newest?.kubernetesVersion ?? '',
        distributionVersion: newest?.distributionVersion ?? '',
        apiServerAddress: c.endpoint,
        controlPlaneHA: true,
      });
      draft.controlPlane = {
        ...draft.controlPlane,
        machineTemplate: machineTemplate(namespace, 'cp', KUBERNETES_FROM, c.pools.cp, `${c.name}-`).metadata
          .name,
      };
      draft.workers = [
        {
          ...newWorkerPool(c.name, 0),
          replicas: WORKERS,
          machineTemplate: machineTemplate(namespace, 'worker', KUBERNETES_FROM, c.pools.worker, `${c.name}-`)
            .metadata.name,
        },
      ];
      draft.networking = { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' };
      expect(await workflowLogic.validate({ ...draft }, context), c.name).toEqual([]);
      const names = objectNames(draft);
      const probe = new ClusterProbe({
        kubeConfig,
        namespace,
        cluster: c.name,
        diagnostics: () => capi?.logTails(20) ?? '',
      });
      probe.shape = { controlPlane: names.controlPlane, workerPool: draft.workers[0]?.name ?? '' };
      planned.push({ ...c, probe, manifests: await workflowLogic.manifests({ ...draft }, context) });
    }
    await closePlatformSessions();

    // The wizard's checks logged in from this process: only the manager's logins from here on count.
    const loginsBefore = sim.state().logins.byUser[USER] ?? 0;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const ourEvents = async () =>
      (await core.listNamespacedEvent({ namespace })).items.filter(
        (event) => event.source?.component === 'iinfra-manager',
      );
    const eventsAtStart = new Set((await ourEvents()).map((event) => event.metadata?.name));
    const atStart = await scrapeMetrics(probeUrl);
    const ourCpuAtStart = ours.cpuSeconds();
    const theirCpuAtStart = theirs.map((t) => t.sampler.cpuSeconds());
    const started = performance.now();
    await Promise.all(
      planned.map(async (c) => {
        for (const manifest of c.manifests) await create(manifest as unknown as Record<string, unknown>);
      }),
    );
    log(`${CLUSTERS} clusters' manifests created`);

    const readyAt = new Map<string, number>();
    await until(
      async () => {
        for (const c of planned) {
          if (readyAt.has(c.name)) continue;
          if (await c.probe.settled(WORKERS, KUBERNETES_FROM).catch(() => false)) {
            readyAt.set(c.name, performance.now() - started);
            log(`${c.name} settled after ${((performance.now() - started) / 1000).toFixed(1)} s`);
          }
        }
        return readyAt.size === CLUSTERS;
      },
      1_800_000 + CLUSTERS * 60_000,
      2_000,
      () => `settled: ${[...readyAt.keys()].join(', ') || 'none'}\n${capi?.logTails(20) ?? ''}`,
    );
    const allReadyMs = performance.now() - started;
    const atReady = await scrapeMetrics(probeUrl);
    // Each of our Events is one POST (the recorder never updates one): which kind each was about.
    const eventsToReady = (await ourEvents()).filter((event) => !eventsAtStart.has(event.metadata?.name));
    const ourCpuToReady = ours.cpuSeconds() - ourCpuAtStart;
    const theirCpuToReady = theirs.map((t, i) => t.sampler.cpuSeconds() - (theirCpuAtStart[i] ?? 0));
    const theirRssAtReady = theirs.map((t) => t.sampler.rssBytes());
    expect(namespaceVms().filter((vm) => vm.status === 'running')).toHaveLength(MACHINES);
    expect(workloads.bootFailures()).toEqual({});
    // Settled: the last status writes and their watch events, then the resident memory.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const steadyRss = ours.rssBytes();

    const deleteStarted = performance.now();
    const clusterApi = capiResource('clusters');
    await Promise.all(
      planned.map((c) =>
        c.probe.api.deleteNamespacedCustomObject({
          group: clusterApi[0],
          version: clusterApi[1],
          namespace,
          plural: clusterApi[2],
          name: c.name,
        }),
      ),
    );
    const probe = planned[0]?.probe as ClusterProbe;
    await until(
      async () => {
        const left = (await probe.list(clusterApi)).filter((c) => c.metadata.name !== 'global');
        return left.length === 0 && namespaceVms().length === 0;
      },
      900_000 + CLUSTERS * 30_000,
      2_000,
      () => `VMs left: ${namespaceVms().length}\n${capi?.logTails(20) ?? ''}`,
    );
    const deleteMs = performance.now() - deleteStarted;
    const atGone = await scrapeMetrics(probeUrl);
    const ourCpuTotal = ours.cpuSeconds() - ourCpuAtStart;
    const theirCpuTotal = theirs.map((t, i) => t.sampler.cpuSeconds() - (theirCpuAtStart[i] ?? 0));
    expect(await probe.list(capiResource('machines'))).toEqual([]);

    const report = {
      clusters: CLUSTERS,
      machines: MACHINES,
      taskSeconds: TASK_SECONDS,
      firstReadyMs: Math.round(Math.min(...readyAt.values())),
      allReadyMs: Math.round(allReadyMs),
      ours: {
        toReady: requestsPerMachine(atReady, atStart),
        writesToReady: whereWritesGo(atReady, atStart, eventsToReady),
        toDelete: requestsPerMachine(atGone, atReady),
        rssMiB: { peak: Math.round(ours.peakRssBytes / MiB), steady: Math.round(steadyRss / MiB) },
        cpuSeconds: { toReady: round(ourCpuToReady), total: round(ourCpuTotal) },
      },
      clusterApi: theirs.map((t, i) => ({
        component: t.component,
        cpuSeconds: { toReady: round(theirCpuToReady[i] ?? 0), total: round(theirCpuTotal[i] ?? 0) },
        rssMiB: {
          peak: Math.round(t.sampler.peakRssBytes / MiB),
          atReady: Math.round((theirRssAtReady[i] ?? 0) / MiB),
        },
      })),
      logins: (sim.state().logins.byUser[USER] ?? 0) - loginsBefore,
      deleteMs: Math.round(deleteMs),
      vmsLeft: namespaceVms().length,
    };
    const file = process.env.FULL_STACK_REPORT;
    if (file) writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report));
    expect(report.vmsLeft).toBe(0);
    // A passing run leaves no log behind; a failing one keeps it for its diagnostics.
    rmSync(managerLog, { force: true });
  } finally {
    for (const sampler of samplers) sampler.stop();
    await workloads?.stop();
    manager?.kill('SIGKILL');
    await capi?.stop();
    await closePlatformSessions();
    await sim.close();
  }
});

/** Our manager's Kubernetes requests and DCS calls between two scrapes, per machine. */
function requestsPerMachine(after: MetricSample[], before: MetricSample[]) {
  const byMethod = counterDelta(after, before, 'iinfra_kube_requests_total', (l) => l.method);
  const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((sum, m) => sum + (byMethod[m] ?? 0), 0);
  const platformCalls = counterDelta(after, before, 'iinfra_platform_api_calls_total').total ?? 0;
  const byOperation = counterDelta(after, before, 'iinfra_platform_api_calls_total', (l) => l.operation);
  return {
    gets: round((byMethod.GET ?? 0) / MACHINES),
    writes: round(writes / MACHINES),
    platformCalls: round(platformCalls / MACHINES),
    // Which DCS calls dominate, per machine (zero lines left out).
    platformCallsByOperation: Object.fromEntries(
      Object.entries(byOperation)
        .filter(([, n]) => n > 0)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([operation, n]) => [operation, round(n / MACHINES)]),
    ),
  };
}

/** Objects there is one of per machine: every other object the manager writes is one per cluster. */
const MACHINE_RESOURCES = new Set(['dcsmachines']);
const MACHINE_KINDS = new Set(['DCSMachine']);

/**
 * Where our manager's writes to Ready went: per machine object (DCSMachine, and the Events about one)
 * over the machines, and per cluster object (DCSCluster, the IP pools, the credential, ...) over the
 * clusters, each by request (`PUT dcsmachines/status`; a 409 is a request too, counted on its own),
 * and the status writes by what they changed and the step their Ready condition named (see the
 * manager's `iinfra_status_writes_total`). Zero lines left out.
 */
function whereWritesGo(
  after: MetricSample[],
  before: MetricSample[],
  events: { involvedObject: { kind?: string }; reason?: string }[],
) {
  const perMachine: Record<string, number> = {};
  const perCluster: Record<string, number> = {};
  const add = (into: Record<string, number>, key: string, n: number) => {
    into[key] = (into[key] ?? 0) + n;
  };
  const requests = counterDelta(after, before, 'iinfra_kube_requests_total', (l) =>
    ['POST', 'PUT', 'PATCH', 'DELETE'].includes(l.method ?? '')
      ? `${l.method} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}${l.code === '409' ? ' (409)' : ''}`
      : undefined,
  );
  for (const [request, n] of Object.entries(requests)) {
    if (n === 0) continue;
    const resource = request.split(' ')[1]?.split('/')[0] ?? '';
    if (resource === 'events' && !request.endsWith('(409)')) continue;
    add(MACHINE_RESOURCES.has(resource) ? perMachine : perCluster, request, n);
  }
  for (const event of events) {
    const kind = event.involvedObject.kind ?? '';
    add(MACHINE_KINDS.has(kind) ? perMachine : perCluster, `POST events (${kind} ${event.reason})`, 1);
  }
  const statusWrites: Record<string, Record<string, number>> = {};
  const byChange = counterDelta(after, before, 'iinfra_status_writes_total', (l) =>
    JSON.stringify([l.kind, l.change, l.ready]),
  );
  for (const [key, n] of Object.entries(byChange)) {
    if (n === 0) continue;
    const [kind, change, ready] = JSON.parse(key) as [string, string, string];
    const per = MACHINE_KINDS.has(kind) ? MACHINES : CLUSTERS;
    statusWrites[kind] ??= {};
    add(statusWrites[kind], `${change} -> Ready ${ready || '(none)'}`, n / per);
  }
  const rounded = (counts: Record<string, number>, per: number) =>
    Object.fromEntries(
      Object.entries(counts)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([key, n]) => [key, round(n / per)]),
    );
  const total = (counts: Record<string, number>, per: number) =>
    round(Object.values(counts).reduce((sum, n) => sum + n, 0) / per);
  return {
    perMachineObject: { total: total(perMachine, MACHINES), byRequest: rounded(perMachine, MACHINES) },
    perClusterObject: { total: total(perCluster, CLUSTERS), byRequest: rounded(perCluster, CLUSTERS) },
    statusWrites: Object.fromEntries(
      Object.entries(statusWrites).map(([kind, counts]) => [kind, rounded(counts, 1)]),
    ),
  };
}

/** Polls `check` until it answers true; a timeout names what `diagnostics` says. */
async function until(
  check: () => Promise<boolean | undefined>,
  boundMs = 120_000,
  everyMs = 250,
  diagnostics: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`full-stack: gave up after ${boundMs} ms\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
