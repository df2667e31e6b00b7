// Writes the vSphere provider's CRDs (from the zod schemas in src/api, the single source of truth),
// its clusterctl release artifacts and ui-extension.json (from src/ui/extension-declaration.ts).
// Run through `npm run generate` (after the build; the release's `npm run version-packages` runs
// it too, so a version bump reaches every artifact).
import { fileURLToPath } from 'node:url';
import { kubernetesReleaseConfigMap } from '@immutable-infra/core';
import { ALIVE_MODULE_RBAC_RULES } from '@immutable-infra/provider-kit';
import { generateProviderArtifacts, shippedKubernetesReleases } from '@immutable-infra/provider-kit/generate';
import { vsphereKinds } from '../dist/api/index.js';
import { vsphereExtensions } from '../src/ui/extension-declaration.ts';
import { vsphereClusterTemplate } from './cluster-template.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// The platform releases and their component tags: the compatibility matrix at the repository's root.
const matrixPath = fileURLToPath(new URL('../../../compat-matrix.json', import.meta.url));

generateProviderArtifacts({
  packageDir,
  kinds: vsphereKinds,
  extensions: vsphereExtensions,
  // Beyond what every manager needs: each cluster's encryption-at-rest key Secret (the kit's
  // ensureEncryptionSecret creates it once), and addresses from IPAM pools (addressesFromPools):
  // claims made, held by a finalizer until the machine is gone, then deleted; addresses read.
  // The CPI's Secret is made the same way. Each machine's VSphereVM is made before its clone and
  // deleted after its VM.
  rbacRules: [
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    {
      apiGroups: ['infrastructure.cluster.x-k8s.io'],
      resources: ['vspherevms'],
      verbs: ['create', 'delete'],
    },
    {
      apiGroups: ['ipam.cluster.x-k8s.io'],
      resources: ['ipaddressclaims'],
      verbs: ['get', 'list', 'create', 'patch', 'delete'],
    },
    { apiGroups: ['ipam.cluster.x-k8s.io'], resources: ['ipaddresses'], verbs: ['get'] },
    // A Self-built VIP (controlPlaneLoadBalancer.type internal): the cluster's alive ModuleInfo,
    // created and kept in line from the platform's module objects, which are only read.
    ...ALIVE_MODULE_RBAC_RULES,
  ],
  // Per Kubernetes build: its machine image and CoreDNS and etcd tags, one ConfigMap each.
  releaseObjects: shippedKubernetesReleases(packageDir, matrixPath).map((release) =>
    kubernetesReleaseConfigMap('vsphere', release),
  ),
  // clusterctl/cluster-template.yaml, for `clusterctl generate cluster --infrastructure vsphere`.
  clusterTemplate: vsphereClusterTemplate,
});
