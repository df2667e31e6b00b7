import semver from 'semver';
import { z } from 'zod';
import { checkProviderOnPlatform } from './compatibility.js';
import {
  type CompatMatrix,
  findPlatformRelease,
  OsImageFormatSchema,
  PlatformReleaseSchema,
  type ProviderVersionRecord,
  toPlatformRelease,
  toProviderCompatibility,
  type Verification,
} from './matrix.js';

export const ProviderVerdictSchema = z
  .object({
    provider: z.string(),
    version: z.string(),
    /** `compatible` only when declared compatible AND a passing contract-test run with the platform's core is recorded. */
    status: z.enum(['compatible', 'incompatible', 'unverified']),
    reasons: z.array(z.string()).min(1),
    /** The smallest provider version, not lower than the current one, that is verified compatible. */
    upgradeTo: z.string().optional(),
    /** The OS image the provider's machines boot on that platform: the release's Alauda OS image in the provider's format. */
    osImage: z.object({ platformRelease: z.string(), format: OsImageFormatSchema }).strict().optional(),
  })
  .strict();

export const CompatCheckReportSchema = z
  .object({
    platform: z.string(),
    platformRelease: PlatformReleaseSchema.optional(),
    notes: z.array(z.string()),
    ok: z.boolean(),
    providers: z.array(ProviderVerdictSchema),
  })
  .strict();

export type ProviderVerdict = z.infer<typeof ProviderVerdictSchema>;
export type CompatCheckReport = z.infer<typeof CompatCheckReportSchema>;

export interface InstalledProvider {
  /** Short name (`dcs`) or package name (`@immutable-infra/provider-dcs`). */
  name: string;
  version: string;
}

/** The record of one provider version, found by short or package name. */
export function findProviderRecord(
  matrix: CompatMatrix,
  name: string,
  version?: string,
): ProviderVersionRecord | undefined {
  return matrix.providers.find(
    (record) =>
      (record.name === name || record.package === name) &&
      (version === undefined || record.version === version),
  );
}

function passingRun(record: ProviderVersionRecord, coreVersion: string): Verification | undefined {
  return record.verifications.find((v) => v.coreVersion === coreVersion && v.result === 'passed');
}

function failingRun(record: ProviderVersionRecord, coreVersion: string): Verification | undefined {
  return record.verifications.find((v) => v.coreVersion === coreVersion && v.result === 'failed');
}

type Judgement = Pick<ProviderVerdict, 'status' | 'reasons'>;

function judge(record: ProviderVersionRecord, matrix: CompatMatrix, platformVersion: string): Judgement {
  const found = findPlatformRelease(matrix, platformVersion);
  if (!found) return { status: 'unverified', reasons: [`platform ${platformVersion} is not in the matrix`] };
  const release = found.release;
  const declared = checkProviderOnPlatform(
    toProviderCompatibility(record),
    toPlatformRelease(release),
    matrix.providerRules ?? [],
  );
  const label = `${record.name}@${record.version}`;
  if (!declared.compatible) return { status: 'incompatible', reasons: declared.reasons };
  const failure = failingRun(record, release.coreVersion);
  const pass = passingRun(record, release.coreVersion);
  if (pass?.conformance?.result === 'failed') {
    // A run whose conformance suite failed proves nothing, whatever its own tests said.
    return {
      status: 'incompatible',
      reasons: [
        `${label} failed the conformance suite with core ${release.coreVersion} (${(pass.conformance.failedChecks ?? []).join(', ') || `${pass.conformance.failed} checks`}, ${pass.date})`,
      ],
    };
  }
  if (pass) {
    const conformance = pass.conformance
      ? `; conformance suite passed (${pass.conformance.passed} checks${pass.conformance.skipped > 0 ? `, ${pass.conformance.skipped} skipped` : ''})`
      : '';
    return {
      status: 'compatible',
      reasons: [
        ...declared.reasons,
        `contract tests passed with core ${release.coreVersion} (${pass.tests.passed} tests, ${pass.date})${conformance}`,
      ],
    };
  }
  if (failure) {
    return {
      status: 'incompatible',
      reasons: [
        `${label} failed its contract tests with core ${release.coreVersion} (${failure.tests.failed} failed, ${failure.date})`,
      ],
    };
  }
  return {
    status: 'unverified',
    reasons: [
      ...declared.reasons,
      `${label} declares core ${record.coreRange}, but no contract-test run with core ${release.coreVersion} is recorded`,
    ],
  };
}

/**
 * Answers "can the platform be upgraded to `platformVersion` with these
 * providers?" from the matrix alone (works offline). Each provider gets a
 * status, the reasons, and the smallest verified upgrade when it needs one.
 */
export function checkPlatformUpgrade(
  matrix: CompatMatrix,
  platformVersion: string,
  installed: readonly InstalledProvider[],
): CompatCheckReport {
  const found = findPlatformRelease(matrix, platformVersion);
  const notes: string[] = [];
  if (found?.note) notes.push(found.note);
  if (!found) {
    const known = matrix.platformReleases.map((r) => r.version).join(', ');
    notes.push(`platform ${platformVersion} is not in the compatibility matrix (known: ${known})`);
  }
  const providers = installed.map((wanted): ProviderVerdict => {
    const record = findProviderRecord(matrix, wanted.name, wanted.version);
    const shortName = record?.name ?? findProviderRecord(matrix, wanted.name)?.name ?? wanted.name;
    const judgement: Judgement = record
      ? judge(record, matrix, platformVersion)
      : {
          status: 'unverified',
          reasons: [`${shortName}@${wanted.version} is not in the compatibility matrix`],
        };
    const verdict: ProviderVerdict = { provider: shortName, version: wanted.version, ...judgement };
    const format = matrix.osImageFormats?.[shortName];
    if (found && format) verdict.osImage = { platformRelease: found.release.version, format };
    if (judgement.status !== 'compatible' && found) {
      const upgrade = smallestVerifiedUpgrade(matrix, shortName, wanted.version, platformVersion);
      if (upgrade) {
        verdict.upgradeTo = upgrade.version;
        verdict.reasons.push(smallestUpgradeReason(shortName, upgrade.version, found.release.version));
      } else {
        verdict.reasons.push(
          `no version of ${shortName} in the matrix is verified on platform ${found.release.version}`,
        );
      }
    }
    return verdict;
  });
  return {
    platform: platformVersion,
    ...(found ? { platformRelease: found.release } : {}),
    notes,
    ok: found !== undefined && providers.every((p) => p.status === 'compatible'),
    providers,
  };
}

/** How a refusal names the way out; `iinfra provider install` refuses in the same words. */
export function smallestUpgradeReason(provider: string, version: string, platformRelease: string): string {
  return `upgrade to ${provider}@${version}, the smallest version verified on platform ${platformRelease}`;
}

/** The lowest version ≥ `current` of the named provider that is verified compatible with the platform. */
export function smallestVerifiedUpgrade(
  matrix: CompatMatrix,
  name: string,
  current: string,
  platformVersion: string,
): ProviderVersionRecord | undefined {
  return matrix.providers
    .filter((r) => r.name === name || r.package === name)
    .filter((r) => semver.valid(current) === null || semver.gte(r.version, current))
    .sort((a, b) => semver.compare(a.version, b.version))
    .find((r) => judge(r, matrix, platformVersion).status === 'compatible');
}
