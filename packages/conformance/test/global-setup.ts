import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCrd, providerKinds } from '@immutable-infra/core';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import type { TestProject } from 'vitest/node';
import { stringify } from 'yaml';
import { fixtureProvider } from './fixture-provider.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The fixture provider's CRDs (every flawed variant shares its kinds), written for the API
  // server to load and removed with it.
  const dir = mkdtempSync(join(tmpdir(), 'iinfra-conformance-crds-'));
  const crdFiles = providerKinds(fixtureProvider()).map((kind) => {
    const crd = generateCrd(kind);
    const file = join(dir, `${crd.metadata.name}.yaml`);
    writeFileSync(file, stringify(crd));
    return file;
  });
  try {
    // The namespace controller, so a check's namespace is emptied when the suite deletes it.
    const stop = await createGlobalSetup({ crdFiles, controllers: ['namespace'] })(project);
    return async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
