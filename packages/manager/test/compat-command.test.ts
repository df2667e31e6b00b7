import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it, onTestFinished } from 'vitest';

const bin = fileURLToPath(new URL('../bin/iinfra.js', import.meta.url));
const require = createRequire(import.meta.url);
const reportSchema = require('@immutable-infra/core/schemas/compat-check-report.schema.json');

function iinfra(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const verified = (coreVersion: string) => ({
  coreVersion,
  coreSource: 'registry',
  result: 'passed',
  date: '2026-11-24',
  tests: { passed: 3, failed: 0 },
});

async function matrixFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'compat-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'compat-matrix.json');
  await writeFile(
    path,
    JSON.stringify({
      platformReleases: [
        { version: '4.3.0', coreVersion: '0.1.0', kubernetesVersions: ['1.34'], capiContract: 'v1beta2' },
        { version: '4.4.0', coreVersion: '0.2.0', kubernetesVersions: ['1.35'], capiContract: 'v1beta2' },
      ],
      providers: [
        {
          name: 'dcs',
          package: '@immutable-infra/provider-dcs',
          version: '0.1.0',
          coreRange: '^0.1.0',
          capiContracts: ['v1beta2'],
          kubernetesVersions: ['1.34', '1.35'],
          verifications: [verified('0.1.0')],
        },
        {
          name: 'dcs',
          package: '@immutable-infra/provider-dcs',
          version: '0.2.0',
          coreRange: '>=0.1.0 <0.3.0',
          capiContracts: ['v1beta2'],
          kubernetesVersions: ['1.34', '1.35'],
          verifications: [verified('0.1.0'), verified('0.2.0')],
        },
      ],
    }),
  );
  return path;
}

describe('iinfra compat check', () => {
  it('exits non-zero for an old provider and names the version to upgrade to', async () => {
    const matrix = await matrixFile();
    const result = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      'dcs@0.1.0',
      '--matrix',
      matrix,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('dcs@0.1.0: INCOMPATIBLE');
    expect(result.stdout).toContain('supports core ^0.1.0, but core is 0.2.0');
    expect(result.stdout).toContain('upgrade dcs@0.2.0 first');
  });

  it('exits 0 for a verified compatible set, and its --json validates against the published schema', async () => {
    const matrix = await matrixFile();
    const result = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      '@immutable-infra/provider-dcs@0.2.0',
      '--matrix',
      matrix,
      '--json',
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const validate = new Ajv2020({ strict: false }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report).toMatchObject({
      ok: true,
      providers: [{ provider: 'dcs', version: '0.2.0', status: 'compatible' }],
    });

    const failing = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      'dcs@0.1.0',
      '--matrix',
      matrix,
      '--json',
    );
    const failingReport = JSON.parse(failing.stdout);
    expect(validate(failingReport), JSON.stringify(validate.errors)).toBe(true);
    expect(failingReport.providers[0]).toMatchObject({ status: 'incompatible', upgradeTo: '0.2.0' });
  });

  it('works offline from the matrix shipped in the package', async () => {
    const result = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      'dcs@0.1.0',
      '--json',
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).platformRelease).toMatchObject({
      version: '4.4.0',
      coreVersion: '0.2.0',
    });
  });

  it('answers for the HCS provider from the shipped matrix as for DCS', async () => {
    const result = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      'hcs@0.1.0',
      '--provider',
      'dcs@0.3.0',
      '--json',
    );
    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    const hcs = report.providers.find((p: { provider: string }) => p.provider === 'hcs');
    const dcs = report.providers.find((p: { provider: string }) => p.provider === 'dcs');
    // The shipped matrix has provider-hcs 0.1.0 verified with core 0.3.0 only, and platform 4.4.0 fixes core 0.2.0.
    expect(hcs.status).toBe('incompatible');
    expect(hcs.reasons).toContain('hcs@0.1.0 supports core ^0.3.0, but core is 0.2.0');
    expect(dcs.status).toBe('compatible');
  });

  it('says what is wrong with bad arguments, with exit code 2', async () => {
    const noProvider = await iinfra('compat', 'check', '--platform', '4.4.0');
    expect(noProvider.code).toBe(2);
    expect(noProvider.stderr).toContain('give --provider');
    const badSpec = await iinfra('compat', 'check', '--platform', '4.4.0', '--provider', 'dcs');
    expect(badSpec.code).toBe(2);
    expect(badSpec.stderr).toContain('expected <name>@<version>');
    const badMatrix = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.4.0',
      '--provider',
      'dcs@0.1.0',
      '--matrix',
      bin,
    );
    expect(badMatrix.code).toBe(1);
    expect(badMatrix.stderr).toContain('cannot read the compatibility matrix');
  });
});
