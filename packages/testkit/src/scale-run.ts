import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '@immutable-infra/management-plane';
import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { eventually } from './eventually.js';

/**
 * How big a scale run is: the test's short version by default; `npm run bench:scale`
 * (tools/bench/scale.ts) runs the same test with `SCALE_MACHINES`, `SCALE_TASK_SECONDS`,
 * `SCALE_IDLE_SECONDS`, `SCALE_PLATFORM_RPS` and `SCALE_CONCURRENCY` set.
 */
export interface ScaleSettings {
  machines: number;
  /** How long each simulated platform task takes. */
  taskSeconds: number;
  /** How long the idle manager's CPU is measured for once every machine is ready; 0 skips it. */
  idleSeconds: number;
  /** The simulated platform's request rate per account; undefined leaves it unlimited. */
  platformRps: number | undefined;
  /** The manager's `--concurrency`; undefined keeps its default. */
  concurrency: number | undefined;
}

export function scaleSettings(defaults: Pick<ScaleSettings, 'machines' | 'taskSeconds'>): ScaleSettings {
  const number = (name: string, fallback: number | undefined, whole: boolean) => {
    const text = process.env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value)))
      throw new Error(`${name} must be a ${whole ? 'whole ' : ''}number of 0 or more (got ${text})`);
    return value;
  };
  return {
    machines: Math.max(1, number('SCALE_MACHINES', defaults.machines, true) as number),
    taskSeconds: number('SCALE_TASK_SECONDS', defaults.taskSeconds, false) as number,
    idleSeconds: number('SCALE_IDLE_SECONDS', 0, false) as number,
    platformRps: number('SCALE_PLATFORM_RPS', undefined, false),
    concurrency: number('SCALE_CONCURRENCY', undefined, true),
  };
}

/** One sample of the Prometheus text format: `name{label="value",...} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments and `# HELP`/`# TYPE` lines skipped). */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = (value as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The manager's metrics, read from its probe address. */
export async function scrapeMetrics(baseUrl: string): Promise<MetricSample[]> {
  const response = await fetch(new URL('/metrics', baseUrl));
  if (!response.ok) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/**
 * The sum of a counter's samples grouped by what `keyOf` makes of their labels, minus the same in
 * `before` (what the counter held when the measured stretch began).
 */
export function counterDelta(
  after: MetricSample[],
  before: MetricSample[],
  name: string,
  keyOf: (labels: Record<string, string>) => string | undefined = () => 'total',
): Record<string, number> {
  const sum = (samples: MetricSample[]) => {
    const out: Record<string, number> = {};
    for (const sample of samples) {
      if (sample.name !== name) continue;
      const key = keyOf(sample.labels);
      if (key !== undefined) out[key] = (out[key] ?? 0) + sample.value;
    }
    return out;
  };
  const then = sum(before);
  return Object.fromEntries(
    Object.entries(sum(after)).map(([key, value]) => [key, value - (then[key] ?? 0)]),
  );
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Samples a Linux process's resident memory (from /proc) every `everyMs`, keeping the peak, and reads
 * its CPU time on demand: what a benchmark reports of a manager running as its own process.
 */
export class ProcessSampler {
  peakRssBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  /** Resident memory now, in bytes; 0 once the process is gone. */
  rssBytes(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** User and system CPU time the process has used, in seconds. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // The command name (in parentheses) may hold spaces: fields are counted after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.peakRssBytes = Math.max(this.peakRssBytes, this.rssBytes());
  }
}

/** Writes a scale run's report to `SCALE_REPORT` as JSON, when set, for the benchmark script to print. */
export function writeScaleReport(report: object): void {
  const file = process.env.SCALE_REPORT;
  if (file) writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** One machine of a scale run: ten per cluster, the first three of each its control plane. */
export interface ScaleMachine {
  name: string;
  cluster: string;
  controlPlane: boolean;
  /** 0 to 9 within its cluster: the pool entry it is expected to take. */
  index: number;
}

/** What a provider's scale test gives the shared run: how to start its manager, what to create, what its platform holds. */
export interface ScaleTarget {
  provider: string;
  /** The provider's infrastructure machine kind, e.g. `{ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DCSMachine' }`. */
  machineKind: { apiVersion: string; kind: string };
  /** The manager as its own process, reconciling `namespace` and serving /readyz and /metrics on `probePort`. */
  startManager(namespace: string, probePort: number): ChildProcess;
  /** The credential, each cluster's objects (pools, Cluster, infrastructure cluster), then each machine's. */
  createObjects(namespace: string, clusters: string[], machines: ScaleMachine[]): Promise<void>;
  /** The platform's machines (VMs, servers) made for this namespace. */
  platformMachines(namespace: string): number;
  /** Machines the platform was ever asked to create, and its tasks (sequential ones per machine set the limit). */
  platformCreates(): number;
  platformTasks(): number;
  /** Logins of the one account every cluster's credential names. */
  platformLogins(): number;
}

export const MACHINES_PER_CLUSTER = 10;
const CONTROL_PLANE_PER_CLUSTER = 3;
/** Creates and deletes the run sends to the API server at once. */
const PARALLEL_REQUESTS = 16;

/** Runs `work` over `items`, `PARALLEL_REQUESTS` at a time. */
export async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: PARALLEL_REQUESTS }, worker));
}

/** Per machine, by what `keyOf` makes of the labels, rounded to hundredths. */
type PerMachine = Record<string, number>;

export interface ScaleReport {
  provider: string;
  machines: number;
  clusters: number;
  taskSeconds: number;
  platformRps: number | null;
  concurrency: number | null;
  createObjectsMs: number;
  firstReadyMs: number;
  allReadyMs: number;
  limitMs: number;
  overLimit: number;
  tasksPerMachine: number;
  kubePerMachineToReady: KubeRequestsPerMachine;
  kubePerMachineIdle: KubeRequestsPerMachine;
  kubePerMachineDelete: KubeRequestsPerMachine;
  platformCallsPerMachineToReady: number;
  platformCallsByOperation: PerMachine;
  platformMachinesAtReady: number;
  platformCreates: number;
  platformMachinesLeft: number;
  logins: number;
  rssMiB: { beforeObjects: number; peak: number; steady: number };
  idleCpuCores: number | null;
  deleteMs: number;
}

export interface KubeRequestsPerMachine {
  /** GET, POST, PUT, PATCH, DELETE. */
  byMethod: PerMachine;
  /** POST, PUT, PATCH and DELETE requests, 409s included. */
  writes: number;
  conflicts: number;
  /** `<method> <resource>` of the requests that did not conflict. */
  byResource: PerMachine;
}

/**
 * A scale run: the manager in its own process, `settings.machines` machines over one cluster per
 * ten, all created at once, every one ready, the idle manager watched, then all deleted. Returns
 * what it measured; the caller asserts what does not depend on speed and `writeScaleReport`s it.
 */
export async function runScale(
  kubeConfig: KubeConfig,
  namespace: string,
  settings: ScaleSettings,
  target: ScaleTarget,
): Promise<ScaleReport> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const { apiVersion, kind } = target.machineKind;
  const clusters = Array.from(
    { length: Math.ceil(settings.machines / MACHINES_PER_CLUSTER) },
    (_, i) => `c${i + 1}`,
  );
  const machines: ScaleMachine[] = Array.from({ length: settings.machines }, (_, i) => {
    const index = i % MACHINES_PER_CLUSTER;
    const cluster = clusters[Math.floor(i / MACHINES_PER_CLUSTER)] as string;
    return {
      name: `${cluster}-m${index + 1}`,
      cluster,
      controlPlane: index < CONTROL_PLANE_PER_CLUSTER,
      index,
    };
  });
  const bound = 600_000 + settings.machines * 3_000;

  const port = await freePort();
  const probe = `http://127.0.0.1:${port}`;
  const manager = target.startManager(namespace, port);
  const sampler = new ProcessSampler(manager.pid as number);
  try {
    await eventually(
      'the manager ready',
      async () => (await fetch(`${probe}/readyz`).catch(() => undefined))?.ok,
    );
    const atStart = await scrapeMetrics(probe);
    const rssBeforeAnyObject = sampler.rssBytes();

    const started = performance.now();
    await target.createObjects(namespace, clusters, machines);
    const createdMs = performance.now() - started;

    // Every machine ready, timed from the first create; the first one's time says whether work in
    // flight finishes before new work starts.
    let firstReadyMs: number | undefined;
    const listed = async () =>
      (await objects.list(apiVersion, kind, namespace)).items as { status?: { ready?: boolean } }[];
    await eventually(
      `${settings.machines} ${kind}s ready`,
      async () => {
        const ready = (await listed()).filter((m) => m.status?.ready).length;
        if (ready > 0) firstReadyMs ??= performance.now() - started;
        return ready === settings.machines || undefined;
      },
      bound,
      1_000,
    );
    const readyMs = performance.now() - started;
    const atReady = await scrapeMetrics(probe);
    const platformMachinesAtReady = target.platformMachines(namespace);
    const tasksPerMachine = target.platformTasks() / settings.machines;
    const platformCalls = counterDelta(atReady, atStart, 'iinfra_platform_api_calls_total').total ?? 0;
    // The sequential tasks of one machine bound how fast any machine can be ready; the platform's
    // rate bounds all of them together.
    const limitMs = Math.max(
      tasksPerMachine * settings.taskSeconds * 1000,
      settings.platformRps ? (platformCalls / settings.platformRps) * 1000 : 0,
    );

    let idleCpu: number | undefined;
    if (settings.idleSeconds > 0) {
      // Settled first: the last status writes and their watch events.
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const before = sampler.cpuSeconds();
      await new Promise((resolve) => setTimeout(resolve, settings.idleSeconds * 1000));
      idleCpu = (sampler.cpuSeconds() - before) / settings.idleSeconds;
    }
    const steadyRssBytes = sampler.rssBytes();
    const atIdle = await scrapeMetrics(probe);

    const deleteStarted = performance.now();
    await inParallel(machines, ({ name }) =>
      objects.delete({ apiVersion, kind, metadata: { name, namespace } }),
    );
    await eventually(
      `every ${kind} gone and its platform machine deleted`,
      async () => ((await listed()).length === 0 && target.platformMachines(namespace) === 0) || undefined,
      bound,
      1_000,
    );
    const deleteMs = performance.now() - deleteStarted;
    const atGone = await scrapeMetrics(probe);

    const perMachine = (counts: Record<string, number>): PerMachine =>
      Object.fromEntries(
        Object.entries(counts).map(([k, v]) => [k, Math.round((v / settings.machines) * 100) / 100]),
      );
    const requests = (after: MetricSample[], before: MetricSample[]): KubeRequestsPerMachine => {
      const byMethod = counterDelta(after, before, 'iinfra_kube_requests_total', (l) => l.method);
      const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((sum, m) => sum + (byMethod[m] ?? 0), 0);
      const conflicts = counterDelta(after, before, 'iinfra_kube_requests_total', (l) =>
        l.code === '409' ? 'conflicts' : undefined,
      ).conflicts;
      const byResource = counterDelta(after, before, 'iinfra_kube_requests_total', (l) =>
        l.code === '409' ? undefined : `${l.method} ${l.resource}`,
      );
      const counts = perMachine({ writes, conflicts: conflicts ?? 0 });
      return {
        byMethod: perMachine(byMethod),
        writes: counts.writes as number,
        conflicts: counts.conflicts as number,
        byResource: perMachine(byResource),
      };
    };
    return {
      provider: target.provider,
      machines: settings.machines,
      clusters: clusters.length,
      taskSeconds: settings.taskSeconds,
      platformRps: settings.platformRps ?? null,
      concurrency: settings.concurrency ?? null,
      createObjectsMs: Math.round(createdMs),
      firstReadyMs: Math.round(firstReadyMs ?? readyMs),
      allReadyMs: Math.round(readyMs),
      limitMs: Math.round(limitMs),
      overLimit: limitMs > 0 ? Math.round((readyMs / limitMs) * 10) / 10 : 0,
      tasksPerMachine: Math.round(tasksPerMachine * 100) / 100,
      kubePerMachineToReady: requests(atReady, atStart),
      kubePerMachineIdle: requests(atIdle, atReady),
      kubePerMachineDelete: requests(atGone, atIdle),
      platformCallsPerMachineToReady: Math.round((platformCalls / settings.machines) * 10) / 10,
      platformCallsByOperation: perMachine(
        counterDelta(atReady, atStart, 'iinfra_platform_api_calls_total', (l) => l.operation),
      ),
      platformMachinesAtReady,
      platformCreates: target.platformCreates(),
      platformMachinesLeft: target.platformMachines(namespace),
      logins: target.platformLogins(),
      rssMiB: {
        beforeObjects: Math.round(rssBeforeAnyObject / 2 ** 20),
        peak: Math.round(sampler.peakRssBytes / 2 ** 20),
        steady: Math.round(steadyRssBytes / 2 ** 20),
      },
      idleCpuCores: idleCpu === undefined ? null : Math.round(idleCpu * 1000) / 1000,
      deleteMs: Math.round(deleteMs),
    };
  } finally {
    sampler.stop();
    manager.kill('SIGKILL');
  }
}
