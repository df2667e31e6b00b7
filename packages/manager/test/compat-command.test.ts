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
      coreVersion: '0.5.0',
      kubernetesVersions: ['1.35'],
      components: { kubernetes: 'v1.35.6-acp.1', kubeOvnChart: 'v4.4.1' },
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
      'hcs@0.3.0',
      '--provider',
      'dcs@0.7.0',
      '--json',
    );
    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    const [oldHcs, hcs, dcs] = report.providers;
    expect(oldHcs).toMatchObject({ status: 'incompatible', upgradeTo: '0.3.0' });
    expect(oldHcs.reasons).toContain('hcs@0.1.0 supports core ^0.3.0, but core is 0.5.0');
    // Platform 4.4.0 ships core 0.5.0, the core HCS 0.3.0 passed its contract tests and the conformance suite with.
    expect(hcs).toMatchObject({
      status: 'compatible',
      osImage: { platformRelease: '4.4.0', format: 'qcow2' },
    });
    expect(dcs.status).toBe('compatible');
  });

  // The documentation's pairing questions, asked of the shipped matrix: its DCS rule starts at platform 4.3.2.
  it('refuses platform 4.3.1 to 4.3.2 with DCS below the rule and names the smallest provider upgrade', async () => {
    const before = await iinfra('compat', 'check', '--platform', '4.3.1', '--provider', 'dcs@0.5.0');
    expect(before.code).toBe(0);
    const result = await iinfra('compat', 'check', '--platform', '4.3.2', '--provider', 'dcs@0.5.0');
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'platform 4.3.2: core 0.4.0, Kubernetes 1.34, Cluster API v1beta2',
      '  components: Kubernetes v1.34.5-3, containerd 2.2.1-5, CoreDNS 1.14.2-v4.3.11, etcd v3.5.28-260625, pause 3.10, Kube-OVN chart v4.3.11',
      'dcs@0.5.0: INCOMPATIBLE',
      '  - from platform 4.3.2, the dcs provider must be at least 0.6.0, and never below; dcs@0.5.0 is below it',
      '  - upgrade to dcs@0.6.0, the smallest version verified on platform 4.3.2',
      'result: NOT ready for platform 4.3.2; upgrade dcs@0.6.0 first',
      '',
    ]);
    const json = await iinfra('compat', 'check', '--platform', '4.3.2', '--provider', 'dcs@0.5.0', '--json');
    const report = JSON.parse(json.stdout);
    const validate = new Ajv2020({ strict: false }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report).toMatchObject({
      ok: false,
      platformRelease: { version: '4.3.2', coreVersion: '0.4.0' },
      providers: [{ provider: 'dcs', version: '0.5.0', status: 'incompatible', upgradeTo: '0.6.0' }],
    });
  });

  it('refuses a DCS at or above the rule on a platform before 4.3.2', async () => {
    const result = await iinfra(
      'compat',
      'check',
      '--platform',
      '4.3.1',
      '--provider',
      'dcs@0.6.0',
      '--json',
    );
    expect(result.code).toBe(1);
    const [dcs] = JSON.parse(result.stdout).providers;
    expect(dcs.status).toBe('incompatible');
    expect(dcs.reasons).toContain(
      'dcs provider 0.6.0 and later must not be paired with a platform before 4.3.2; dcs@0.6.0 is 0.6.0 or later and platform is 4.3.1',
    );
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
