// Writes the bare-metal provider's CRDs (from the zod schemas in src/api, the single source of truth),
// its clusterctl release artifacts and Helm chart (with the storage admission policy), and
// ui-extension.json (from src/ui/extension-declaration.ts). Run through `npm run generate` (after
// the build).
import { fileURLToPath } from 'node:url';
import { kubernetesReleaseConfigMap } from '@immutable-infra/core';
import { ALIVE_MODULE_RBAC_RULES } from '@immutable-infra/provider-kit';
import { generateProviderArtifacts, shippedKubernetesReleases } from '@immutable-infra/provider-kit/generate';
import { baremetalKinds, storageAdmissionObjects } from '../dist/api/index.js';
import { baremetalExtensions } from '../src/ui/extension-declaration.ts';
import { baremetalClusterTemplate } from './cluster-template.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// The platform releases and their component tags: the compatibility matrix at the repository's root.
const matrixPath = fileURLToPath(new URL('../../../compat-matrix.json', import.meta.url));

generateProviderArtifacts({
  packageDir,
  kinds: baremetalKinds,
  extensions: baremetalExtensions,
  // Beyond what every manager needs: elemental's MachineInventories (read, listed for a pool's
  // members, annotated with their pool and plan), and the image catalog ConfigMap a machine's
  // version is looked up in. Plan Secrets are read and patched like any Secret the host reads. An
  // Internal VIP's alive ModuleInfo, and the platform's module kinds it is chosen from.
  rbacRules: [
    ...ALIVE_MODULE_RBAC_RULES,
    {
      apiGroups: ['elemental.cattle.io'],
      resources: ['machineinventories'],
      verbs: ['get', 'list', 'watch', 'patch'],
    },
    // The storage lifecycle's state and journal (status.storage) of managed data volumes.
    { apiGroups: ['elemental.cattle.io'], resources: ['machineinventories/status'], verbs: ['patch'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    // A BaremetalHost reads its SeedImage's download URL.
    { apiGroups: ['elemental.cattle.io'], resources: ['seedimages'], verbs: ['get'] },
  ],
  // Per Kubernetes build: its machine image and CoreDNS and etcd tags, one ConfigMap each.
  releaseObjects: shippedKubernetesReleases(packageDir, matrixPath).map((release) =>
    kubernetesReleaseConfigMap('baremetal', release),
  ),
  // The documented fail-closed MachineInventory storage admission (a ValidatingAdmissionPolicy and
  // its binding, cluster-scoped): installed with the manager by the chart and by clusterctl alike.
  clusterObjects: storageAdmissionObjects(),
  // clusterctl/cluster-template.yaml, for `clusterctl generate cluster --infrastructure baremetal`.
  clusterTemplate: baremetalClusterTemplate,
});
