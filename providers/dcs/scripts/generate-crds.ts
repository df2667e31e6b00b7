// Writes the DCS provider's CRDs (from the zod schemas in src/api, the single source of truth),
// its clusterctl release artifacts and ui-extension.json (from src/ui/extension-declaration.ts).
// Run through `npm run generate` (after the build; the release's `npm run version-packages` runs
// it too, so a version bump reaches every artifact).
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { dcsKinds } from '../dist/api/index.js';
import { dcsExtensions } from '../src/ui/extension-declaration.ts';

generateProviderArtifacts({
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  kinds: dcsKinds,
  extensions: dcsExtensions,
  // Beyond what every manager needs: each cluster's encryption-at-rest key Secret, which the
  // provider creates once when no encryptionProviderConfigRef names one (the kit's ensureEncryptionSecret).
  rbacRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }],
});
