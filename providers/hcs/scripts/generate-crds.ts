// Writes the HCS provider's CRDs (from the zod schemas in src/api, the single source of truth),
// its clusterctl release artifacts and ui-extension.json (from src/ui/extension-declaration.ts).
// Run through `npm run generate` (after the build).
import { fileURLToPath } from 'node:url';
import { kubernetesReleaseConfigMap } from '@immutable-infra/core';
import { generateProviderArtifacts, shippedKubernetesReleases } from '@immutable-infra/provider-kit/generate';
import { hcsKinds } from '../dist/api/index.js';
import { hcsExtensions } from '../src/ui/extension-declaration.ts';
import { hcsClusterTemplate } from './cluster-template.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// The platform releases and their component tags: the compatibility matrix at the repository's root.
const matrixPath = fileURLToPath(new URL('../../../compat-matrix.json', import.meta.url));

generateProviderArtifacts({
  packageDir,
  kinds: hcsKinds,
  extensions: hcsExtensions,
  // Beyond what every manager needs: each cluster's encryption-at-rest key Secret, which the
  // provider creates once (the kit's ensureEncryptionSecret).
  rbacRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }],
  // Per Kubernetes build: its machine image and CoreDNS and etcd tags, one ConfigMap each.
  releaseObjects: shippedKubernetesReleases(packageDir, matrixPath).map((release) =>
    kubernetesReleaseConfigMap('hcs', release),
  ),
  // clusterctl/cluster-template.yaml, for `clusterctl generate cluster --infrastructure hcs`.
  clusterTemplate: hcsClusterTemplate,
});
