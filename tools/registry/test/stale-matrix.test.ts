import { describe, expect, it } from 'vitest';
import { coreVersionsToVerify, type MatrixDocument, staleMatrixProblems } from '../src/compat-matrix-file.ts';
import type { WorkspacePackage } from '../src/workspace-packages.ts';

const provider = (coreRange: string, kubernetesVersions = ['1.34', '1.35']): WorkspacePackage => ({
  name: '@immutable-infra/provider-dcs',
  version: '0.2.0',
  dir: '/repo/providers/dcs',
  private: false,
  manifest: {
    peerDependencies: { '@immutable-infra/core': coreRange },
    immutableInfra: { provider: 'dcs', capiContracts: ['v1beta2'], kubernetesVersions },
  },
});

const run = (coreVersion: string) => ({
  coreVersion,
  coreSource: 'registry' as const,
  result: 'passed' as const,
  date: '2026-11-24',
  tests: { passed: 3, failed: 0 },
});

const matrix: MatrixDocument = {
  platformReleases: [
    { version: '4.4.0', coreVersion: '0.2.0', kubernetesVersions: ['1.35'], capiContract: 'v1beta2' },
  ],
  providers: [
    {
      name: 'dcs',
      package: '@immutable-infra/provider-dcs',
      version: '0.2.0',
      coreRange: '>=0.1.0 <0.3.0',
      capiContracts: ['v1beta2'],
      kubernetesVersions: ['1.34', '1.35'],
      verifications: [run('0.1.0'), run('0.2.0')],
    },
  ],
};

describe('the stale-matrix check CI runs', () => {
  it('passes when every core version in range has a run', () => {
    expect(staleMatrixProblems(matrix, [provider('>=0.1.0 <0.3.0')], ['0.1.0'], '0.2.0')).toEqual([]);
  });

  it('fails when a core range is edited without rerunning the matrix', () => {
    const problems = staleMatrixProblems(matrix, [provider('>=0.2.0 <0.4.0')], ['0.1.0'], '0.2.0');
    expect(problems).toContain(
      'dcs@0.2.0: coreRange is ">=0.2.0 <0.4.0" in package.json but ">=0.1.0 <0.3.0" in the matrix',
    );
    expect(problems).toContain('dcs@0.2.0: a run with core 0.1.0, which is outside >=0.2.0 <0.4.0');
  });

  it('fails when a new core release in range has no run, or the Kubernetes versions changed', () => {
    const problems = staleMatrixProblems(
      matrix,
      [provider('>=0.1.0 <0.4.0', ['1.35'])],
      ['0.1.0', '0.2.0'],
      '0.3.0',
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'dcs@0.2.0: no contract-test run with core 0.3.0',
        'dcs@0.2.0: kubernetesVersions is ["1.35"] in package.json but ["1.34","1.35"] in the matrix',
      ]),
    );
  });

  it('fails when a provider version has no entry at all', () => {
    const bumped = { ...provider('>=0.1.0 <0.3.0'), version: '0.3.0' };
    expect(staleMatrixProblems(matrix, [bumped], ['0.1.0'], '0.2.0')).toEqual(['dcs@0.3.0 has no entry']);
  });

  it('verifies released cores and the workspace core that fall inside the range', () => {
    expect(coreVersionsToVerify('>=0.1.0 <0.3.0', ['0.1.0', '0.2.0'], '0.2.0')).toEqual(['0.1.0', '0.2.0']);
    expect(coreVersionsToVerify('^0.2.0', ['0.1.0'], '0.2.0')).toEqual(['0.2.0']);
  });
});
