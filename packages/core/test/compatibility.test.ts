import { describe, expect, it } from 'vitest';
import {
  checkCore,
  checkProviderOnPlatform,
  type PlatformRelease,
  type ProviderCompatibility,
  smallestCompatibleUpgrade,
} from '../src/index.js';

const provider = (
  version: string,
  coreRange: string,
  kubernetesVersions: string[],
): ProviderCompatibility => ({
  name: '@immutable-infra/provider-dcs',
  version,
  coreRange,
  capiContracts: ['v1beta1', 'v1beta2'],
  kubernetesVersions,
});

const platform43: PlatformRelease = {
  version: '4.3.0',
  coreVersion: '1.2.0',
  kubernetesVersions: ['1.34'],
  capiContract: 'v1beta2',
};

describe('checkCore', () => {
  it('accepts a core inside the range and names both', () => {
    const verdict = checkCore(provider('1.0.0', '^1.0.0', ['1.34']), '1.2.0');
    expect(verdict).toEqual({
      compatible: true,
      reasons: ['@immutable-infra/provider-dcs@1.0.0 supports core 1.2.0 (range ^1.0.0)'],
    });
  });

  it('refuses a core outside the range and names both versions', () => {
    const verdict = checkCore(provider('1.0.0', '^1.0.0', ['1.34']), '2.0.0');
    expect(verdict.compatible).toBe(false);
    expect(verdict.reasons[0]).toBe(
      '@immutable-infra/provider-dcs@1.0.0 supports core ^1.0.0, but core is 2.0.0',
    );
  });

  it('says so when the core version is not semver', () => {
    expect(checkCore(provider('1.0.0', '^1.0.0', []), 'latest').reasons[0]).toMatch(/not a semantic version/);
  });
});

describe('checkProviderOnPlatform', () => {
  it('lists every failing dimension', () => {
    const verdict = checkProviderOnPlatform(
      { ...provider('1.0.0', '^1.0.0', ['1.32']), capiContracts: ['v1beta1'] },
      { ...platform43, coreVersion: '2.0.0' },
    );
    expect(verdict.compatible).toBe(false);
    expect(verdict.reasons).toHaveLength(3);
    expect(verdict.reasons[2]).toBe(
      'platform 4.3.0 ships Kubernetes 1.34, but @immutable-infra/provider-dcs@1.0.0 supports 1.32',
    );
  });

  it('passes when core, contract and Kubernetes all match', () => {
    expect(
      checkProviderOnPlatform(provider('1.1.0', '^1.0.0', ['1.33', '1.34']), platform43).compatible,
    ).toBe(true);
  });
});

describe('smallestCompatibleUpgrade', () => {
  const versions = [
    provider('1.0.0', '^1.0.0', ['1.32', '1.33']),
    provider('1.1.0', '^1.0.0', ['1.33', '1.34']),
    provider('1.2.0', '^1.0.0', ['1.34', '1.35']),
  ];

  it('finds the lowest version at or above the current one that works', () => {
    expect(smallestCompatibleUpgrade(versions, platform43, '1.0.0')?.version).toBe('1.1.0');
  });

  it('returns undefined when no version works', () => {
    expect(
      smallestCompatibleUpgrade(versions, { ...platform43, kubernetesVersions: ['1.36'] }),
    ).toBeUndefined();
  });
});
