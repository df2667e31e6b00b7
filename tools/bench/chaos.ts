#!/usr/bin/env node
// The chaos campaign (a benchmark, not a test): runs every provider's crash-safety test with many
// more kills than the test command's short version. Each kills the manager at random points while
// machines are created, scaled, replaced (an upgrade) and deleted on a simulator with its faults
// on (create lag, lost replies, a rate limit), then prints the kills, what was found duplicated,
// orphaned or leaked (zero of each is the bar), and how long the last manager took to converge.
//   node tools/bench/chaos.ts [--kills 300] [--kills-per-phase 8] [--seed 1] [--provider dcs]... [--json]
// The kills are shared out evenly over the providers, as rounds of every phase (a phase's work
// lasts only so long: more kills in one phase would hit a manager with nothing left to do). Exit 1
// on any damage.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const CRASH_TEST = 'test/provider/crash-safety.test.ts';
/** Phases of one round of each provider's campaign. */
const PHASES_PER_ROUND = 4;

const usage = `usage: node tools/bench/chaos.ts [--kills N] [--kills-per-phase N] [--seed N] [--provider NAME]... [--json]
  --kills            kills in all at least, shared out over the providers as rounds of every phase (300)
  --kills-per-phase  kills while one phase's work is under way (8, as the test command's short version)
  --seed       seed for the kill points and the simulators' faults (1)
  --provider   a provider under providers/ (every provider with ${CRASH_TEST} by default)
  --json       print the reports as JSON instead of a table`;

let values: {
  kills: string;
  'kills-per-phase': string;
  seed: string;
  provider?: string[];
  json: boolean;
  help: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      kills: { type: 'string', default: '300' },
      'kills-per-phase': { type: 'string', default: '8' },
      seed: { type: 'string', default: '1' },
      provider: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }) as { values: typeof values });
} catch (error) {
  console.error(`chaos: ${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const kills = Number(values.kills);
const killsPerPhase = Number(values['kills-per-phase']);
const seed = Number(values.seed);
if (![kills, killsPerPhase].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(seed)) {
  console.error(
    `chaos: --kills and --kills-per-phase must be whole numbers above 0, --seed a whole number\n${usage}`,
  );
  process.exit(2);
}
const withCrashTest = readdirSync(join(root, 'providers')).filter((name) =>
  existsSync(join(root, 'providers', name, CRASH_TEST)),
);
const providers = values.provider ?? withCrashTest;
for (const name of providers) {
  if (!withCrashTest.includes(name)) {
    console.error(`chaos: providers/${name} has no ${CRASH_TEST} (have: ${withCrashTest.join(', ')})`);
    process.exit(2);
  }
}

interface Report {
  provider: string;
  seed: number;
  rounds: number;
  kills: number;
  phases: { name: string; kills: number; convergeMs: number }[];
  damage: Record<string, number>;
}

const log = (message: string) => process.stderr.write(`chaos: ${message}\n`);
const scratch = mkdtempSync(join(tmpdir(), 'iinfra-chaos-'));
const reports: Report[] = [];
const failures: string[] = [];
const started = performance.now();
try {
  for (const provider of providers) {
    const rounds = Math.ceil(kills / providers.length / (PHASES_PER_ROUND * killsPerPhase));
    const reportFile = join(scratch, `${provider}.jsonl`);
    log(
      `${provider}: ${rounds} rounds of ${PHASES_PER_ROUND} phases, ${killsPerPhase} kills each, seed ${seed}`,
    );
    const run = spawnSync('npx', ['vitest', 'run', CRASH_TEST, '--reporter=dot'], {
      cwd: join(root, 'providers', provider),
      // vitest's own output goes to stderr: stdout is the report alone, which `--json` makes parseable.
      stdio: ['ignore', 2, 'inherit'],
      env: {
        ...process.env,
        CHAOS_KILLS_PER_PHASE: String(killsPerPhase),
        CHAOS_ROUNDS: String(rounds),
        CHAOS_SEED: String(seed),
        CHAOS_REPORT: reportFile,
      },
    });
    const written = existsSync(reportFile) ? readFileSync(reportFile, 'utf8').trim().split('\n') : [];
    if (written.length === 0 || written[0] === '') {
      failures.push(
        `${provider}: the campaign stopped before it counted anything (vitest exit ${run.status})`,
      );
      continue;
    }
    for (const line of written) reports.push(JSON.parse(line) as Report);
    if (run.status !== 0) failures.push(`${provider}: the crash-safety test failed (exit ${run.status})`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const totalKills = reports.reduce((sum, r) => sum + r.kills, 0);
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
if (values.json) {
  console.log(
    JSON.stringify({ kills: totalKills, seed, minutes: Number(minutes), reports, failures }, null, 2),
  );
} else {
  for (const report of reports) {
    console.log(
      `\n${report.provider}: ${report.kills} kills in ${report.rounds} rounds (seed ${report.seed})`,
    );
    for (const phase of report.phases)
      console.log(
        `  ${phase.name.padEnd(26)} ${String(phase.kills).padStart(4)} kills, converged ${(phase.convergeMs / 1000).toFixed(1)} s after the last`,
      );
    for (const [what, count] of Object.entries(report.damage)) console.log(`  ${what.padEnd(32)} ${count}`);
  }
  console.log(`\n${totalKills} kills in ${minutes} min`);
  for (const failure of failures) console.log(`FAILED ${failure}`);
}
const damaged = reports.some((r) => Object.values(r.damage).some((count) => count !== 0));
process.exit(failures.length > 0 || damaged ? 1 : 0);
