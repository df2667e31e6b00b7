// The bare-metal provider's contract: only the published surface of the package (imported by its
// name) next to whichever @immutable-infra/core is installed, so the compatibility run can run it in
// a scratch project against every core in the provider's range. The local helpers (the adapter, the
// fixtures) travel with the test folder.
import { fileURLToPath } from 'node:url';
import { installedPackage, runPlatformChecks } from '@immutable-infra/conformance';
import { packageConformanceTest } from '@immutable-infra/conformance/vitest';
import { admitProvider } from '@immutable-infra/manager';
import baremetalProvider, { createBaremetalProvider } from '@immutable-infra/provider-baremetal';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaremetalFixtures } from '../baremetal-fixtures.ts';
import {
  type BaremetalAdapter,
  baremetalAdapter,
  HOSTS_PER_NAMESPACE,
  IMAGE,
  VERSION,
} from './baremetal-adapter.ts';

const installedCore = installedPackage('@immutable-infra/core', import.meta.url);
/** How often the provider looks at a running plan again: the simulated plans take 300 ms. */
const POLL_MS = 100;

let kubeConfig: KubeConfig;
let adapter: BaremetalAdapter | undefined;

beforeAll(() => {
  kubeConfig = testKubeConfig();
});

afterAll(() => adapter?.stop());

describe(`provider-baremetal contract with core ${installedCore.version}`, () => {
  packageConformanceTest({
    packageName: '@immutable-infra/provider-baremetal',
    provider: baremetalProvider,
    importMetaUrl: import.meta.url,
  });

  it('is refused by a host running a core outside its range, with the range named', () => {
    const range = baremetalProvider.manifest.coreRange;
    for (const outside of ['0.0.1', '99.0.0']) {
      const verdict = admitProvider(baremetalProvider, outside, 'v1beta2');
      expect(verdict.compatible, outside).toBe(false);
      expect(verdict.reasons.join('; ')).toContain(range);
    }
  });

  // The conformance suite's platform checks, each in a namespace and a manager of its own, with the
  // simulated host fleet as the platform (see baremetal-adapter.ts for what a platform machine,
  // deleting one out of band and a trace are on bare metal); for machine.kills the host runs the
  // installed package in processes the suite SIGKILLs (baremetal-host-provider.ts).
  it('passes every platform check of the conformance suite against the simulated hosts', async () => {
    // The image catalog, where the provider's pod would find it (POD_NAMESPACE).
    const catalogNamespace = await createTestNamespace(kubeConfig, 'baremetal-catalog');
    const fixtures = new BaremetalFixtures(kubeConfig);
    await fixtures.imageCatalog(catalogNamespace, { [VERSION]: IMAGE });
    adapter = baremetalAdapter(kubeConfig, fixtures);
    const checks = await runPlatformChecks({
      provider: createBaremetalProvider({
        imageCatalogNamespace: catalogNamespace,
        pollMs: POLL_MS,
        poolRecheckMs: POLL_MS * 2,
      }),
      adapter,
      kubeConfig,
      namespacePrefix: 'bm-conf',
      timeoutMs: 60_000,
      hostProcess: {
        providerModule: fileURLToPath(new URL('./baremetal-host-provider.ts', import.meta.url)),
        env: { POD_NAMESPACE: catalogNamespace, BAREMETAL_POLL_MS: String(POLL_MS) },
        machines: HOSTS_PER_NAMESPACE,
      },
    });
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.map((c) => c.name)).toContain('machine.kills');
  }, 600_000);
});
