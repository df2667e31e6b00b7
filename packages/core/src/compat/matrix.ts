import semver from 'semver';
import { z } from 'zod';
import { CAPI_CONTRACT_VERSIONS } from '../capi/contract.js';
import type { PlatformRelease, ProviderCompatibility } from './compatibility.js';

const KubernetesMinorSchema = z
  .string()
  .regex(/^1\.\d+$/, 'a Kubernetes minor version such as "1.35"')
  .describe('Kubernetes minor version');
const SemverSchema = z.string().refine((v) => semver.valid(v) !== null, 'a semantic version such as "0.2.0"');
const RangeSchema = z
  .string()
  .refine((v) => semver.validRange(v) !== null, 'a semver range such as ">=0.1.0 <0.3.0"');

/** What the Alauda OS image of a platform release contains, as the OS support matrix lists it per release. */
export const PlatformComponentsSchema = z
  .object({
    kubernetes: z
      .string()
      .regex(/^v1\.\d+\.\d+\S*$/, 'a Kubernetes build such as "v1.34.5-3"')
      .describe('Kubernetes build in the OS image, for example v1.34.5-3'),
    containerd: z.string().min(1),
    coredns: z.string().min(1).describe('CoreDNS image tag'),
    etcd: z.string().min(1).describe('etcd image tag'),
    pause: z.string().min(1),
    kubeOvnChart: z
      .string()
      .min(1)
      .describe('Kube-OVN Helm chart version of the release line (not the Kube-OVN binary version)'),
  })
  .strict();

export const PlatformReleaseSchema = z
  .object({
    version: SemverSchema.describe('Platform release at patch level, for example 4.3.2'),
    coreVersion: SemverSchema.describe('The @immutable-infra/core version the platform ships'),
    kubernetesVersions: z.array(KubernetesMinorSchema).min(1),
    capiContract: z.enum(CAPI_CONTRACT_VERSIONS),
    components: PlatformComponentsSchema.optional(),
  })
  .strict();

/**
 * A documented pairing rule: from platform `fromPlatform` on, the provider must be at least
 * `minimumVersion`; and a provider at `minimumVersion` or later must never run on an older platform
 * (its OS image changed in a way only one side of the line understands).
 */
export const ProviderVersionRuleSchema = z
  .object({
    provider: z.string().min(1).describe('Short provider name, for example "dcs"'),
    fromPlatform: SemverSchema.describe('First platform release the rule applies to, for example 4.3.2'),
    minimumVersion: SemverSchema.describe('Smallest provider version allowed from that release on'),
  })
  .strict();

/** Alauda OS image file format per provider: the same OS content, packaged for the target platform. */
export const OsImageFormatSchema = z.enum(['qcow2', 'ova', 'iso']);

/**
 * What the conformance suite said during a run of the contract tests: its checks counted by outcome,
 * and the names of those that failed. Absent from runs recorded before the suite reported here.
 */
export const ConformanceSummarySchema = z
  .object({
    result: z.enum(['passed', 'failed']),
    passed: z.number().int().min(0),
    failed: z.number().int().min(0),
    skipped: z.number().int().min(0),
    failedChecks: z.array(z.string()).optional(),
  })
  .strict();

/** One run of a provider's contract tests next to one core version. */
export const VerificationSchema = z
  .object({
    coreVersion: SemverSchema,
    /** `registry`: a released core, built from its release commit and installed from the registry; `workspace`: unreleased. */
    coreSource: z.enum(['registry', 'workspace']),
    result: z.enum(['passed', 'failed']),
    date: z.iso.date(),
    tests: z.object({ passed: z.number().int().min(0), failed: z.number().int().min(0) }).strict(),
    conformance: ConformanceSummarySchema.optional(),
  })
  .strict();

export const ProviderVersionRecordSchema = z
  .object({
    name: z.string().min(1).describe('Short provider name, for example "dcs"'),
    package: z.string().min(1).describe('npm package name'),
    version: SemverSchema,
    coreRange: RangeSchema,
    capiContracts: z.array(z.enum(CAPI_CONTRACT_VERSIONS)).min(1),
    kubernetesVersions: z.array(KubernetesMinorSchema).min(1),
    verifications: z.array(VerificationSchema),
  })
  .strict();

export const CompatMatrixSchema = z
  .object({
    $schema: z.string().optional(),
    platformReleases: z.array(PlatformReleaseSchema).min(1),
    providerRules: z.array(ProviderVersionRuleSchema).optional(),
    osImageFormats: z
      .record(z.string().min(1), OsImageFormatSchema)
      .optional()
      .describe('OS image format per short provider name, for example {"dcs": "qcow2"}'),
    providers: z.array(ProviderVersionRecordSchema),
  })
  .strict();

export type PlatformReleaseRecord = z.infer<typeof PlatformReleaseSchema>;
export type PlatformComponents = z.infer<typeof PlatformComponentsSchema>;
export type ProviderVersionRule = z.infer<typeof ProviderVersionRuleSchema>;
export type OsImageFormat = z.infer<typeof OsImageFormatSchema>;
export type Verification = z.infer<typeof VerificationSchema>;
export type ConformanceSummary = z.infer<typeof ConformanceSummarySchema>;
export type ProviderVersionRecord = z.infer<typeof ProviderVersionRecordSchema>;
export type CompatMatrix = z.infer<typeof CompatMatrixSchema>;

export interface MatrixProblem {
  /** Dotted path into the document, for example `providers.0.coreRange`. */
  path: string;
  message: string;
}

/** Parses a matrix document and returns every problem found, not only the first. */
export function parseCompatMatrix(
  document: unknown,
): { ok: true; matrix: CompatMatrix } | { ok: false; problems: MatrixProblem[] } {
  const parsed = CompatMatrixSchema.safeParse(document);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    };
  }
  const problems: MatrixProblem[] = [];
  const seenPlatforms = new Set<string>();
  parsed.data.platformReleases.forEach((release, index) => {
    if (seenPlatforms.has(release.version))
      problems.push({
        path: `platformReleases.${index}.version`,
        message: `platform ${release.version} is listed twice`,
      });
    seenPlatforms.add(release.version);
    const build = release.components?.kubernetes;
    const minor = build?.match(/^v(1\.\d+)\./)?.[1];
    if (build && minor && !release.kubernetesVersions.includes(minor))
      problems.push({
        path: `platformReleases.${index}.components.kubernetes`,
        message: `Kubernetes ${build} is not one of the release's versions ${release.kubernetesVersions.join(', ')}`,
      });
  });
  const seenRules = new Set<string>();
  (parsed.data.providerRules ?? []).forEach((rule, index) => {
    const key = `${rule.provider}@${rule.fromPlatform}`;
    if (seenRules.has(key))
      problems.push({
        path: `providerRules.${index}`,
        message: `a rule for ${rule.provider} from platform ${rule.fromPlatform} is listed twice`,
      });
    seenRules.add(key);
    if (!parsed.data.providers.some((p) => p.name === rule.provider))
      problems.push({
        path: `providerRules.${index}.provider`,
        message: `no provider "${rule.provider}" in the matrix`,
      });
  });
  const seenProviders = new Set<string>();
  parsed.data.providers.forEach((record, index) => {
    const key = `${record.name}@${record.version}`;
    if (seenProviders.has(key))
      problems.push({ path: `providers.${index}`, message: `${key} is listed twice` });
    seenProviders.add(key);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, matrix: parsed.data };
}

export function toProviderCompatibility(record: ProviderVersionRecord): ProviderCompatibility {
  return {
    name: record.name,
    version: record.version,
    coreRange: record.coreRange,
    capiContracts: record.capiContracts,
    kubernetesVersions: record.kubernetesVersions,
  };
}

export function toPlatformRelease(record: PlatformReleaseRecord): PlatformRelease {
  return { ...record };
}

/**
 * The release a target platform version runs: the exact version, or else the
 * newest listed release of the same minor line not newer than the target
 * (a patch release keeps its line's core and Kubernetes versions).
 */
export function findPlatformRelease(
  matrix: CompatMatrix,
  target: string,
): { release: PlatformReleaseRecord; note?: string } | undefined {
  const version = semver.valid(semver.coerce(target) ?? '') ?? undefined;
  if (version === undefined) return undefined;
  const exact = matrix.platformReleases.find((r) => r.version === version);
  if (exact) return { release: exact };
  const line = matrix.platformReleases
    .filter(
      (r) =>
        semver.major(r.version) === semver.major(version) &&
        semver.minor(r.version) === semver.minor(version),
    )
    .filter((r) => semver.lte(r.version, version))
    .sort((a, b) => semver.rcompare(a.version, b.version))[0];
  if (!line) return undefined;
  return { release: line, note: `platform ${version} is not listed; using its release line ${line.version}` };
}
