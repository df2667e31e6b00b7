import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// Through the package's own name, so the compatibility run's scratch projects (which copy only the
// test folder) install the CRDs of the package they installed.
const crdDir = join(
  dirname(createRequire(import.meta.url).resolve('@immutable-infra/provider-vsphere/package.json')),
  'crds',
);

// The namespace controller only, so a deleted namespace is emptied as in a real cluster.
export default createGlobalSetup({
  crdFiles: readdirSync(crdDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(crdDir, name)),
  controllers: ['namespace'],
});
