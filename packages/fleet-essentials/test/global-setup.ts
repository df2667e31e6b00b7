import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { TEST_USERS } from './users.ts';

// Two users the API server knows by bearer token; the tests give them different RBAC.
const dir = mkdtempSync(join(tmpdir(), 'fleet-tokens-'));
const tokenFile = join(dir, 'tokens.csv');
writeFileSync(
  tokenFile,
  Object.values(TEST_USERS)
    .map((u) => `${u.token},${u.name},${u.name},"${u.groups.join(',')}"`)
    .join('\n'),
);

const setup = createGlobalSetup({
  apiServerFlags: [`--token-auth-file=${tokenFile}`],
  // The test extension's own kinds, so dry runs meet real schema and CEL validation.
  crdFiles: [fileURLToPath(new URL('./fixtures/ext-full/crds.yaml', import.meta.url))],
});

export default async function globalSetup(...args: Parameters<typeof setup>) {
  const teardown = await setup(...args);
  return async () => {
    await teardown();
    // The tokens file goes with the API server that read it.
    rmSync(dir, { recursive: true, force: true });
  };
}
