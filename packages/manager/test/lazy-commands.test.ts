import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { iinfraBin } from './support/iinfra-process.ts';

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
});
