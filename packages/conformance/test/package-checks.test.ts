import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkProviderPackage, conforms, markdownReport } from '../src/index.js';
import { PACKAGE_CHECKS } from '../src/package-checks.js';
import { fixturePackage, fixtureProvider } from './fixture-provider.js';

const CORE = '0.5.0';
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function packageOf(provider = fixtureProvider()) {
  const dir = fixturePackage(provider);
  made.push(dir);
  return { provider, dir };
}

const statuses = (report: ReturnType<typeof checkProviderPackage>) =>
  Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
const why = (report: ReturnType<typeof checkProviderPackage>, name: string) =>
  report.checks.find((c) => c.name === name)?.why;

describe('the package checks', () => {
  it('pass for a provider that ships what it declares and what the core generates', () => {
    const { provider, dir } = packageOf();
    const report = checkProviderPackage({ packageDir: dir, provider, coreVersion: CORE });
    expect(statuses(report)).toEqual({
      'manifest.matches-package': 'passed',
      'manifest.core-in-range': 'passed',
      'host.admits': 'passed',
      'crds.generated': 'passed',
      'crds.contract-labels': 'passed',
      'clusterctl.metadata': 'passed',
    });
    expect(report.checks.map((check) => check.name)).toEqual(Object.keys(PACKAGE_CHECKS));
    expect(conforms(report)).toBe(true);
    expect(markdownReport(report)).toContain('Core 0.5.0, Cluster API contract v1beta2: conforms.');
  });

  it('name what broke: a core outside the range, a hand-edited CRD, a missing contract label, metadata of another version', () => {
    const { provider, dir } = packageOf(fixtureProvider({ coreRange: '>=0.4.0 <0.5.0' }));
    const crdFile = join(dir, 'crds', 'fixturemachines.infrastructure.cluster.x-k8s.io.yaml');
    const crd = parse(readFileSync(crdFile, 'utf8'));
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.extra = { type: 'string' };
    delete crd.metadata.labels['cluster.x-k8s.io/v1beta2'];
    writeFileSync(crdFile, stringify(crd));
    writeFileSync(
      join(dir, 'clusterctl', 'metadata.yaml'),
      stringify({ releaseSeries: [{ major: 0, minor: 2, contract: 'v1beta2' }] }),
    );
    const report = checkProviderPackage({ packageDir: dir, provider, coreVersion: CORE });
    expect(conforms(report)).toBe(false);
    expect(statuses(report)).toMatchObject({
      'manifest.matches-package': 'passed',
      'manifest.core-in-range': 'failed',
      'host.admits': 'failed',
      'crds.generated': 'failed',
      'clusterctl.metadata': 'failed',
    });
    expect(why(report, 'manifest.core-in-range')).toBe(
      'core 0.5.0 is outside the declared range >=0.4.0 <0.5.0',
    );
    expect(why(report, 'crds.generated')).toContain(
      'fixturemachines.infrastructure.cluster.x-k8s.io differs',
    );
    expect(why(report, 'clusterctl.metadata')).toBe('releaseSeries has no 0.3 for version 0.3.0');
    expect(markdownReport(report)).toContain('| `crds.generated` | **FAILED** |');
  });

  it('compare the provider with its package.json, and skip clusterctl when the package ships none', () => {
    const { provider, dir } = packageOf();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '0.3.1' }));
    rmSync(join(dir, 'clusterctl'), { recursive: true });
    const report = checkProviderPackage({ packageDir: dir, provider, coreVersion: CORE });
    expect(why(report, 'manifest.matches-package')).toBe('version 0.3.0 vs package.json 0.3.1');
    expect(report.checks.find((c) => c.name === 'clusterctl.metadata')).toEqual({
      name: 'clusterctl.metadata',
      status: 'skipped',
      why: 'the package ships no clusterctl/metadata.yaml',
    });
  });
});
