import { done, type ExtraKindHooks, falseCondition, requeue, trueCondition } from '@immutable-infra/core';
import { claimIdentitySecret, releaseIdentitySecret } from '@immutable-infra/provider-kit';
import { VSphereClusterIdentity } from '../api/vsphere-cluster-identity.js';
import type { VsphereAccess } from './cloud-for-cluster.js';
import { SECRET_IDENTITY_FINALIZER } from './secret-identity.js';

/** CAPV's condition of an identity: its Secret is there, usable, and owned by it. */
const CREDENTIALS_AVAILABLE = 'CredentialsAvailable';
// A Secret is not watched: a missing or incomplete one is looked at again soon, a good one now and then
// (a rotation that removes a key shows within this).
const MISSING_RETRY_MS = 10_000;
const RECHECK_MS = 60_000;

/**
 * Keeps a VSphereClusterIdentity's `status.ready` and CredentialsAvailable condition, and makes it the
 * controlling owner of its Secret in the provider's namespace, holding it with a finalizer until the
 * identity is deleted, as CAPV does. Which namespaces may use
 * it is decided where a VSphereCluster connects (`cloudForCluster`).
 */
export function vsphereClusterIdentityHooks(
  access: VsphereAccess,
): ExtraKindHooks<typeof VSphereClusterIdentity> {
  return {
    kind: VSphereClusterIdentity,
    async reconcile(ctx) {
      const found = await claimIdentitySecret(ctx.kube, ctx.object, {
        identityNamespace: access.identityNamespace,
        requiredKeys: ['username', 'password'],
        finalizer: SECRET_IDENTITY_FINALIZER,
      });
      ctx.status.ready = found.ready;
      if (found.ready) {
        ctx.setCondition(trueCondition(CREDENTIALS_AVAILABLE, 'SecretAvailable'));
        return done({ recheckAfterMs: RECHECK_MS });
      }
      ctx.setCondition(falseCondition(CREDENTIALS_AVAILABLE, found.reason, found.message, 'Warning'));
      return requeue(MISSING_RETRY_MS, found.message);
    },
    async delete(ctx) {
      await releaseIdentitySecret(ctx.kube, ctx.object, {
        identityNamespace: access.identityNamespace,
        finalizer: SECRET_IDENTITY_FINALIZER,
      });
      return done();
    },
  };
}
