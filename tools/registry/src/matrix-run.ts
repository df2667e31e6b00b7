import { rmSync } from 'node:fs';
import { parseCompatMatrix } from '@immutable-infra/core';
import {
  type ConformanceSummary,
  coreVersionsToVerify,
  declaredRecord,
  type ProviderRecord,
  readMatrix,
  writeMatrix,
} from './compat-matrix-file.ts';
import { runContractTests } from './contract-run.ts';
import { publishWorkspace } from './publish-workspace.ts';
import { readReleases } from './released-builds.ts';
import { startRegistry } from './verdaccio.ts';
import { type WorkspacePackage, workspacePackages } from './workspace-packages.ts';

export interface MatrixRunOptions {
  onProgress?: (message: string) => void;
  /** Only these providers (package names); all workspace providers by default. */
  only?: readonly string[];
}

export interface MatrixRunSummary {
  provider: string;
  version: string;
  coreVersion: string;
  result: 'passed' | 'failed';
  passed: number;
  failed: number;
  outputTail: string;
  conformance?: ConformanceSummary;
}

/**
 * The compatibility run: a fresh local registry with every released core
 * (rebuilt from its commit) and the workspace packages; for each workspace
 * provider and each core version in its range, the contract tests in a scratch
 * project; the results written into compat-matrix.json.
 */
export async function runCompatMatrix(options: MatrixRunOptions = {}): Promise<MatrixRunSummary[]> {
  const progress = options.onProgress ?? (() => {});
  const providers = workspacePackages().filter(
    (p) => p.dir.includes('/providers/') && !p.private && (!options.only || options.only.includes(p.name)),
  );
  const registry = await startRegistry();
  progress(`registry on ${registry.url}`);
  const summaries: MatrixRunSummary[] = [];
  const matrix = readMatrix();
  let packDir: string | undefined;
  try {
    const set = publishWorkspace(registry, progress);
    packDir = set.packDir;
    const date = new Date().toISOString().slice(0, 10);
    const targets: { provider: WorkspacePackage; declared: Omit<ProviderRecord, 'verifications'> }[] = [];
    for (const provider of providers) targets.push({ provider, declared: declaredRecord(provider) });
    // Released provider versions the matrix lists without any run yet: the current contract tests, run
    // against the released package, with the facts it declared when it was released.
    for (const release of readReleases().filter((r) => r.path.startsWith('providers/'))) {
      const workspace = providers.find((p) => p.name === release.name);
      const listed = matrix.providers.find(
        (r) => r.package === release.name && r.version === release.version,
      );
      if (!workspace || workspace.version === release.version || !listed || listed.verifications.length > 0)
        continue;
      const { verifications: _, ...declared } = listed;
      targets.push({ provider: { ...workspace, version: release.version }, declared });
    }
    for (const { provider, declared } of targets) {
      const record: ProviderRecord = { ...declared, verifications: [] };
      for (const coreVersion of coreVersionsToVerify(
        declared.coreRange,
        set.releasedCores,
        set.workspaceCore,
      )) {
        const run = runContractTests({
          provider,
          coreVersion,
          registry,
          // A released core runs with the host released beside it; the provider under test is the one named.
          published: new Map([
            ...set.published,
            ...[...(set.releasedWith.get(coreVersion) ?? [])].filter(([name]) => name !== provider.name),
          ]),
          tarballs: set.tarballs,
          onProgress: progress,
        });
        const result = run.failed === 0 && run.passed > 0 ? 'passed' : 'failed';
        const conformance = run.conformance
          ? `; conformance ${run.conformance.result} (${run.conformance.passed} passed, ${run.conformance.failed} failed, ${run.conformance.skipped} skipped)`
          : '; no conformance checks ran';
        progress(
          `${declared.name}@${declared.version} with core ${coreVersion}: ${result} (${run.passed} passed, ${run.failed} failed)${conformance}`,
        );
        record.verifications.push({
          coreVersion,
          coreSource: set.releasedCores.includes(coreVersion) ? 'registry' : 'workspace',
          result,
          date,
          tests: { passed: run.passed, failed: run.failed },
          ...(run.conformance && { conformance: run.conformance }),
        });
        summaries.push({ provider: declared.name, version: declared.version, coreVersion, result, ...run });
      }
      matrix.providers = matrix.providers.filter(
        (r) => !(r.package === record.package && r.version === record.version),
      );
      matrix.providers.push(record);
    }
  } finally {
    await registry.stop();
    // The registry's storage (every package published for the run) and the packed tarballs are this
    // run's alone: a run leaves nothing behind in the temporary directory.
    rmSync(registry.dir, { recursive: true, force: true });
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  }
  const parsed = parseCompatMatrix(matrix);
  if (!parsed.ok) {
    throw new Error(
      `the new matrix would be invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
  writeMatrix(matrix);
  return summaries;
}
