import { describe, expect, it } from 'vitest';
import {
  type CompatMatrix,
  checkPlatformUpgrade,
  findPlatformRelease,
  parseCompatMatrix,
} from '../src/index.js';

const run = (coreVersion: string, result: 'passed' | 'failed' = 'passed') => ({
  coreVersion,
  coreSource: 'registry' as const,
  result,
  date: '2026-11-24',
  tests: { passed: result === 'passed' ? 7 : 5, failed: result === 'passed' ? 0 : 2 },
});

const matrix: CompatMatrix = {
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
      capiContracts: ['v1beta1', 'v1beta2'],
      kubernetesVersions: ['1.34', '1.35'],
      verifications: [run('0.1.0')],
    },
    {
      name: 'dcs',
      package: '@immutable-infra/provider-dcs',
      version: '0.2.0',
      coreRange: '>=0.1.0 <0.3.0',
      capiContracts: ['v1beta1', 'v1beta2'],
      kubernetesVersions: ['1.34', '1.35'],
      verifications: [run('0.1.0'), run('0.2.0')],
    },
    {
      name: 'hcs',
      package: '@immutable-infra/provider-hcs',
      version: '0.1.0',
      coreRange: '>=0.1.0 <0.3.0',
      capiContracts: ['v1beta2'],
      kubernetesVersions: ['1.35'],
      verifications: [run('0.2.0', 'failed')],
    },
  ],
};

describe('checkPlatformUpgrade', () => {
  it('names the smallest verified upgrade for a provider whose core range excludes the target', () => {
    const report = checkPlatformUpgrade(matrix, '4.4.0', [{ name: 'dcs', version: '0.1.0' }]);
    expect(report.ok).toBe(false);
    expect(report.providers[0]).toMatchObject({
      provider: 'dcs',
      status: 'incompatible',
      upgradeTo: '0.2.0',
    });
    expect(report.providers[0]?.reasons.join('\n')).toContain('supports core ^0.1.0, but core is 0.2.0');
  });

  it('is ok only when every provider has a passing run with the platform core', () => {
    const report = checkPlatformUpgrade(matrix, '4.4.0', [
      { name: '@immutable-infra/provider-dcs', version: '0.2.0' },
    ]);
    expect(report.ok).toBe(true);
    expect(report.providers[0]).toMatchObject({ provider: 'dcs', status: 'compatible' });
    expect(report.providers[0]?.upgradeTo).toBeUndefined();
  });

  it('says what the conformance suite said in the run, and takes a failed suite for no proof', () => {
    const withSuite = (result: 'passed' | 'failed'): CompatMatrix => ({
      ...matrix,
      providers: matrix.providers.map((record) => ({
        ...record,
        verifications: record.verifications.map((v) => ({
          ...v,
          conformance:
            result === 'passed'
              ? { result, passed: 12, failed: 0, skipped: 1 }
              : {
                  result,
                  passed: 11,
                  failed: 2,
                  skipped: 0,
                  failedChecks: ['machine.kills', 'crds.generated'],
                },
        })),
      })),
    });
    const dcs = [{ name: 'dcs', version: '0.2.0' }];
    const passed = checkPlatformUpgrade(withSuite('passed'), '4.4.0', dcs);
    expect(passed.providers[0]?.status).toBe('compatible');
    expect(passed.providers[0]?.reasons.at(-1)).toBe(
      'contract tests passed with core 0.2.0 (7 tests, 2026-11-24); conformance suite passed (12 checks, 1 skipped)',
    );
    const failed = checkPlatformUpgrade(withSuite('failed'), '4.4.0', dcs);
    expect(failed.ok).toBe(false);
    expect(failed.providers[0]?.status).toBe('incompatible');
    expect(failed.providers[0]?.reasons).toEqual([
      'dcs@0.2.0 failed the conformance suite with core 0.2.0 (machine.kills, crds.generated, 2026-11-24)',
      // Nor is any other version a way out: its runs are just as unproven.
      'no version of dcs in the matrix is verified on platform 4.4.0',
    ]);
  });

  it('reports a failed contract-test run as incompatible and a missing run as unverified', () => {
    const failed = checkPlatformUpgrade(matrix, '4.4.0', [{ name: 'hcs', version: '0.1.0' }]);
    expect(failed.providers[0]?.status).toBe('incompatible');
    expect(failed.providers[0]?.reasons[0]).toContain('failed its contract tests with core 0.2.0');
    const unverified = checkPlatformUpgrade(matrix, '4.3.0', [{ name: 'hcs', version: '0.1.0' }]);
    expect(unverified.providers[0]?.status).toBe('incompatible'); // no shared Kubernetes version with 4.3
    const unknown = checkPlatformUpgrade(matrix, '4.4.0', [{ name: 'dcs', version: '0.9.0' }]);
    expect(unknown.providers[0]).toMatchObject({ status: 'unverified' });
    expect(unknown.ok).toBe(false);
  });

  it('maps a patch release to its release line and says so', () => {
    expect(findPlatformRelease(matrix, '4.4.2')?.release.version).toBe('4.4.0');
    const report = checkPlatformUpgrade(matrix, '4.4.2', [{ name: 'dcs', version: '0.2.0' }]);
    expect(report.notes[0]).toContain('using its release line 4.4.0');
    expect(report.ok).toBe(true);
    expect(checkPlatformUpgrade(matrix, '5.0.0', []).ok).toBe(false);
  });
});

describe('parseCompatMatrix', () => {
  it('collects every problem with its path', () => {
    const result = parseCompatMatrix({
      platformReleases: [
        { version: 'four', coreVersion: '0.1.0', kubernetesVersions: ['1.35'], capiContract: 'v1' },
      ],
      providers: [{ ...matrix.providers[0], coreRange: 'not a range' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'platformReleases.0.version',
        'platformReleases.0.capiContract',
        'providers.0.coreRange',
      ]),
    );
  });

  it('rejects a provider version listed twice', () => {
    const result = parseCompatMatrix({ ...matrix, providers: [matrix.providers[0], matrix.providers[0]] });
    expect(result.ok).toBe(false);
  });
});
