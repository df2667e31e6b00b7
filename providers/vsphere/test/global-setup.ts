import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

const crdDir = fileURLToPath(new URL('../crds/', import.meta.url));

// The namespace controller only, so a deleted namespace is emptied as in a real cluster.
export default createGlobalSetup({
  crdFiles: readdirSync(crdDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(crdDir, name)),
  controllers: ['namespace'],
});
