import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const launcher = join(packageDir, 'bin', 'hcs-sim.js');

/** Runs the launcher and resolves with the child and its stdout lines once it prints its URL (and CA). */
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
    child.once('exit', (code) => reject(new Error(`hcs-sim exited with ${code}: ${stderr}`)));
  });
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', resolve));

// Each test starts a Node process; on a loaded 2-core machine that alone can take tens of seconds.
describe('hcs-sim CLI', { timeout: 120_000 }, () => {
  let scratch: string;

  beforeAll(async () => {
    // The launcher runs dist/cli.js, which the package's build task writes before its tests
    // run. Rebuilding here would empty dist/ while other packages' typechecks and tests read it.
    if (!existsSync(join(packageDir, 'dist', 'cli.js'))) {
      throw new Error(`hcs-sim is not built: run \`npm run build\` in tools/hcs-sim first`);
    }
    scratch = await mkdtemp(join(tmpdir(), 'hcs-sim-cli-'));
  }, 120_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('explains its options with --help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [launcher, '--help']);
    for (const flag of ['--port', '--tls', '--ca-out', '--inventory', '--job-seconds', '--latency-ms']) {
      expect(stdout).toContain(flag);
    }
  });

  it('prints its URL, shows its state and stops cleanly on SIGTERM', async () => {
    const { child, lines } = await startCli(['--port', '0', '--job-seconds', '0']);
    const url = /listening on (\S+)/.exec(lines.join('\n'))?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const state = (await (await fetch(`${url}/_sim/state`)).json()) as Record<string, unknown>;
    expect(state).toHaveProperty('servers');
    const unsigned = await fetch(`${url}/v1/some-project/cloudservers/detail`);
    expect(unsigned.status).toBe(401);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('serves HTTPS with a CA it writes out, which a client can trust', async () => {
    const caPath = join(scratch, 'ca.pem');
    const { child, lines } = await startCli(['--port', '0', '--tls', '--ca-out', caPath]);
    try {
      const url = /listening on (\S+)/.exec(lines.join('\n'))?.[1] ?? '';
      expect(url).toMatch(/^https:\/\//);
      const ca = await readFile(caPath, 'utf8');
      expect(ca).toContain('BEGIN CERTIFICATE');
      const status = await new Promise<number>((resolve, reject) => {
        request(`${url}/_sim/state`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
    } finally {
      const exited = exitOf(child);
      child.kill('SIGTERM');
      await exited;
    }
  });
});
