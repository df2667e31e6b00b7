// Writes the bare-metal provider's CRDs (from the zod schemas in src/api, the single source of truth)
// and its clusterctl release artifacts. Run through `npm run generate` (after the build).
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { baremetalKinds } from '../dist/api/index.js';

generateProviderArtifacts({
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  kinds: baremetalKinds,
});
