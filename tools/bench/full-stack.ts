#!/usr/bin/env node
// The full-stack benchmark (not a test): the scale benchmark's figures with the real Cluster API
// controllers. Runs providers/dcs's test/e2e/full-stack.run.ts (its own vitest config, so neither the
// end-to-end suite nor the test command runs it): N documented DCS clusters of 3 control plane + 2
// worker machines from the wizard's manifests, through Cluster API's core, kubeadm bootstrap and
// kubeadm control plane managers, the DCS simulator and the workload-cluster simulator, with our
// manager as its own process. Prints create -> every cluster settled (and the first), our manager's
// Kubernetes requests and DCS calls per machine, where its writes go (per machine object and per
// cluster object, by request, and its status writes by what they changed), its memory and CPU
// seconds, each Cluster API manager's CPU seconds and memory beside them, and the time to delete
// every cluster.
//   node tools/bench/full-stack.ts [--clusters 20] [--task-seconds 2] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const RUN = 'test/e2e/full-stack.run.ts';

const usage = `usage: node tools/bench/full-stack.ts [--clusters N] [--task-seconds S] [--json]
  --clusters      clusters of 3 control plane + 2 worker machines, created at once (20)
  --task-seconds  how long each simulated DCS task takes (2)
  --json          print the report as JSON instead of a table`;

let values: { clusters: string; 'task-seconds': string; json: boolean; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '20' },
      'task-seconds': { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }) as { values: typeof values });
} catch (error) {
  console.error(`full-stack: ${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const clusters = Number(values.clusters);
const taskSeconds = Number(values['task-seconds']);
if (!Number.isInteger(clusters) || clusters < 1) {
  console.error(`full-stack: --clusters must be a whole number of 1 or more\n${usage}`);
  process.exit(2);
}
if (!Number.isFinite(taskSeconds) || taskSeconds < 0) {
  console.error(`full-stack: --task-seconds must be a number of 0 or more\n${usage}`);
  process.exit(2);
}

interface PerMachine {
  gets: number;
  writes: number;
  platformCalls: number;
}
/** Writes per object by request (`PUT dcsmachines/status`, `POST events (DCSMachine Cloning)`). */
interface WritesPerObject {
  total: number;
  byRequest: Record<string, number>;
}
interface Report {
  clusters: number;
  machines: number;
  taskSeconds: number;
  firstReadyMs: number;
  allReadyMs: number;
  ours: {
    toReady: PerMachine;
    toDelete: PerMachine;
    writesToReady: {
      perMachineObject: WritesPerObject;
      perClusterObject: WritesPerObject;
      /** Per kind: status writes per object by what they changed and the step Ready named. */
      statusWrites: Record<string, Record<string, number>>;
    };
    rssMiB: { peak: number; steady: number };
    cpuSeconds: { toReady: number; total: number };
  };
  clusterApi: {
    component: string;
    cpuSeconds: { toReady: number; total: number };
    rssMiB: { peak: number; atReady: number };
  }[];
  logins: number;
  deleteMs: number;
  vmsLeft: number;
}

const scratch = mkdtempSync(join(tmpdir(), 'iinfra-full-stack-'));
const reportFile = join(scratch, 'report.json');
let report: Report | undefined;
let status: number | null;
try {
  process.stderr.write(`full-stack: ${clusters} x (3 + 2) DCS machines, tasks of ${taskSeconds} s\n`);
  status = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.full-stack.config.ts', '--reporter=dot'], {
    cwd: join(root, 'providers/dcs'),
    // vitest's own output goes to stderr: stdout is the report alone, which `--json` makes parseable.
    stdio: ['ignore', 2, 'inherit'],
    env: {
      ...process.env,
      FULL_STACK_CLUSTERS: String(clusters),
      FULL_STACK_TASK_SECONDS: String(taskSeconds),
      FULL_STACK_REPORT: reportFile,
    },
  }).status;
  if (existsSync(reportFile)) report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (!report) {
  console.error(`full-stack: providers/dcs ${RUN} stopped before it reported (vitest exit ${status})`);
  process.exit(1);
}

if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const r = report;
  const capi = r.clusterApi
    .map((c) => `${c.component} ${c.cpuSeconds.toReady} / ${c.cpuSeconds.total} s, ${c.rssMiB.peak} MiB`)
    .join('; ');
  const header = [
    'run',
    'create -> all ready',
    'per machine to Ready: GETs / writes / DCS calls',
    'writes to delete',
    'DCS logins',
    'our RSS peak / steady',
    'our CPU to ready / total',
    'Cluster API managers: CPU to ready / total, RSS peak',
    'delete all',
  ];
  const row = [
    `full stack, ${r.clusters} x (3 + 2), ${r.taskSeconds} s tasks`,
    `${seconds(r.allReadyMs)} (first ${seconds(r.firstReadyMs)})`,
    `${r.ours.toReady.gets} / ${r.ours.toReady.writes} / ${r.ours.toReady.platformCalls}`,
    `${r.ours.toDelete.writes}`,
    `${r.logins}`,
    `${r.ours.rssMiB.peak} / ${r.ours.rssMiB.steady} MiB`,
    `${r.ours.cpuSeconds.toReady} / ${r.ours.cpuSeconds.total} s`,
    capi,
    seconds(r.deleteMs),
  ];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n| ${row.join(' | ')} |`);
  // Where the writes to Ready go: per machine object over the machines, per cluster object over the clusters.
  const w = r.ours.writesToReady;
  const lines = [
    '',
    '| writes to Ready | per machine object | per cluster object |',
    '|---|---|---|',
    `| all | ${w.perMachineObject.total} | ${w.perClusterObject.total} |`,
    ...Object.entries(w.perMachineObject.byRequest).map(([request, n]) => `| ${request} | ${n} | |`),
    ...Object.entries(w.perClusterObject.byRequest).map(([request, n]) => `| ${request} | | ${n} |`),
    '',
    '| status writes to Ready, per object | what changed -> Ready reason left |',
    '|---|---|',
    ...Object.entries(w.statusWrites).flatMap(([kind, changes]) =>
      Object.entries(changes).map(([change, n]) => `| ${kind} ${n} | ${change} |`),
    ),
  ];
  console.log(lines.join('\n'));
}
if (status !== 0) console.error(`full-stack: the run failed (vitest exit ${status})`);
process.exit(status === 0 ? 0 : 1);
