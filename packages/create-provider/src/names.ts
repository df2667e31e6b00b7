/** How the scaffolder names things after the platform id. */

/** A DNS label that starts with a letter: lowercase letters, digits and hyphens, at most 63 long. */
const PLATFORM_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `value` is not a platform id, or undefined when it is one. */
export function platformProblem(value: string): string | undefined {
  if (PLATFORM_ID.test(value)) return undefined;
  return `${JSON.stringify(value)} is not a platform id: use lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit, at most 63 characters`;
}

/** A directory's base name made into a platform id: lower case, anything else a hyphen, trimmed. */
export function platformFromDirectory(baseName: string): string {
  return baseName
    .toLowerCase()
    .replace(/^provider-/, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** `acme` → `Acme`, `my-cloud` → `MyCloud`: the prefix of the kinds and classes. */
export function pascalName(platform: string): string {
  return platform
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** `my-cloud` → `My Cloud`. */
export function defaultDisplayName(platform: string): string {
  return platform
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join(' ');
}

/** Why `value` is not an npm package name, or undefined when it is one. */
export function packageNameProblem(value: string): string | undefined {
  const valid = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(value) && value.length <= 214;
  return valid ? undefined : `${JSON.stringify(value)} is not an npm package name`;
}
