import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

const crdDir = fileURLToPath(new URL('../crds/', import.meta.url));

export default createGlobalSetup({
  crdFiles: readdirSync(crdDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => `${crdDir}${name}`),
});
