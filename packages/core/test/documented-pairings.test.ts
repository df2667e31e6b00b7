// Held examples of the pairing questions the product documentation answers (OS support matrix and
// its DCS provider pairing note), asked of the compatibility model. The first matrix uses the
// documentation's own version numbers; the last block asks the same questions of the matrix that
// ships with iinfra.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CompatMatrix,
  checkPlatformUpgrade,
  checkProviderRules,
  compatReportLines,
  findPlatformRelease,
  parseCompatMatrix,
} from '../src/index.js';

const proof = (coreVersion: string) => ({
  coreVersion,
  coreSource: 'registry' as const,
  result: 'passed' as const,
  date: '2026-06-30',
  tests: { passed: 4, failed: 0 },
});

const release = (version: string, coreVersion: string, kubernetes: string) => ({
  version,
  coreVersion,
  kubernetesVersions: [kubernetes],
  capiContract: 'v1beta2' as const,
});

const dcs = (version: string) => ({
  name: 'dcs',
  package: '@immutable-infra/provider-dcs',
  version,
  // The provider works with either core: only the documented rule tells the versions apart.
  coreRange: '>=1.0.0 <2.0.0',
  capiContracts: ['v1beta2' as const],
  kubernetesVersions: ['1.34', '1.35'],
  verifications: [proof('1.0.0'), proof('1.1.0')],
});

const documented: CompatMatrix = {
  platformReleases: [
    release('4.3.0', '1.0.0', '1.34'),
    release('4.3.1', '1.0.0', '1.34'),
    release('4.3.2', '1.0.0', '1.34'),
    release('4.4.0', '1.1.0', '1.35'),
  ],
  providerRules: [{ provider: 'dcs', fromPlatform: '4.3.2', minimumVersion: '1.0.21' }],
  osImageFormats: { dcs: 'qcow2' },
  providers: [dcs('1.0.16'), dcs('1.0.20'), dcs('1.0.21'), dcs('1.0.22')],
};

describe('the documented DCS pairing rule', () => {
  it('refuses to upgrade platform 4.3.1 to 4.3.2 with DCS 1.0.20 and names 1.0.21 as the smallest upgrade', () => {
    const report = checkPlatformUpgrade(documented, '4.3.2', [{ name: 'dcs', version: '1.0.20' }]);
    expect(report.ok).toBe(false);
    expect(report.providers[0]).toMatchObject({ status: 'incompatible', upgradeTo: '1.0.21' });
    expect(report.providers[0]?.reasons).toEqual([
      'from platform 4.3.2, the dcs provider must be at least 1.0.21, and never below; dcs@1.0.20 is below it',
      'upgrade to dcs@1.0.21, the smallest version verified on platform 4.3.2',
    ]);
    expect(compatReportLines(report).at(-1)).toBe(
      'result: NOT ready for platform 4.3.2; upgrade dcs@1.0.21 first',
    );
  });

  it('applies to every later release, 4.4.0 included, and to a patch not listed yet', () => {
    for (const platform of ['4.4.0', '4.3.5']) {
      const report = checkPlatformUpgrade(documented, platform, [{ name: 'dcs', version: '1.0.16' }]);
      expect(report.providers[0]).toMatchObject({ status: 'incompatible', upgradeTo: '1.0.21' });
    }
    const report = checkPlatformUpgrade(documented, '4.4.0', [{ name: 'dcs', version: '1.0.21' }]);
    expect(report.ok).toBe(true);
    expect(report.providers[0]?.reasons).toContain(
      'dcs@1.0.21 meets the rule that from platform 4.3.2 the dcs provider must be at least 1.0.21',
    );
    expect(report.providers[0]?.osImage).toEqual({ platformRelease: '4.4.0', format: 'qcow2' });
  });

  it('refuses DCS 1.0.21 or later on a platform before 4.3.2, and keeps older providers there', () => {
    for (const version of ['1.0.21', '1.0.22']) {
      const report = checkPlatformUpgrade(documented, '4.3.1', [{ name: 'dcs', version }]);
      expect(report.providers[0]?.status).toBe('incompatible');
      expect(report.providers[0]?.reasons[0]).toBe(
        `dcs provider 1.0.21 and later must not be paired with a platform before 4.3.2; dcs@${version} is 1.0.21 or later and platform is 4.3.1`,
      );
    }
    const report = checkPlatformUpgrade(documented, '4.3.1', [{ name: 'dcs', version: '1.0.20' }]);
    expect(report.ok).toBe(true);
    expect(report.providers[0]?.reasons).toContain(
      'dcs@1.0.20 is below 1.0.21, as platforms before 4.3.2 require',
    );
  });

  it('judges only the provider the rule names', () => {
    expect(
      checkProviderRules({ name: 'hcs', version: '0.1.0' }, '4.4.0', documented.providerRules ?? []),
    ).toEqual({
      compatible: true,
      reasons: [],
    });
  });
});

describe('parseCompatMatrix with the documented fields', () => {
  it('collects a component build outside the release, an unknown rule provider and a repeated rule', () => {
    const result = parseCompatMatrix({
      ...documented,
      platformReleases: [
        {
          ...release('4.3.2', '1.0.0', '1.34'),
          components: {
            kubernetes: 'v1.35.6-acp.1',
            containerd: '2.2.1-5',
            coredns: '1.14.2-v4.3.11',
            etcd: 'v3.5.28-260625',
            pause: '3.10',
            kubeOvnChart: 'v4.3.11',
          },
        },
      ],
      providerRules: [
        { provider: 'dcs', fromPlatform: '4.3.2', minimumVersion: '1.0.21' },
        { provider: 'dcs', fromPlatform: '4.3.2', minimumVersion: '1.0.22' },
        { provider: 'bare-metal', fromPlatform: '4.4.0', minimumVersion: '1.0.0' },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: 'platformReleases.0.components.kubernetes',
        message: "Kubernetes v1.35.6-acp.1 is not one of the release's versions 1.34",
      },
      { path: 'providerRules.1', message: 'a rule for dcs from platform 4.3.2 is listed twice' },
      { path: 'providerRules.2.provider', message: 'no provider "bare-metal" in the matrix' },
    ]);
  });

  it('names the field of a bad rule or OS image format', () => {
    const result = parseCompatMatrix({
      ...documented,
      providerRules: [{ provider: 'dcs', fromPlatform: 'v4.3', minimumVersion: '1.0.21' }],
      osImageFormats: { dcs: 'vmdk' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual([
      'providerRules.0.fromPlatform',
      'osImageFormats.dcs',
    ]);
  });
});

describe('the matrix shipped with iinfra', () => {
  const parsed = parseCompatMatrix(
    JSON.parse(readFileSync(new URL('../../../compat-matrix.json', import.meta.url), 'utf8')),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const shipped = parsed.matrix;

  it('lists the documented releases at patch level with their Kubernetes versions', () => {
    expect(shipped.platformReleases.map((r) => r.version)).toEqual([
      '4.0.9',
      '4.0.10',
      '4.0.11',
      '4.1.0',
      '4.1.1',
      '4.1.2',
      '4.1.3',
      '4.1.5',
      '4.1.6',
      '4.2.0',
      '4.2.1',
      '4.2.2',
      '4.2.3',
      '4.2.4',
      '4.2.5',
      '4.3.0',
      '4.3.1',
      '4.3.2',
      '4.4.0',
    ]);
    for (const r of shipped.platformReleases)
      expect(r.kubernetesVersions).toEqual([`1.${31 + Number(r.version.split('.')[1])}`]);
    expect(findPlatformRelease(shipped, '4.3.2')?.release.components?.kubernetes).toBe('v1.34.5-3');
  });

  it('refuses DCS 0.5.0 from platform 4.3.2 on and names 0.6.0, though 0.5.0 was proven with that core', () => {
    const report = checkPlatformUpgrade(shipped, '4.3.2', [{ name: 'dcs', version: '0.5.0' }]);
    expect(report.providers[0]).toMatchObject({ status: 'incompatible', upgradeTo: '0.6.0' });
    expect(report.providers[0]?.reasons[0]).toBe(
      'from platform 4.3.2, the dcs provider must be at least 0.6.0, and never below; dcs@0.5.0 is below it',
    );
    expect(checkPlatformUpgrade(shipped, '4.3.1', [{ name: 'dcs', version: '0.5.0' }]).ok).toBe(true);
  });

  it('pairs HCS with real releases, each on a recorded passing run with the core the release ships', () => {
    const paired = shipped.platformReleases.flatMap((r) =>
      shipped.providers
        .filter((p) => p.name === 'hcs')
        .filter((p) => checkPlatformUpgrade(shipped, r.version, [p]).ok)
        .map((p) => `${p.version}@${r.version}`),
    );
    expect(paired).toContain('0.3.0@4.4.0');
    expect(paired).toContain('0.2.1@4.3.2');
    for (const pair of paired) {
      const [version, platform] = pair.split('@');
      const core = shipped.platformReleases.find((r) => r.version === platform)?.coreVersion;
      const record = shipped.providers.find((p) => p.name === 'hcs' && p.version === version);
      expect(record?.verifications.some((v) => v.coreVersion === core && v.result === 'passed')).toBe(true);
    }
  });

  it('upgrades an old DCS on 4.4.0 to the smallest version verified there', () => {
    const report = checkPlatformUpgrade(shipped, '4.4.0', [
      { name: 'dcs', version: '0.1.0' },
      { name: 'vsphere', version: '0.1.0' },
    ]);
    expect(report.providers.map((p) => [p.provider, p.status, p.upgradeTo])).toEqual([
      ['dcs', 'incompatible', '0.7.0'],
      ['vsphere', 'compatible', undefined],
    ]);
    expect(report.providers[1]?.osImage).toEqual({ platformRelease: '4.4.0', format: 'ova' });
  });
});
