// Writes the vSphere provider's CRDs (from the zod schemas in src/api, the single source of truth),
// its clusterctl release artifacts and ui-extension.json (from src/ui/extension-declaration.ts).
// Run through `npm run generate` (after the build; the release's `npm run version-packages` runs
// it too, so a version bump reaches every artifact).
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { vsphereKinds } from '../dist/api/index.js';
import { vsphereExtensions } from '../src/ui/extension-declaration.ts';

generateProviderArtifacts({
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  kinds: vsphereKinds,
  extensions: vsphereExtensions,
  // Beyond what every manager needs: each cluster's encryption-at-rest key Secret (the kit's
  // ensureEncryptionSecret creates it once), and addresses from IPAM pools (addressesFromPools):
  // claims made, held by a finalizer until the machine is gone, then deleted; addresses read.
  rbacRules: [
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    {
      apiGroups: ['ipam.cluster.x-k8s.io'],
      resources: ['ipaddressclaims'],
      verbs: ['get', 'create', 'patch', 'delete'],
    },
    { apiGroups: ['ipam.cluster.x-k8s.io'], resources: ['ipaddresses'], verbs: ['get'] },
  ],
});
