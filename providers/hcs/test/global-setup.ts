import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

const crdDir = join(
  dirname(createRequire(import.meta.url).resolve('@immutable-infra/provider-hcs/package.json')),
  'crds',
);

/** The provider's generated CRD files, which every test API server installs (the e2e setup too). */
export const providerCrdFiles: string[] = readdirSync(crdDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => join(crdDir, name));

// The namespace controller only, so a deleted namespace is emptied as in a real cluster; no garbage
// collector: controller tests make objects whose owners do not exist.
export default createGlobalSetup({
  crdFiles: providerCrdFiles,
  controllers: ['namespace'],
});
