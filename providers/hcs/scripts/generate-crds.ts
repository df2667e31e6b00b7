// Writes the HCS provider's CRDs (from the zod schemas in src/api, the single
// source of truth) and its clusterctl release artifacts. Run through `npm run generate` (after the build).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clusterctlArtifacts, generateCrd } from '@immutable-infra/core';
import { writeProviderArtifacts } from '@immutable-infra/testkit';
import { hcsKinds } from '../dist/api/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const crds = hcsKinds.map((kind) => generateCrd(kind));
writeProviderArtifacts(packageDir, {
  crds,
  clusterctl: clusterctlArtifacts({
    provider: manifest.immutableInfra.provider,
    packageName: manifest.name,
    version: manifest.version,
    contract: 'v1beta2',
    crds,
  }),
});
