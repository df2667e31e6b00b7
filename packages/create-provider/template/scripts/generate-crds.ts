// Writes crds/ and clusterctl/ from the kinds (the zod schemas in src/api, the one source of truth)
// and package.json (name, version, provider). Run after the build: `npm run build && npm run generate`.
// Never edit the generated files by hand; the conformance check crds.generated compares them.
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { allKinds } from '../dist/index.js';

generateProviderArtifacts({ packageDir: fileURLToPath(new URL('..', import.meta.url)), kinds: allKinds });
