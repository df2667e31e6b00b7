#!/usr/bin/env node
// The scale benchmark (not a test): runs a provider's scale test with many machines. The manager
// runs as its own process, as in production, against the embedded management plane and the
// provider's simulator, without Cluster API's controllers, so the provider and the host are what
// is measured. For each size it prints: create -> all ready (and the first ready), the limit the
// simulator sets (sequential platform tasks x task time, or platform calls over its rate), the
// manager's memory and idle CPU, Kubernetes API requests per machine by verb and platform calls
// per machine, logins for the shared credential, and the time to delete everything.
//   node tools/bench/scale.ts [--machines 100]... [--task-seconds 2] [--idle-seconds 60]
//                             [--platform-rps N] [--concurrency N] [--provider dcs] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const SCALE_TEST = 'test/provider/scale.test.ts';

const usage = `usage: node tools/bench/scale.ts [--machines N]... [--task-seconds S] [--idle-seconds S] [--platform-rps N] [--concurrency N] [--provider NAME]... [--json]
  --machines      machines per run, ten per cluster; repeat for several runs (100 and 1000)
  --task-seconds  how long each simulated platform task takes (2)
  --idle-seconds  how long the idle manager's CPU is measured once all are ready (60; 0 skips it)
  --platform-rps  the simulated platform's request rate per account (unlimited)
  --concurrency   the manager's --concurrency (its default)
  --provider      a provider under providers/ (every provider with ${SCALE_TEST} by default)
  --json          print the reports as JSON instead of a table`;

let values: {
  machines?: string[];
  'task-seconds': string;
  'idle-seconds': string;
  'platform-rps'?: string;
  concurrency?: string;
  provider?: string[];
  json: boolean;
  help: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      machines: { type: 'string', multiple: true },
      'task-seconds': { type: 'string', default: '2' },
      'idle-seconds': { type: 'string', default: '60' },
      'platform-rps': { type: 'string' },
      concurrency: { type: 'string' },
      provider: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }) as { values: typeof values });
} catch (error) {
  console.error(`scale: ${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const sizes = (values.machines ?? ['100', '1000']).map(Number);
const numbers = {
  '--machines': sizes,
  '--task-seconds': [Number(values['task-seconds'])],
  '--idle-seconds': [Number(values['idle-seconds'])],
  '--platform-rps': values['platform-rps'] === undefined ? [] : [Number(values['platform-rps'])],
  '--concurrency': values.concurrency === undefined ? [] : [Number(values.concurrency)],
};
for (const [option, list] of Object.entries(numbers)) {
  if (list.some((n) => !Number.isFinite(n) || n < 0)) {
    console.error(`scale: ${option} must be a number of 0 or more\n${usage}`);
    process.exit(2);
  }
}
const withScaleTest = readdirSync(join(root, 'providers')).filter((name) =>
  existsSync(join(root, 'providers', name, SCALE_TEST)),
);
const providers = values.provider ?? withScaleTest;
for (const name of providers) {
  if (!withScaleTest.includes(name)) {
    console.error(`scale: providers/${name} has no ${SCALE_TEST} (have: ${withScaleTest.join(', ')})`);
    process.exit(2);
  }
}

interface KubeRequests {
  byMethod: Record<string, number>;
  writes: number;
  conflicts: number;
  byResource: Record<string, number>;
}

interface Report {
  provider: string;
  machines: number;
  clusters: number;
  taskSeconds: number;
  firstReadyMs: number;
  allReadyMs: number;
  limitMs: number;
  overLimit: number;
  kubePerMachineToReady: KubeRequests;
  kubePerMachineDelete: KubeRequests;
  platformCallsPerMachineToReady: number;
  logins: number;
  rssMiB: { beforeObjects: number; peak: number; steady: number };
  idleCpuCores: number | null;
  deleteMs: number;
}

const log = (message: string) => process.stderr.write(`scale: ${message}\n`);
const scratch = mkdtempSync(join(tmpdir(), 'iinfra-scale-'));
const reports: Report[] = [];
const failures: string[] = [];
try {
  for (const provider of providers) {
    for (const machines of sizes) {
      const reportFile = join(scratch, `${provider}-${machines}.json`);
      log(`${provider}: ${machines} machines, tasks of ${values['task-seconds']} s`);
      const run = spawnSync('npx', ['vitest', 'run', SCALE_TEST, '--reporter=dot'], {
        cwd: join(root, 'providers', provider),
        // vitest's own output goes to stderr: stdout is the report alone, which `--json` makes parseable.
        stdio: ['ignore', 2, 'inherit'],
        env: {
          ...process.env,
          SCALE_MACHINES: String(machines),
          SCALE_TASK_SECONDS: values['task-seconds'],
          SCALE_IDLE_SECONDS: values['idle-seconds'],
          ...(values['platform-rps'] ? { SCALE_PLATFORM_RPS: values['platform-rps'] } : {}),
          ...(values.concurrency ? { SCALE_CONCURRENCY: values.concurrency } : {}),
          SCALE_REPORT: reportFile,
        },
      });
      if (!existsSync(reportFile)) {
        failures.push(
          `${provider} at ${machines}: the run stopped before it reported (vitest exit ${run.status})`,
        );
        continue;
      }
      reports.push(JSON.parse(readFileSync(reportFile, 'utf8')) as Report);
      // The test's own bounds (writes per machine, one login) failing is a finding, not a crash.
      if (run.status !== 0)
        failures.push(`${provider} at ${machines}: the scale test failed (exit ${run.status})`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (values.json) {
  console.log(JSON.stringify(reports, null, 2));
} else {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const rows = reports.map((r) => {
    const k = r.kubePerMachineToReady;
    const d = r.kubePerMachineDelete;
    return [
      `${r.provider} ${r.machines} (${r.clusters} clusters), ${r.taskSeconds} s tasks`,
      `${seconds(r.allReadyMs)} (first ${seconds(r.firstReadyMs)})`,
      `${seconds(r.limitMs)} (${r.overLimit}x)`,
      `${k.byMethod.GET ?? 0} / ${k.writes} / ${k.conflicts} / ${r.platformCallsPerMachineToReady}`,
      `${d.writes}`,
      `${r.logins}`,
      `${r.rssMiB.beforeObjects} / ${r.rssMiB.peak} / ${r.rssMiB.steady} MiB`,
      r.idleCpuCores === null ? '-' : `${r.idleCpuCores}`,
      seconds(r.deleteMs),
    ];
  });
  const header = [
    'run',
    'create -> all ready',
    'limit',
    'per machine to Ready: GETs / writes / 409s / platform calls',
    'writes to delete',
    'logins',
    'RSS before / peak / steady',
    'idle cores',
    'delete all',
  ];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}
for (const failure of failures) console.error(`scale: ${failure}`);
process.exit(failures.length > 0 ? 1 : 0);
