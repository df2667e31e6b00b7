import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// Through the package name, so the contract tests can run this setup in a scratch project too.
const crdDir = join(
  dirname(createRequire(import.meta.url).resolve('@immutable-infra/provider-dcs/package.json')),
  'crds',
);

export default createGlobalSetup({
  crdFiles: readdirSync(crdDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(crdDir, name)),
});
