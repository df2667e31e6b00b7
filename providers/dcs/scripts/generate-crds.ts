// Writes the DCS provider's CRDs (from the zod schemas in src/api, the single
// source of truth), its clusterctl release artifacts and the version in
// ui-extension.json. Run through `npm run generate` (after the build; the
// release's `npm run version-packages` runs it too, so a version bump reaches every artifact).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clusterctlArtifacts, generateCrd } from '@immutable-infra/core';
import { writeProviderArtifacts } from '@immutable-infra/testkit';
import { dcsKinds } from '../dist/api/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const crds = dcsKinds.map((kind) => generateCrd(kind));
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

// The UI extension manifest is hand-written (its extension list is a design
// decision), but its version must follow the package's; only that field is rewritten
// so the file's formatting stays as written.
const uiManifestUrl = new URL('../ui-extension.json', import.meta.url);
const uiManifest = readFileSync(uiManifestUrl, 'utf8');
const synced = uiManifest.replace(/^(\s*"version":\s*)"[^"]*"/m, `$1"${manifest.version}"`);
if (synced !== uiManifest) writeFileSync(uiManifestUrl, synced);
