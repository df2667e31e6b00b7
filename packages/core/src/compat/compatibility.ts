import semver from 'semver';
import type { CapiContractVersion } from '../capi/contract.js';

/** What a provider version declares about the world it works in. */
export interface ProviderCompatibility {
  name: string;
  version: string;
  /** Semver range of `@immutable-infra/core` versions the provider works with. */
  coreRange: string;
  /** Cluster API contract versions the provider implements. */
  capiContracts: readonly CapiContractVersion[];
  /** Kubernetes minor versions (`1.34`) the provider can create clusters of. */
  kubernetesVersions: readonly string[];
}

/** A platform release: the core it ships, the Kubernetes versions it offers, its Cluster API contract. */
export interface PlatformRelease {
  version: string;
  coreVersion: string;
  kubernetesVersions: readonly string[];
  capiContract: CapiContractVersion;
}

/**
 * A pairing rule between platform releases and one provider's versions: from platform
 * `fromPlatform` on, the provider must be at least `minimumVersion`, and never below; a provider at
 * `minimumVersion` or later must not run on a platform before `fromPlatform`.
 */
export interface ProviderRule {
  provider: string;
  fromPlatform: string;
  minimumVersion: string;
}

export interface Verdict {
  compatible: boolean;
  /** One sentence per finding; the CLI, the manager and the UI show these same words. */
  reasons: string[];
}

/** Does the provider's declared core range include this core version? */
export function checkCore(provider: ProviderCompatibility, coreVersion: string): Verdict {
  if (semver.valid(coreVersion) === null) {
    return { compatible: false, reasons: [`core version "${coreVersion}" is not a semantic version`] };
  }
  if (semver.validRange(provider.coreRange) === null) {
    return {
      compatible: false,
      reasons: [
        `${provider.name}@${provider.version} declares an invalid core range "${provider.coreRange}"`,
      ],
    };
  }
  if (semver.satisfies(coreVersion, provider.coreRange, { includePrerelease: true })) {
    return {
      compatible: true,
      reasons: [
        `${provider.name}@${provider.version} supports core ${coreVersion} (range ${provider.coreRange})`,
      ],
    };
  }
  return {
    compatible: false,
    reasons: [
      `${provider.name}@${provider.version} supports core ${provider.coreRange}, but core is ${coreVersion}`,
    ],
  };
}

/** Does the provider implement the given Cluster API contract? */
export function checkContract(provider: ProviderCompatibility, contract: CapiContractVersion): Verdict {
  if (provider.capiContracts.includes(contract)) {
    return {
      compatible: true,
      reasons: [`${provider.name}@${provider.version} implements Cluster API ${contract}`],
    };
  }
  return {
    compatible: false,
    reasons: [
      `${provider.name}@${provider.version} implements Cluster API ${provider.capiContracts.join(', ') || 'no contract'}, but the platform needs ${contract}`,
    ],
  };
}

/** The pairing rules that name this provider, judged against one platform release. */
export function checkProviderRules(
  provider: Pick<ProviderCompatibility, 'name' | 'version'>,
  platformVersion: string,
  rules: readonly ProviderRule[],
): Verdict {
  const label = `${provider.name}@${provider.version}`;
  const verdicts = rules
    .filter((rule) => rule.provider === provider.name)
    .filter(() => semver.valid(provider.version) !== null && semver.valid(platformVersion) !== null)
    .map((rule): Verdict => {
      const platformAfter = semver.gte(platformVersion, rule.fromPlatform);
      const providerAfter = semver.gte(provider.version, rule.minimumVersion);
      if (platformAfter && !providerAfter)
        return {
          compatible: false,
          reasons: [
            `from platform ${rule.fromPlatform}, the ${rule.provider} provider must be at least ${rule.minimumVersion}, and never below; ${label} is below it`,
          ],
        };
      if (!platformAfter && providerAfter)
        return {
          compatible: false,
          reasons: [
            `${rule.provider} provider ${rule.minimumVersion} and later must not be paired with a platform before ${rule.fromPlatform}; ${label} is ${rule.minimumVersion} or later and platform is ${platformVersion}`,
          ],
        };
      return {
        compatible: true,
        reasons: [
          platformAfter
            ? `${label} meets the rule that from platform ${rule.fromPlatform} the ${rule.provider} provider must be at least ${rule.minimumVersion}`
            : `${label} is below ${rule.minimumVersion}, as platforms before ${rule.fromPlatform} require`,
        ],
      };
    });
  const failing = verdicts.filter((v) => !v.compatible);
  return {
    compatible: failing.length === 0,
    reasons: (failing.length > 0 ? failing : verdicts).flatMap((v) => v.reasons),
  };
}

/**
 * Core, contract and Kubernetes versions of one provider against one platform release, and the
 * pairing rules that name the provider.
 */
export function checkProviderOnPlatform(
  provider: ProviderCompatibility,
  platform: PlatformRelease,
  rules: readonly ProviderRule[] = [],
): Verdict {
  const core = checkCore(provider, platform.coreVersion);
  const contract = checkContract(provider, platform.capiContract);
  const shared = platform.kubernetesVersions.filter((v) => provider.kubernetesVersions.includes(v));
  const kubernetes: Verdict =
    shared.length > 0
      ? { compatible: true, reasons: [`Kubernetes ${shared.join(', ')} supported by both`] }
      : {
          compatible: false,
          reasons: [
            `platform ${platform.version} ships Kubernetes ${platform.kubernetesVersions.join(', ')}, ` +
              `but ${provider.name}@${provider.version} supports ${provider.kubernetesVersions.join(', ') || 'none'}`,
          ],
        };
  const all = [core, contract, kubernetes, checkProviderRules(provider, platform.version, rules)];
  const failing = all.filter((v) => !v.compatible);
  return {
    compatible: failing.length === 0,
    reasons: (failing.length > 0 ? failing : all).flatMap((v) => v.reasons),
  };
}

/**
 * The lowest version of a provider, not lower than `current`, that works on the
 * platform; undefined when none of the given versions does.
 */
export function smallestCompatibleUpgrade(
  versions: readonly ProviderCompatibility[],
  platform: PlatformRelease,
  current?: string,
  rules: readonly ProviderRule[] = [],
): ProviderCompatibility | undefined {
  return [...versions]
    .filter((v) => semver.valid(v.version) !== null)
    .filter((v) => current === undefined || semver.gte(v.version, current))
    .sort((a, b) => semver.compare(a.version, b.version))
    .find((v) => checkProviderOnPlatform(v, platform, rules).compatible);
}
