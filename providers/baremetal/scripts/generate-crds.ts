// Writes the bare-metal provider's CRDs (from the zod schemas in src/api, the single source of truth)
// and its clusterctl release artifacts. Run through `npm run generate` (after the build).
import { fileURLToPath } from 'node:url';
import { generateProviderArtifacts } from '@immutable-infra/provider-kit/generate';
import { baremetalKinds } from '../dist/api/index.js';

generateProviderArtifacts({
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  kinds: baremetalKinds,
  // Beyond what every manager needs: elemental's MachineInventories (read, listed for a pool's
  // members, annotated with their pool and plan), and the image catalog ConfigMap a machine's
  // version is looked up in. Plan Secrets are read and patched like any Secret the host reads.
  rbacRules: [
    {
      apiGroups: ['elemental.cattle.io'],
      resources: ['machineinventories'],
      verbs: ['get', 'list', 'patch'],
    },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
  ],
});
