import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Through the package name, so the contract tests can run the setups in a scratch project too.
const crdDir = join(
  dirname(createRequire(import.meta.url).resolve('@immutable-infra/provider-dcs/package.json')),
  'crds',
);

/** The provider's generated CRD files, which every test API server installs. */
export const providerCrdFiles: string[] = readdirSync(crdDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => join(crdDir, name));
