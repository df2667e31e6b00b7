import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

const crdDir = join(
  dirname(createRequire(import.meta.url).resolve('@immutable-infra/provider-hcs/package.json')),
  'crds',
);

export default createGlobalSetup({
  crdFiles: readdirSync(crdDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(crdDir, name)),
});
