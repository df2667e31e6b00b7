import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { repoRoot, type WorkspacePackage } from './workspace-packages.ts';

// The same shape as core's CompatMatrixSchema; tools/registry validates with core before writing.
export interface MatrixDocument {
  $schema?: string;
  platformReleases: {
    version: string;
    coreVersion: string;
    kubernetesVersions: string[];
    capiContract: string;
    components?: Record<string, string>;
  }[];
  /** Kept as written: the matrix run records proofs and never changes the documented pairing rules. */
  providerRules?: { provider: string; fromPlatform: string; minimumVersion: string }[];
  osImageFormats?: Record<string, string>;
  providers: ProviderRecord[];
}

export interface ProviderRecord {
  name: string;
  package: string;
  version: string;
  coreRange: string;
  capiContracts: string[];
  kubernetesVersions: string[];
  verifications: {
    coreVersion: string;
    coreSource: 'registry' | 'workspace';
    result: 'passed' | 'failed';
    date: string;
    tests: { passed: number; failed: number };
    conformance?: ConformanceSummary;
  }[];
}

/** The conformance suite's outcome in one run, as core's ConformanceSummarySchema describes it. */
export interface ConformanceSummary {
  result: 'passed' | 'failed';
  passed: number;
  failed: number;
  skipped: number;
  failedChecks?: string[];
}

export const matrixPath = join(repoRoot, 'compat-matrix.json');

export function readMatrix(path = matrixPath): MatrixDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as MatrixDocument;
}

export function writeMatrix(matrix: MatrixDocument, path = matrixPath): void {
  matrix.providers.sort((a, b) => a.name.localeCompare(b.name) || semver.compare(a.version, b.version));
  for (const record of matrix.providers)
    record.verifications.sort((a, b) => semver.compare(a.coreVersion, b.coreVersion));
  writeFileSync(path, `${JSON.stringify(matrix, null, 2)}\n`);
}

/** What a provider package declares, as the matrix records it. */
export function declaredRecord(pkg: WorkspacePackage): Omit<ProviderRecord, 'verifications'> {
  const meta = pkg.manifest.immutableInfra;
  const coreRange = pkg.manifest.peerDependencies?.['@immutable-infra/core'];
  if (!meta || !coreRange) {
    throw new Error(
      `${pkg.name}: package.json needs "immutableInfra" and a peerDependency on @immutable-infra/core`,
    );
  }
  return {
    name: meta.provider,
    package: pkg.name,
    version: pkg.version,
    coreRange,
    capiContracts: meta.capiContracts,
    kubernetesVersions: meta.kubernetesVersions,
  };
}

/** Core versions a provider must be verified with: released ones and the workspace one, inside its range. */
export function coreVersionsToVerify(
  coreRange: string,
  released: readonly string[],
  workspace: string,
): string[] {
  const all = [...new Set([...released, workspace])];
  return all.filter((v) => semver.satisfies(v, coreRange, { includePrerelease: true })).sort(semver.compare);
}

/**
 * Every way the checked-in matrix disagrees with what the workspace providers
 * declare now: a missing record, a changed range or version list, a core
 * version in range without a run, a run for a core outside the range.
 */
export function staleMatrixProblems(
  matrix: MatrixDocument,
  providers: readonly WorkspacePackage[],
  released: readonly string[],
  workspaceCore: string,
): string[] {
  const problems: string[] = [];
  for (const pkg of providers) {
    const declared = declaredRecord(pkg);
    const record = matrix.providers.find((r) => r.package === pkg.name && r.version === pkg.version);
    const label = `${declared.name}@${declared.version}`;
    if (!record) {
      problems.push(`${label} has no entry`);
      continue;
    }
    for (const field of ['coreRange', 'capiContracts', 'kubernetesVersions'] as const) {
      if (JSON.stringify(record[field]) !== JSON.stringify(declared[field])) {
        problems.push(
          `${label}: ${field} is ${JSON.stringify(declared[field])} in package.json but ${JSON.stringify(record[field])} in the matrix`,
        );
      }
    }
    const wanted = coreVersionsToVerify(declared.coreRange, released, workspaceCore);
    const ran = record.verifications.map((v) => v.coreVersion);
    for (const core of wanted)
      if (!ran.includes(core)) problems.push(`${label}: no contract-test run with core ${core}`);
    for (const core of ran)
      if (!wanted.includes(core))
        problems.push(`${label}: a run with core ${core}, which is outside ${declared.coreRange}`);
  }
  return problems;
}
