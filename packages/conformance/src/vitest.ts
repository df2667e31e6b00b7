/**
 * `@immutable-infra/conformance/vitest`: the package checks as one vitest test, for a provider's
 * contract tests (which run against every core in the provider's range). Needs vitest, an optional
 * peer dependency of this package.
 */
import type { CapiContractVersion, Provider } from '@immutable-infra/core';
import { runningCoreVersion } from '@immutable-infra/manager';
import { expect, it } from 'vitest';
import { recordChecks } from './check-record.js';
import { installedPackage } from './installed-package.js';
import { checkProviderPackage, markdownReport } from './package-checks.js';

export interface PackageConformanceTestOptions {
  /** The provider's package name, resolved from the test file like its imports are. */
  packageName: string;
  /** The package's default export, imported by the test by its package name. */
  provider: Provider;
  /** The test file's `import.meta.url`: where the provider package and the core are resolved from. */
  importMetaUrl: string | URL;
  /** The management cluster's Cluster API contract; `v1beta2` by default. */
  contract?: CapiContractVersion;
  /** The test's title; by default it names the checks. */
  title?: string;
}

/**
 * Declares one test (inside a `describe`, or at the top of a test file) that the host runs the
 * installed `@immutable-infra/core` and that the provider package passes every package check with
 * it; a failing test's message is the Markdown report, naming each check that did not pass.
 */
export function packageConformanceTest(options: PackageConformanceTestOptions): void {
  const title =
    options.title ??
    'passes the conformance package checks with this core: manifest, admission, generated CRDs with their contract labels, clusterctl metadata';
  it(title, () => {
    const packageDir = installedPackage(options.packageName, options.importMetaUrl).dir;
    const core = installedPackage('@immutable-infra/core', options.importMetaUrl);
    // The manager (the host) must run the core the provider resolves, or the checks would judge
    // the provider against a core the host does not run.
    expect(runningCoreVersion(), 'the core the host runs').toBe(core.version);
    const report = checkProviderPackage({
      packageDir,
      provider: options.provider,
      coreVersion: core.version,
      ...(options.contract !== undefined && { contract: options.contract }),
    });
    recordChecks(report.checks);
    expect(
      report.checks.filter((check) => check.status !== 'passed'),
      markdownReport(report),
    ).toEqual([]);
  });
}
