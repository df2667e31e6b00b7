// Writes the HCS provider's CRDs (from the zod schemas in src/api, the single source of truth)
// and its clusterctl release artifacts. Run through `npm run generate` (after the build).
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { hcsKinds } from '../dist/api/index.js';

generateProviderArtifacts({
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  kinds: hcsKinds,
  // Beyond what every manager needs: each cluster's encryption-at-rest key Secret, which the
  // provider creates once (the kit's ensureEncryptionSecret).
  rbacRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }],
});
