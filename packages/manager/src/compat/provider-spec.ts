import semver from 'semver';

export interface ProviderSpec {
  /** Short name, `dcs`. */
  name: string;
  /** npm package, `@immutable-infra/provider-dcs`. */
  packageName: string;
  version: string;
}

const PACKAGE_PREFIX = '@immutable-infra/provider-';

/** Parses `dcs@0.2.0` or `@immutable-infra/provider-dcs@0.2.0`; the error names what is wrong. */
export function parseProviderSpec(spec: string, option = '--provider'): ProviderSpec {
  const at = spec.lastIndexOf('@');
  if (at <= 0) throw new Error(`${option} "${spec}": expected <name>@<version>, for example dcs@0.2.0`);
  const name = spec.slice(0, at);
  const version = spec.slice(at + 1).replace(/^v/, '');
  if (semver.valid(version) === null)
    throw new Error(`${option} "${spec}": "${version}" is not a version; expected for example dcs@0.2.0`);
  if (name.startsWith('@')) {
    if (!name.startsWith(PACKAGE_PREFIX))
      throw new Error(`${option} "${spec}": not an Immutable Infrastructure provider package`);
    return { name: name.slice(PACKAGE_PREFIX.length), packageName: name, version };
  }
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new Error(`${option} "${spec}": "${name}" is not a provider name`);
  return { name, packageName: `${PACKAGE_PREFIX}${name}`, version };
}
