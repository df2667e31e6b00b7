import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCrd, providerKinds } from '@immutable-infra/core';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { stringify } from 'yaml';
import { fixtureProvider } from './fixture-provider.js';

// The fixture provider's CRDs (every flawed variant shares its kinds) on the run's API server.
const dir = mkdtempSync(join(tmpdir(), 'iinfra-conformance-crds-'));
const crdFiles = providerKinds(fixtureProvider()).map((kind) => {
  const crd = generateCrd(kind);
  const file = join(dir, `${crd.metadata.name}.yaml`);
  writeFileSync(file, stringify(crd));
  return file;
});

// The namespace controller, so a check's namespace is emptied when the suite deletes it.
export default createGlobalSetup({ crdFiles, controllers: ['namespace'] });
