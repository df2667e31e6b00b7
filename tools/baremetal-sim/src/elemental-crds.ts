import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the elemental CRDs are looked for beside a checkout (the product's reference CRDs). */
const BESIDE_CHECKOUT = join('shared', 'reference', 'crds', 'bare-metal');

/**
 * The elemental.cattle.io CRD files (MachineRegistration, SeedImage, MachineInventory) the
 * simulator plays against. They are elemental-operator's own CRDs (with the fork's
 * observedNetwork and observedStorage), not the project's: they are read from
 * `ELEMENTAL_CRDS_DIR`, else from the reference CRDs found in a parent folder of this package,
 * never copied into the repository.
 */
export function elementalCrdFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.ELEMENTAL_CRDS_DIR ?? findUpwards(dirname(fileURLToPath(import.meta.url)));
  if (!dir)
    throw new Error(
      `elemental CRDs not found: set ELEMENTAL_CRDS_DIR to a folder with elemental.cattle.io_*.yaml (looked for ${BESIDE_CHECKOUT} in the parents of this package)`,
    );
  const files = readdirSync(dir)
    .filter((name) => name.startsWith('elemental.cattle.io_') && name.endsWith('.yaml'))
    .map((name) => join(dir, name));
  if (files.length === 0) throw new Error(`no elemental.cattle.io_*.yaml in ${dir}`);
  return files;
}

function findUpwards(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, BESIDE_CHECKOUT);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
