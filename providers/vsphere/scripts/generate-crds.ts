// Writes the vSphere provider's CRDs (from the zod schemas in src/api, the single source of truth)
// and its clusterctl release artifacts. Run through `npm run generate` (after the build; the
// release's `npm run version-packages` runs it too, so a version bump reaches every artifact). The
// UI extension's manifest joins them when the provider has one.
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { vsphereKinds } from '../dist/api/index.js';

generateProviderArtifacts({
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  kinds: vsphereKinds,
});
