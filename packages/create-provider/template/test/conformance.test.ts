// The conformance suite of @immutable-infra/conformance: the package checks (manifest, core range,
// admission by the host, generated CRDs and their contract labels, clusterctl metadata) and the
// platform checks, which run the provider in the real host against the simulator. For
// machine.kills the host runs the built provider (dist/, `npm run build` first) in processes the suite
// SIGKILLs at random points.
import { fileURLToPath } from 'node:url';
import { runPlatformChecks } from '@immutable-infra/conformance';
import { packageConformanceTest } from '@immutable-infra/conformance/vitest';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeProvider } from '../src/index.js';
import { platformAdapter } from './acme-adapter.js';
import { AcmeFixtures } from './fixtures.js';
import { type AcmeSimulator, startAcmeSimulator } from './simulator.js';

// Quick polls and a short listing lag: the simulator answers at once.
const provider = createAcmeProvider({ pollMs: 250, listingLagMs: 2_000 });
let sim: AcmeSimulator;

beforeAll(async () => {
  sim = await startAcmeSimulator();
});

afterAll(async () => {
  await sim?.close();
});

describe('{{packageName}} conformance', () => {
  packageConformanceTest({ packageName: '{{packageName}}', provider, importMetaUrl: import.meta.url });

  it('passes every platform check against the simulator', async () => {
    const kubeConfig = testKubeConfig();
    const checks = await runPlatformChecks({
      provider,
      adapter: platformAdapter(new AcmeFixtures(kubeConfig, sim), sim),
      kubeConfig,
      namespacePrefix: 'acme-conf',
      timeoutMs: 60_000,
      hostProcess: { providerModule: fileURLToPath(new URL('../dist/index.js', import.meta.url)) },
    });
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
  }, 600_000);
});
