import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe } from 'vitest';
import { installedPackage } from '../src/index.js';
import { packageConformanceTest } from '../src/vitest.js';
import { fixturePackage, fixtureProvider } from './fixture-provider.js';

// A project with the fixture provider and the workspace's core installed, and a test file's URL in it:
// the helper resolves both from there, as a provider's contract test resolves its own.
const project = mkdtempSync(join(tmpdir(), 'iinfra-conformance-vitest-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
const provider = fixtureProvider();
fixturePackage(provider, join(project, 'node_modules', '@example', 'provider-fixture'));
mkdirSync(join(project, 'node_modules', '@immutable-infra'));
symlinkSync(
  installedPackage('@immutable-infra/core', import.meta.url).dir,
  join(project, 'node_modules', '@immutable-infra', 'core'),
  'dir',
);
writeFileSync(join(project, 'contract.test.js'), '');

describe('packageConformanceTest', () => {
  packageConformanceTest({
    packageName: '@example/provider-fixture',
    provider,
    importMetaUrl: pathToFileURL(join(project, 'contract.test.js')),
    title: 'declares a test that the fixture provider passes',
  });
});

// The title it gives by default is the one the providers' contract tests had.
describe('packageConformanceTest, by default', () => {
  packageConformanceTest({
    packageName: '@example/provider-fixture',
    provider,
    importMetaUrl: pathToFileURL(join(project, 'contract.test.js')).href,
  });
});
