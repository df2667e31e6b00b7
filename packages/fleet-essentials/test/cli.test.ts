import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/fleet-essentials.js', import.meta.url));

describe('npx fleet-essentials', () => {
  it('explains itself with --help', async () => {
    const help = await new Promise<string>((resolve) =>
      execFile(process.execPath, [bin, '--help'], (_e, stdout) => resolve(stdout)),
    );
    for (const flag of [
      '--kubeconfig <path>',
      '--port <port>',
      '--allow-kubeconfig-user',
      '--extension <package-dir>',
      '--platform-time-limit <seconds>',
      '--allowed-host <name>',
      '--tls-cert <file>',
      '--secure-cookies',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/Kubernetes\s+RBAC\s+decides/);
  });

  it('rejects a bad port and serves on a good one until SIGTERM', async () => {
    const bad = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, '--port', 'eighty'], (error, _stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stderr }),
      ),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--port "eighty" is not a TCP port');
    const badLimit = await new Promise<string>((resolve) =>
      execFile(process.execPath, [bin, '--platform-time-limit', '0'], (_e, _stdout, stderr) =>
        resolve(stderr),
      ),
    );
    expect(badLimit).toContain('--platform-time-limit "0" must be a number of seconds from 1 to 600');
    // Every address, but no names to check the Host header against: an error, not an open server.
    const everyAddress = await new Promise<string>((resolve) =>
      execFile(process.execPath, [bin, '--host', '0.0.0.0'], (_e, _stdout, stderr) => resolve(stderr)),
    );
    expect(everyAddress).toContain('--host 0.0.0.0 listens on every address: give --allowed-host <name>');
    const halfTls = await new Promise<string>((resolve) =>
      execFile(process.execPath, [bin, '--tls-cert', 'cert.pem'], (_e, _stdout, stderr) => resolve(stderr)),
    );
    expect(halfTls).toContain('--tls-cert and --tls-key go together');

    const child = spawn(
      process.execPath,
      [bin, '--kubeconfig', inject('iinfraKubeconfigPath'), '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => resolve(String(chunk).trim()));
      child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const health = await (await fetch(`${address}/api/health`)).json();
    expect(health).toEqual({ ok: true, cacheReady: true });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
