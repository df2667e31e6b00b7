import { readFileSync, writeFileSync } from 'node:fs';

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
