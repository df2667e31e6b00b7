import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcsHttp, SITE_URI } from './support/dcs-http.js';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const launcher = join(packageDir, 'bin', 'dcs-sim.js');

/** Runs the launcher and resolves with the child and its stdout lines once it prints its URL. */
function startCli(args: string[]): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [launcher, ...args], { cwd: packageDir });
  const lines: string[] = [];
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      const listening = lines.some((line) => line.includes('listening on'));
      const caWritten = !args.includes('--tls') || lines.some((line) => line.includes('CA certificate'));
      if (listening && caWritten) resolve({ child, lines });
    });
    child.once('exit', (code) => reject(new Error(`dcs-sim exited with ${code}: ${stderr}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// Each test starts a Node process; on a loaded 2-core machine that alone can take tens of seconds.
describe('dcs-sim CLI', { timeout: 120_000 }, () => {
  let scratch: string;

  beforeAll(async () => {
    // The launcher runs dist/cli.js, which the package's build task writes before its tests
    // run. Rebuilding here would empty dist/ while other packages' typechecks and tests read it.
    if (!existsSync(join(packageDir, 'dist', 'cli.js'))) {
      throw new Error(`dcs-sim is not built: run \`npm run build\` in tools/dcs-sim first`);
    }
    scratch = await mkdtemp(join(tmpdir(), 'dcs-sim-cli-'));
  }, 120_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('prints its URL, answers the API and stops cleanly on SIGTERM', async () => {
    const { child, lines } = await startCli(['--port', '0', '--task-seconds', '0']);
    const url = /listening on (\S+)/.exec(lines.join('\n'))?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const dcs = new DcsHttp(url);
    expect((await dcs.login()).status).toBe(200);
    expect((await dcs.ok('GET', `${SITE_URI}/vms?isTemplate=true`)).total).toBe(2);
    await dcs.cloneVm('cli-vm');
    expect((await dcs.ok('GET', `${SITE_URI}/vms?name=cli-vm`)).vms[0].status).toBe('stopped');

    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('with --tls writes the CA to --ca-out', async () => {
    const caOut = join(scratch, 'ca.pem');
    const { child, lines } = await startCli(['--port', '0', '--tls', '--ca-out', caOut]);
    expect(lines.join('\n')).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(lines.join('\n')).toContain(caOut);
    expect(await readFile(caOut, 'utf8')).toContain('BEGIN CERTIFICATE');
    const exited = exitOf(child);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('explains its options in --help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [launcher, '--help']);
    for (const option of [
      '--port',
      '--host',
      '--tls',
      '--ca-out',
      '--inventory',
      '--task-seconds',
      '--latency-ms',
    ])
      expect(stdout).toContain(option);
  });
});
