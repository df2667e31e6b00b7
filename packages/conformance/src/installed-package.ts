import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * Where a package is installed, as seen from a file (`import.meta.url`), and its version: the
 * provider package to check, and the core the host runs, in a workspace or a scratch project alike.
 */
export function installedPackage(name: string, from: string | URL): { dir: string; version: string } {
  const manifest = createRequire(from).resolve(`${name}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { dir: dirname(manifest), version };
}
