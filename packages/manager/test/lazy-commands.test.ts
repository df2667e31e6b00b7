import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { exited, iinfraBin, testProviderPath } from './support/iinfra-process.ts';
import { adminKubeconfig, serviceAccountToken, writeKubeconfig } from './support/kubeconfig-files.ts';

const run = promisify(execFile);
const recorder = fileURLToPath(new URL('./support/record-resolved-urls.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'iinfra-lazy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `iinfra <args>` under the recording hook; its output and every module URL it resolved. */
async function iinfraLoading(...args: string[]): Promise<{ stdout: string; urls: string[] }> {
  const file = join(scratch, `${args.join('-').replace(/[^a-z-]/g, '')}.txt`);
  const { stdout } = await run(process.execPath, ['--import', recorder, iinfraBin, ...args], {
    env: { ...process.env, IINFRA_RESOLVED_URLS_FILE: file },
  });
  return { stdout, urls: readFileSync(file, 'utf8').trim().split('\n') };
}

/** Starts `iinfra <args>` under the recording hook until it prints `ready`, then stops it; every module URL it resolved. */
async function iinfraLoadingUntil(ready: string, ...args: string[]): Promise<string[]> {
  const file = join(
    scratch,
    `${args
      .join('-')
      .replace(/[^a-z-]/g, '')
      .slice(0, 80)}-${Date.now()}.txt`,
  );
  const child = spawn(process.execPath, ['--import', recorder, iinfraBin, ...args], {
    env: { ...process.env, IINFRA_RESOLVED_URLS_FILE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  await eventually(`iinfra ${args[0]} printing "${ready}"`, async () => {
    if (child.exitCode !== null) throw new Error(`iinfra exited with ${child.exitCode}:\n${output}`);
    return output.includes(ready) ? true : undefined;
  });
  child.kill('SIGTERM');
  await exited(child);
  return readFileSync(file, 'utf8').trim().split('\n');
}

/** Test code a production process must never load. */
const TEST_MODULES = [
  /@immutable-infra\/testkit|packages\/testkit\//,
  /@immutable-infra\/simulator-kit|tools\/simulator-kit\//,
  /\/node_modules\/(vitest|@vitest|playwright|playwright-core)\//,
  /\/test\//,
];

/** What only running a command needs: its implementation and what that pulls in. */
const COMMAND_IMPLEMENTATIONS = [
  /\/dist\/(manager|env|compat|provider)-action-[^/]*\.js$/,
  /@immutable-infra\/management-plane|packages\/management-plane\//,
  /@immutable-infra\/core|packages\/core\//,
  /@kubernetes\/client-node/,
];

describe('iinfra loads each command lazily', () => {
  it('iinfra manager --help documents the command and loads neither test code nor any command implementation', async () => {
    const { stdout, urls } = await iinfraLoading('manager', '--help');
    expect(stdout).toContain('--provider <package>');
    expect(stdout).toContain('--leader-elect');
    expect(urls.some((url) => url.endsWith('/packages/manager/dist/cli.js'))).toBe(true);
    for (const pattern of [...TEST_MODULES, ...COMMAND_IMPLEMENTATIONS]) {
      expect(urls.filter((url) => pattern.test(url))).toEqual([]);
    }
  });

  it('iinfra --help still lists every command with its description', async () => {
    const { stdout, urls } = await iinfraLoading('--help');
    for (const command of ['compat', 'env', 'manager', 'provider'])
      expect(stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    expect(stdout).toContain('The embedded management plane');
    for (const pattern of [...TEST_MODULES, ...COMMAND_IMPLEMENTATIONS]) {
      expect(urls.filter((url) => pattern.test(url))).toEqual([]);
    }
  });

  it('a command that runs loads its own implementation and no test code', async () => {
    const { stdout, urls } = await iinfraLoading(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      'dcs@0.7.0',
      '--json',
    );
    expect(JSON.parse(stdout)).toHaveProperty('providers');
    expect(urls.some((url) => /\/dist\/compat-action-[^/]*\.js$/.test(url))).toBe(true);
    expect(urls.some((url) => /\/dist\/(manager|env|provider)-action-[^/]*\.js$/.test(url))).toBe(false);
    for (const pattern of TEST_MODULES) expect(urls.filter((url) => pattern.test(url))).toEqual([]);
  });

  it('iinfra manager runs with a token or a client certificate kubeconfig without loading @kubernetes/client-node', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'lazy');
    const admin = adminKubeconfig();
    const kubeconfigs = {
      token: writeKubeconfig(scratch, 'token.yaml', { token: await serviceAccountToken(namespace) }),
      certificate: writeKubeconfig(scratch, 'cert.yaml', {
        'client-certificate-data': admin.certData,
        'client-key-data': admin.keyData,
      }),
    };
    for (const [kind, kubeconfig] of Object.entries(kubeconfigs)) {
      const urls = await iinfraLoadingUntil(
        'manager running',
        'manager',
        '--provider',
        testProviderPath,
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        namespace,
        '--probe-address',
        '127.0.0.1:0',
      );
      expect(
        urls.some((url) => /\/dist\/manager-action-[^/]*\.js$/.test(url)),
        kind,
      ).toBe(true);
      expect(
        urls.filter((url) => url.includes('@kubernetes/client-node')),
        kind,
      ).toEqual([]);
    }
  });
});
