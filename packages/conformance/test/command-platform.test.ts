// \`iinfra-conformance --platform\`: the package checks, then the platform checks through an adapter
// module against the run's API server, machine.kills with the provider package's entry as the host.
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { ConformanceReportSchema, PACKAGE_CHECKS, PLATFORM_CHECKS } from '../src/index.js';
import { CLI_CLOUD, type CliCloud } from './cli-adapter.js';
import { fixtureProject, PROVIDER, runCommand as run } from './fixture-project.js';
import { serveCloud } from './http-cloud.js';
import { FixtureCloud } from './platform-fixture.js';

// The names themselves are pinned in command.test.ts; here they only need to come first.
const CHECKS = Object.keys(PACKAGE_CHECKS);

describe('iinfra-conformance --platform', () => {
  it('runs the platform checks after the package checks through the adapter module, machine.kills with the package as its host', async () => {
    const cloud = new FixtureCloud();
    const served = await serveCloud(cloud);
    const shared: CliCloud = { cloud, url: served.url, closed: false };
    (globalThis as { [CLI_CLOUD]?: CliCloud })[CLI_CLOUD] = shared;
    // The package's entry: the fixture provider on the served cloud, here and in the host processes.
    process.env.FIXTURE_CLOUD_URL = served.url;
    const hostProvider = JSON.stringify(new URL('./host-provider.ts', import.meta.url).href);
    try {
      const { project } = await fixtureProject(
        `import hostProvider from ${hostProvider};\nexport default hostProvider();\n`,
      );
      const adapter = fileURLToPath(new URL('./cli-adapter.ts', import.meta.url));
      const argv = [
        '--provider',
        PROVIDER,
        '--platform',
        adapter,
        '--kubeconfig',
        inject('iinfraKubeconfigPath'),
      ];
      const { code, stdout, stderr } = await run([...argv, '--json'], project);
      expect(stderr).toBe('');
      const report = ConformanceReportSchema.parse(JSON.parse(stdout));
      expect(report.checks.map((c) => c.name)).toEqual([...CHECKS, ...Object.keys(PLATFORM_CHECKS)]);
      expect(report.checks.filter((c) => c.status !== 'passed')).toEqual([]);
      expect(code).toBe(0);
      expect(shared.closed, 'the adapter module was closed').toBe(true);
      expect(cloud.machines.size, 'nothing left on the cloud').toBe(0);
    } finally {
      delete process.env.FIXTURE_CLOUD_URL;
      delete (globalThis as { [CLI_CLOUD]?: CliCloud })[CLI_CLOUD];
      await served.close();
    }
  }, 300_000);
});
