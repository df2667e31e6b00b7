import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConformanceCheck,
  ConformanceReportSchema,
  conformanceReport,
  conforms,
  KILLS_SKIPPED_WHY,
  markdownReport,
  PLATFORM_CHECKS,
  runPlatformChecks,
} from '../src/index.js';
import { fixturePackage } from './fixture-provider.js';
import { serveCloud } from './http-cloud.js';
import { cloudAdapter, cloudProvider, FixtureCloud, type Flaw } from './platform-fixture.js';

/** What a host process of `machine.kills` loads: the fixture provider on the test's cloud over HTTP. */
const HOST_PROVIDER = fileURLToPath(new URL('./host-provider.ts', import.meta.url));

let kubeConfig: KubeConfig;
beforeAll(() => {
  kubeConfig = testKubeConfig();
});

/** Each flawed provider fails exactly the checks of the promise it breaks. */
const expectations: [Flaw, string[]][] = [
  ['none', []],
  ['leaky', ['machine.delete-leaves-nothing']],
  ['drifting-id', ['machine.provider-id-stable']],
  ['eager', ['machine.finalizer-before-side-effect']],
  ['blind', ['machine.out-of-band-deletion']],
  ['addressless', ['machine.status-fields']],
  ['forgetful', ['machine.kills']],
  ['clinging', ['machine.delete-leaves-nothing']],
];

/** The flaws whose run kills host processes too; the others report `machine.kills` skipped. */
const KILLED: readonly Flaw[] = ['none', 'forgetful'];

const results = new Map<Flaw, ConformanceCheck[]>();

async function checksOf(flaw: Flaw): Promise<ConformanceCheck[]> {
  const cloud = new FixtureCloud();
  const served = await serveCloud(cloud);
  try {
    const checks = await runPlatformChecks({
      provider: cloudProvider(cloud, flaw),
      adapter: cloudAdapter(kubeConfig, cloud),
      kubeConfig,
      namespacePrefix: `conf-${flaw}`,
      // Longer for the host processes, which start (and load the provider) after each kill.
      timeoutMs: KILLED.includes(flaw) ? 30_000 : 15_000,
      observeMs: 2_000,
      ...(KILLED.includes(flaw)
        ? {
            hostProcess: {
              providerModule: HOST_PROVIDER,
              env: { FIXTURE_CLOUD_URL: served.url, FIXTURE_FLAW: flaw },
              spreadMs: 1_500,
            },
          }
        : {}),
    });
    results.set(flaw, checks);
    return checks;
  } finally {
    await served.close();
  }
}

describe('the platform checks', () => {
  for (const [flaw, expected] of expectations) {
    it(`${flaw === 'none' ? 'pass for a correct provider' : `fail ${expected.join(', ')} for a ${flaw} provider`}, naming every check`, async () => {
      const checks = await checksOf(flaw);
      expect(checks.map((c) => c.name)).toEqual(Object.keys(PLATFORM_CHECKS));
      const failed = checks.filter((c) => c.status === 'failed');
      expect(
        failed.map((c) => c.name),
        JSON.stringify(failed, null, 2),
      ).toEqual(expected);
      for (const check of failed) expect(check.why).toMatch(/expected/);
      const skipped = checks.filter((c) => c.status === 'skipped');
      if (KILLED.includes(flaw)) expect(skipped).toEqual([]);
      else expect(skipped).toEqual([{ name: 'machine.kills', status: 'skipped', why: KILLS_SKIPPED_WHY }]);
    }, 300_000);
  }

  it('say what differed: the leftover machine and trace, the providerIDs, the missing finalizer, the Ready machine with nothing behind it, the missing addresses, the duplicates after kills', () => {
    const why = (flaw: Flaw, name: string) => results.get(flaw)?.find((c) => c.name === name)?.why ?? '';
    expect(why('leaky', 'machine.delete-leaves-nothing')).toMatch(/left: machine-1/);
    // The adapter's traces count as leftovers: the machine went, its address stayed.
    expect(why('clinging', 'machine.delete-leaves-nothing')).toMatch(/left: an address held for machine-1$/);
    expect(why('drifting-id', 'machine.provider-id-stable')).toMatch(
      /it went "fixture:\/\/\S+" → "fixture:\/\/\S+"/,
    );
    expect(why('eager', 'machine.finalizer-before-side-effect')).toMatch(
      /had no finalizer|did not exist yet/,
    );
    expect(why('blind', 'machine.out-of-band-deletion')).toMatch(/Ready True/);
    expect(why('addressless', 'machine.status-fields')).toBe(
      "once provisioned, status.addresses is empty, expected the machine's addresses",
    );
    expect(why('forgetful', 'machine.kills')).toMatch(
      /^after 3 SIGKILLs of the host while creating \(at [\d, ]+ ms after its controllers ran\), expected exactly 3 machines on the platform, one per infrastructure machine; found [4-9]/,
    );
  });

  it('see a machine made while the cluster should be paused: an adapter whose pause does nothing fails only machine.pause-honoured', async () => {
    const cloud = new FixtureCloud();
    const checks = await runPlatformChecks({
      provider: cloudProvider(cloud),
      adapter: { ...cloudAdapter(kubeConfig, cloud), pause: async () => undefined },
      kubeConfig,
      namespacePrefix: 'conf-nopause',
      timeoutMs: 15_000,
      observeMs: 2_000,
    });
    const failed = checks.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.name)).toEqual(['machine.pause-honoured']);
    expect(failed[0]?.why).toMatch(
      /expected nothing on the platform while paused; .* machine-1 \(.*\) appeared/,
    );
  });

  it('never throw: an adapter that cannot prepare fails every check with its message', async () => {
    const cloud = new FixtureCloud();
    const broken = new FixtureCloud();
    const adapter = cloudAdapter(kubeConfig, cloud);
    const checks = await runPlatformChecks({
      provider: cloudProvider(broken),
      adapter: { ...adapter, prepare: async () => Promise.reject(new Error('no credentials for the site')) },
      kubeConfig,
      namespacePrefix: 'conf-adapter',
      timeoutMs: 5_000,
      observeMs: 500,
    });
    // Every check but machine.kills, which has no host process to run here.
    expect(checks.filter((c) => c.status === 'failed')).toHaveLength(6);
    for (const check of checks.filter((c) => c.status === 'failed'))
      expect(check.why).toBe('the check could not run: no credentials for the site');
  });
});

describe('one report of package and platform checks', () => {
  const dir = fixturePackage(cloudProvider(new FixtureCloud()) as never);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the package checks, then the platform checks, in the report schema', () => {
    const platformChecks = results.get('leaky') ?? [];
    const provider = cloudProvider(new FixtureCloud());
    const report = conformanceReport({ packageDir: dir, provider, coreVersion: '0.5.0', platformChecks });
    expect(report.checks.map((c) => c.name)).toEqual([
      'manifest.matches-package',
      'manifest.core-in-range',
      'host.admits',
      'crds.generated',
      'crds.contract-labels',
      'clusterctl.metadata',
      ...Object.keys(PLATFORM_CHECKS),
    ]);
    expect(ConformanceReportSchema.parse(report)).toEqual(report);
    expect(conforms(report)).toBe(false);
    expect(markdownReport(report)).toContain('| `machine.delete-leaves-nothing` | **FAILED** |');
  });
});
