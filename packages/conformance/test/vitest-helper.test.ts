import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_RECORD_VARIABLE, installedPackage, PACKAGE_CHECKS } from '../src/index.js';
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
// As the compatibility matrix's run names it, so the checks are recorded there too.
const record = join(project, 'checks.jsonl');
process.env[CONFORMANCE_RECORD_VARIABLE] = record;
afterAll(() => {
  delete process.env[CONFORMANCE_RECORD_VARIABLE];
});

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

describe('the record file', () => {
  it('holds every package check of both tests above, one JSON line each, as each passed', () => {
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    const checks = lines.map((line) => JSON.parse(line) as { name: string; status: string });
    const names = Object.keys(PACKAGE_CHECKS);
    expect(checks.map((c) => c.name)).toEqual([...names, ...names]);
    expect(new Set(checks.map((c) => c.status))).toEqual(new Set(['passed']));
  });
});
