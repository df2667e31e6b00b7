import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package's crds/ folder: beside src/ in the repository and beside dist/ when installed. */
const CRD_DIR = fileURLToPath(new URL('../crds/', import.meta.url));

/**
 * The elemental.cattle.io CRD files (MachineRegistration, SeedImage, MachineInventory) the
 * simulator plays against, for a test API server. They are generated from the schemas in
 * src/api (`npm run generate`) and ship with the package, so a clean clone or a scratch project
 * that installed it needs nothing beside it.
 */
export function elementalCrdFiles(): string[] {
  const files = readdirSync(CRD_DIR)
    .filter((name) => name.endsWith('.elemental.cattle.io.yaml'))
    .sort()
    .map((name) => `${CRD_DIR}${name}`);
  if (files.length === 0) throw new Error(`no elemental CRDs in ${CRD_DIR}: run npm run generate`);
  return files;
}
