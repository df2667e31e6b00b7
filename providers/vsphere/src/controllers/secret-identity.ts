import type { KubeClient, ObjectMeta } from '@immutable-infra/core';
import { credentialSecretSteps } from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';

/**
 * CAPV's finalizer on a Secret a VSphereCluster names as its identity (`identityRef.kind: Secret`),
 * the same one a VSphereClusterIdentity puts on its Secret: the Secret is not deleted while in use.
 */
export const SECRET_IDENTITY_FINALIZER = 'vspherecluster/infrastructure.cluster.x-k8s.io';

/** The Secret of the cluster's own namespace its `identityRef` names, if it names one. */
export function identitySecretName(cluster: unknown): string | undefined {
  const identity = (cluster as Partial<VSphereClusterObject>).spec?.identityRef;
  return identity?.kind === 'Secret' ? identity.name : undefined;
}

/**
 * As CAPV's cluster reconcile, CAPV's finalizer on the identity Secret, so a delete of the Secret
 * waits for the clusters that use it. Unlike CAPV, no owner reference: CAPV deletes the Secret with
 * its cluster, but here a credential is a thing of its own that Fleet Essentials lists for reuse
 * and several clusters of a namespace may share, so it outlives its clusters until a user deletes
 * it. The provider's earlier finalizer (`legacyFinalizer`, the kit's `credential-in-use` one) is
 * swapped for CAPV's in the same write. On delete, last, both come off once no other cluster of
 * the namespace still uses the Secret (the kit's `releaseCredentialSecret` decides); the Secret
 * itself stays.
 */
export const identitySecretSteps = <
  Run extends { ctx: { kube: KubeClient; object: { metadata: ObjectMeta } } },
>(
  legacyFinalizer: string,
) =>
  credentialSecretSteps<Run>({
    finalizer: SECRET_IDENTITY_FINALIZER,
    replacing: legacyFinalizer,
    clusters: { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereCluster' },
    secretNameOf: identitySecretName,
    names: { hold: 'HoldIdentitySecret', release: 'ReleaseIdentitySecret' },
  });
