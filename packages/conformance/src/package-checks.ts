/**
 * The checks a provider package must pass before any platform is involved: what it declares, whether
 * a host with a given core admits it, and whether what it ships (CRDs, clusterctl metadata) is what
 * that core makes of its kinds. Every check is reported by name, passed, failed or skipped, with why,
 * so a third party's CI says which promise broke rather than only that something did.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CapiContractVersion,
  type CustomResourceDefinition,
  generateCrd,
  type Provider,
  providerKinds,
} from '@immutable-infra/core';
import { admitProvider } from '@immutable-infra/manager';
import semver from 'semver';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  CONFORMANCE_REPORT_SCHEMA_VERSION,
  type ConformanceCheck,
  type ConformanceReport,
} from './report.js';

export interface PackageCheckInput {
  /** The installed provider package's folder (where its package.json, crds/ and clusterctl/ are). */
  packageDir: string;
  /** Its default export. */
  provider: Provider;
  /** The core the host runs (the installed `@immutable-infra/core`'s version). */
  coreVersion: string;
  /** The Cluster API contract of the management cluster; `v1beta2` by default. */
  contract?: CapiContractVersion;
}

/** Every package check by name, in the order a report lists them, with what it holds the package to. */
export const PACKAGE_CHECKS: Readonly<Record<string, string>> = {
  'manifest.matches-package':
    "the provider's manifest (name, version, core range, platform, contracts, Kubernetes versions) says what its package.json says",
  'manifest.core-in-range': 'the core the host runs is inside the declared peer range',
  'host.admits': 'the manager running that core admits the provider for the contract',
  'crds.generated':
    "every CRD in crds/ for the provider's kinds is exactly what that core generates from them",
  'crds.contract-labels':
    'the infrastructure cluster, machine and machine template CRDs carry cluster.x-k8s.io/<contract> for every declared contract',
  'clusterctl.metadata':
    "clusterctl/metadata.yaml has a release series for the package's major.minor with a declared contract (skipped when absent)",
};

interface PackageJson {
  name?: string;
  version?: string;
  peerDependencies?: Record<string, string>;
  immutableInfra?: { platform?: string; capiContracts?: string[]; kubernetesVersions?: string[] };
}

const passed = (name: string): ConformanceCheck => ({ name, status: 'passed' });
const failed = (name: string, why: string): ConformanceCheck => ({ name, status: 'failed', why });
const skipped = (name: string, why: string): ConformanceCheck => ({ name, status: 'skipped', why });

/** Runs every package check; never throws for a broken package (a check fails instead). */
export function checkProviderPackage(input: PackageCheckInput): ConformanceReport {
  const contract = input.contract ?? 'v1beta2';
  const pkg = JSON.parse(readFileSync(join(input.packageDir, 'package.json'), 'utf8')) as PackageJson;
  const manifest = input.provider.manifest;
  return {
    schemaVersion: CONFORMANCE_REPORT_SCHEMA_VERSION,
    package: manifest.name,
    version: manifest.version,
    coreVersion: input.coreVersion,
    contract,
    checks: [
      manifestMatchesPackage(manifest, pkg),
      coreInRange(manifest.coreRange, input.coreVersion),
      hostAdmits(input.provider, input.coreVersion, contract),
      ...crdChecks(input.provider, input.packageDir),
      clusterctlMetadata(input.packageDir, manifest.version, manifest.capiContracts),
    ],
  };
}

/** The package checks plus checks run elsewhere (e.g. `runPlatformChecks`), for one report. */
export interface ConformanceReportInput extends PackageCheckInput {
  /** Appended after the package checks, in their order; usually what `runPlatformChecks` answered. */
  platformChecks?: readonly ConformanceCheck[];
}

/**
 * One report of a provider: every package check, then the platform checks it was given, so a CI reads
 * one document (and one `conforms`) for both.
 */
export function conformanceReport(input: ConformanceReportInput): ConformanceReport {
  const report = checkProviderPackage(input);
  return { ...report, checks: [...report.checks, ...(input.platformChecks ?? [])] };
}

/** Whether no check failed (skipped ones do not count against it). */
export function conforms(report: ConformanceReport): boolean {
  return report.checks.every((check) => check.status !== 'failed');
}

function manifestMatchesPackage(manifest: Provider['manifest'], pkg: PackageJson): ConformanceCheck {
  const name = 'manifest.matches-package';
  const declared = pkg.immutableInfra;
  const differences = [
    manifest.name !== pkg.name && `name ${manifest.name} vs package.json ${pkg.name}`,
    manifest.version !== pkg.version && `version ${manifest.version} vs package.json ${pkg.version}`,
    manifest.coreRange !== pkg.peerDependencies?.['@immutable-infra/core'] &&
      `core range ${manifest.coreRange} vs package.json peerDependencies ${pkg.peerDependencies?.['@immutable-infra/core']}`,
    !declared && 'package.json has no immutableInfra section',
    declared &&
      manifest.platform !== declared.platform &&
      `platform ${manifest.platform} vs package.json ${declared.platform}`,
    declared &&
      String(manifest.capiContracts) !== String(declared.capiContracts) &&
      `contracts ${manifest.capiContracts} vs package.json ${declared.capiContracts}`,
    declared &&
      String(manifest.kubernetesVersions) !== String(declared.kubernetesVersions) &&
      `Kubernetes versions ${manifest.kubernetesVersions} vs package.json ${declared.kubernetesVersions}`,
  ].filter((d): d is string => typeof d === 'string');
  return differences.length === 0 ? passed(name) : failed(name, differences.join('; '));
}

function coreInRange(range: string, coreVersion: string): ConformanceCheck {
  const name = 'manifest.core-in-range';
  if (!semver.validRange(range)) return failed(name, `core range ${range} is not a semver range`);
  return semver.satisfies(coreVersion, range)
    ? passed(name)
    : failed(name, `core ${coreVersion} is outside the declared range ${range}`);
}

function hostAdmits(
  provider: Provider,
  coreVersion: string,
  contract: CapiContractVersion,
): ConformanceCheck {
  const verdict = admitProvider(provider, coreVersion, contract);
  return verdict.compatible ? passed('host.admits') : failed('host.admits', verdict.reasons.join('; '));
}

function shippedCrds(packageDir: string): Map<string, CustomResourceDefinition> {
  const dir = join(packageDir, 'crds');
  const found = new Map<string, CustomResourceDefinition>();
  if (!existsSync(dir)) return found;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = document.toJSON() as CustomResourceDefinition | null;
      if (crd?.kind === 'CustomResourceDefinition') found.set(crd.metadata.name, crd);
    }
  }
  return found;
}

function crdChecks(provider: Provider, packageDir: string): ConformanceCheck[] {
  const shipped = shippedCrds(packageDir);
  const kinds = providerKinds(provider);
  const generated = kinds.map(
    (kind) => JSON.parse(JSON.stringify(generateCrd(kind))) as CustomResourceDefinition,
  );
  const differing = generated
    .filter((crd) => JSON.stringify(shipped.get(crd.metadata.name)) !== JSON.stringify(crd))
    .map((crd) =>
      shipped.has(crd.metadata.name) ? `${crd.metadata.name} differs` : `${crd.metadata.name} missing`,
    );
  // Cluster API finds an infrastructure kind's version for a contract through these labels.
  const contractKinds = generated.slice(0, 3);
  const unlabelled = contractKinds.flatMap((crd) =>
    provider.manifest.capiContracts
      .filter((contract) => !crd.metadata.labels?.[`cluster.x-k8s.io/${contract}`])
      .map((contract) => `${crd.metadata.name} has no cluster.x-k8s.io/${contract} label`),
  );
  return [
    differing.length === 0
      ? passed('crds.generated')
      : failed(
          'crds.generated',
          `the shipped crds/ are not what this core generates from the kinds: ${differing.join(', ')}`,
        ),
    unlabelled.length === 0
      ? passed('crds.contract-labels')
      : failed('crds.contract-labels', unlabelled.join('; ')),
  ];
}

function clusterctlMetadata(
  packageDir: string,
  version: string,
  contracts: readonly CapiContractVersion[],
): ConformanceCheck {
  const name = 'clusterctl.metadata';
  const file = join(packageDir, 'clusterctl', 'metadata.yaml');
  if (!existsSync(file)) return skipped(name, 'the package ships no clusterctl/metadata.yaml');
  const parsed = semver.parse(version);
  if (!parsed) return failed(name, `version ${version} is not semver`);
  const metadata = parseYaml(readFileSync(file, 'utf8')) as {
    releaseSeries?: { major?: number; minor?: number; contract?: string }[];
  };
  const series = metadata.releaseSeries?.find((s) => s.major === parsed.major && s.minor === parsed.minor);
  if (!series)
    return failed(name, `releaseSeries has no ${parsed.major}.${parsed.minor} for version ${version}`);
  return contracts.includes(series.contract as CapiContractVersion)
    ? passed(name)
    : failed(
        name,
        `release series ${parsed.major}.${parsed.minor} names contract ${series.contract}, not one of ${contracts.join(', ')}`,
      );
}

/** The report for a person: one line per check, failures with what differed. */
export function markdownReport(report: ConformanceReport): string {
  const mark = { passed: 'passed', failed: '**FAILED**', skipped: 'skipped' } as const;
  return [
    `# Conformance of ${report.package}@${report.version}`,
    '',
    `Core ${report.coreVersion}, Cluster API contract ${report.contract}: ${conforms(report) ? 'conforms' : 'does not conform'}.`,
    '',
    '| check | result | why |',
    '| --- | --- | --- |',
    ...report.checks.map((c) => `| \`${c.name}\` | ${mark[c.status]} | ${c.why ?? ''} |`),
    '',
  ].join('\n');
}
