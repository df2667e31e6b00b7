// Writes the DCS provider's CRDs (from the zod schemas in src/api, the single source of truth),
// its clusterctl release artifacts and ui-extension.json (from src/ui/extension-declaration.ts).
// Run through `npm run generate` (after the build; the release's `npm run version-packages` runs
// it too, so a version bump reaches every artifact).
import { fileURLToPath } from 'node:url';
import { ALIVE_MODULE_RBAC_RULES } from '@immutable-infra/provider-kit';
import { generateProviderArtifacts, shippedKubernetesReleases } from '@immutable-infra/provider-kit/generate';
import { dcsKinds } from '../dist/api/index.js';
import { dcsExtensions } from '../src/ui/extension-declaration.ts';
import { dcsReleaseObjects } from '../src/ui/release-data.ts';
import { dcsClusterTemplate } from './cluster-template.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// The platform releases and their component tags: the compatibility matrix at the repository's root.
const matrixPath = fileURLToPath(new URL('../../../compat-matrix.json', import.meta.url));

generateProviderArtifacts({
  packageDir,
  kinds: dcsKinds,
  extensions: dcsExtensions,
  // Beyond what every manager needs: each cluster's encryption-at-rest key Secret, which the
  // provider creates once when no encryptionProviderConfigRef names one (the kit's ensureEncryptionSecret),
  // and the alive ModuleInfo below.
  rbacRules: [
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    // A self-built VIP's second half (type internal): the cluster's alive ModuleInfo, created and
    // kept in line from the platform's module objects, which are only read (the kit's reconcileAliveModule).
    ...ALIVE_MODULE_RBAC_RULES,
  ],
  // Per Kubernetes build: the documented version ConfigMaps and dcs-kubernetes-<minor>-files Secrets.
  releaseObjects: dcsReleaseObjects(shippedKubernetesReleases(packageDir, matrixPath)),
  // clusterctl/cluster-template.yaml, for `clusterctl generate cluster --infrastructure dcs`.
  clusterTemplate: dcsClusterTemplate,
});
