import { done, type KubeClient, type ObjectMeta, type Step } from '@immutable-infra/core';
import { holdCredentialSecret, releaseCredentialSecret } from '@immutable-infra/provider-kit';
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

type ClusterRun = { ctx: { kube: KubeClient; object: { metadata: ObjectMeta } } };

/**
 * As CAPV's cluster reconcile, CAPV's finalizer on the identity Secret, so a delete of the Secret
 * waits for the clusters that use it. Unlike CAPV, no owner reference: CAPV deletes the Secret with
 * its cluster, but here a credential is a thing of its own that Fleet Essentials lists for reuse
 * and several clusters of a namespace may share, so it outlives its clusters until a user deletes
 * it. The provider's earlier finalizer (`legacyFinalizer`, the kit's `credential-in-use` one) is
 * swapped for CAPV's in the same write.
 */
export function holdIdentitySecretStep<Run extends ClusterRun>(legacyFinalizer: string): Step<Run> {
  return {
    name: 'HoldIdentitySecret',
    when: ({ ctx }) => identitySecretName(ctx.object) !== undefined,
    async run({ ctx }) {
      await holdCredentialSecret(
        ctx.kube,
        {
          namespace: ctx.object.metadata.namespace ?? 'default',
          name: identitySecretName(ctx.object) as string,
        },
        SECRET_IDENTITY_FINALIZER,
        { replacing: legacyFinalizer },
      );
      return done();
    },
  };
}

/**
 * The last step of the delete: CAPV's finalizer (and the provider's earlier one, for a cluster
 * made before the swap) comes off the identity Secret once no other cluster of the namespace
 * still uses it (the kit's `releaseCredentialSecret` decides); the Secret itself stays.
 */
export function releaseIdentitySecretStep<Run extends ClusterRun>(legacyFinalizer: string): Step<Run> {
  return {
    name: 'ReleaseIdentitySecret',
    when: ({ ctx }) => identitySecretName(ctx.object) !== undefined,
    async run({ ctx }) {
      for (const finalizer of [SECRET_IDENTITY_FINALIZER, legacyFinalizer]) {
        const released = await releaseCredentialSecret(ctx.kube, {
          self: ctx.object,
          secretName: identitySecretName(ctx.object) as string,
          finalizer,
          clusters: { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereCluster' },
          secretNameOf: identitySecretName,
        });
        if (released.type !== 'done') return released;
      }
      return done();
    },
  };
}
