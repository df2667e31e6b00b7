import semver from 'semver';

/** The parts of a package version's manifest in a registry that installing a provider needs. */
export interface RegistryVersion {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  immutableInfra?: {
    provider?: string;
    platform?: string;
    capiContracts?: string[];
    kubernetesVersions?: string[];
  };
  dist: { tarball: string; integrity?: string };
}

/**
 * Reads a package's metadata from an npm registry (verdaccio or any other),
 * with an optional bearer token. Errors say which registry and package.
 */
export async function fetchPackageVersion(
  registry: string,
  packageName: string,
  version: string,
  token?: string,
): Promise<RegistryVersion> {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const url = `${base}${packageName.replace('/', '%2f')}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new Error(
      `cannot reach the registry ${registry}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  if (response.status === 404) throw new Error(`${packageName} is not in the registry ${registry}`);
  if (response.status === 401 || response.status === 403) {
    throw new Error(
      `the registry ${registry} refused to show ${packageName} (HTTP ${response.status}); pass --token`,
    );
  }
  if (!response.ok)
    throw new Error(`the registry ${registry} answered HTTP ${response.status} for ${packageName}`);
  const packument = (await response.json()) as { versions?: Record<string, RegistryVersion> };
  const found = packument.versions?.[version];
  if (!found) {
    const known = Object.keys(packument.versions ?? {}).sort(semver.compare);
    throw new Error(
      `${packageName}@${version} is not in the registry ${registry} (it has ${known.join(', ') || 'no versions'})`,
    );
  }
  return found;
}
