import type { CapiContractVersion, ProviderManifest } from '@immutable-infra/core';

/** What a provider's package.json says about it; `immutableInfra` holds the platform's facts. */
export interface ProviderPackageJson {
  name: string;
  version: string;
  peerDependencies: { '@immutable-infra/core': string };
  immutableInfra: {
    platform: string;
    displayName?: string | undefined;
    capiContracts: readonly string[];
    kubernetesVersions: readonly string[];
  };
}

/**
 * The provider's manifest from its package.json, the one source: `iinfra provider install` reads
 * the same facts from the registry before the package is loaded.
 */
export function providerManifest(packageJson: ProviderPackageJson): ProviderManifest {
  const facts = packageJson.immutableInfra;
  return {
    name: packageJson.name,
    version: packageJson.version,
    platform: facts.platform,
    ...(facts.displayName ? { displayName: facts.displayName } : {}),
    coreRange: packageJson.peerDependencies['@immutable-infra/core'],
    capiContracts: facts.capiContracts as CapiContractVersion[],
    kubernetesVersions: facts.kubernetesVersions,
  };
}
