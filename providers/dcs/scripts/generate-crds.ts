// Writes the DCS provider's CRDs (from the zod schemas in src/api, the single
// source of truth), its clusterctl release artifacts and ui-extension.json
// (from src/ui/extension-declaration.ts). Run through `npm run generate` (after the build; the
// release's `npm run version-packages` runs it too, so a version bump reaches every artifact).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clusterctlArtifacts, extensionManifest, generateCrd } from '@immutable-infra/core';
import { writeProviderArtifacts } from '@immutable-infra/testkit';
import { dcsKinds } from '../dist/api/index.js';
import { dcsExtensions } from '../src/ui/extension-declaration.ts';

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

// The UI extension manifest, from the typed declaration (its ids, anchors and
// exports checked against the bundle by tsc) and this package's name and
// version, so a version bump reaches it too. JSON.stringify's layout, which
// biome leaves as it is.
const uiManifest = extensionManifest(dcsExtensions, manifest);
writeFileSync(new URL('../ui-extension.json', import.meta.url), `${JSON.stringify(uiManifest, null, 2)}\n`);
