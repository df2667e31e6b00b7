import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { TEST_USERS } from './users.ts';

// Two users the API server knows by bearer token; the tests give them different RBAC. The tokens
// file is made when the setup runs, not when this module is loaded (vitest may load it without
// running it, which left a directory behind).
export default async function globalSetup(...args: Parameters<ReturnType<typeof createGlobalSetup>>) {
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
  let teardown: Awaited<ReturnType<typeof setup>>;
  try {
    teardown = await setup(...args);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return async () => {
    await teardown?.();
    // The tokens file goes with the API server that read it.
    rmSync(dir, { recursive: true, force: true });
  };
}
