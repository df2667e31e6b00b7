import type { KubeClient, ObjectMeta } from '@immutable-infra/core';
import { type LabelSelector, labelSelectorMatches } from '../kube/label-selectors.js';

/**
 * Cluster API's cluster identities (CAPV's VSphereClusterIdentity, CAPZ's AzureClusterIdentity, …):
 * a cluster-scoped object naming a Secret in the provider's own namespace, which only the
 * namespaces its `allowedNamespaces.selector` selects may use. An infrastructure cluster's
 * `identityRef` names either such an identity or a Secret of its own namespace.
 */

/** A cluster identity object as read: only the fields the rule needs. */
export interface ClusterIdentityObject {
  metadata: { name: string };
  spec: {
    secretName?: string | undefined;
    allowedNamespaces?: { selector?: LabelSelector | undefined } | undefined;
  };
  status?: { ready?: boolean | undefined } | undefined;
}

export type IdentitySecret =
  | { ok: true; ref: { namespace: string; name: string } }
  | { ok: false; reason: 'IdentityNotFound' | 'IdentityNotAllowed' | 'IdentityNotReady'; message: string };

/**
 * The Secret an `identityRef` stands for: a Secret in the cluster's namespace (`kind: Secret`), or
 * the identity's Secret in `identityNamespace`, for a namespace its selector selects (none when it
 * is unset, every one when it is `{}`). Problems name the identity and field, never a value.
 */
export async function clusterIdentitySecret(
  kube: KubeClient,
  input: {
    /** The infrastructure cluster's `identityRef`. */
    identityRef: { kind: string; name: string };
    /** The infrastructure cluster's namespace. */
    namespace: string;
    /** The provider's cluster identity kind, e.g. `{ apiVersion, kind: 'VSphereClusterIdentity' }`. */
    identity: { apiVersion: string; kind: string };
    /** The provider's own namespace: an identity's Secret is read there, never elsewhere. */
    identityNamespace: string;
    /**
     * Use the identity only once its own controller found its Secret usable (`status.ready`), as
     * CAPV does; for a provider that reconciles its identities (see {@link claimIdentitySecret}).
     */
    requireReady?: boolean;
  },
): Promise<IdentitySecret> {
  const { identityRef, namespace } = input;
  if (identityRef.kind === 'Secret') return { ok: true, ref: { namespace, name: identityRef.name } };
  const kind = input.identity.kind;
  const found = await kube.get<ClusterIdentityObject>({ ...input.identity, name: identityRef.name });
  if (!found?.spec.secretName)
    return {
      ok: false,
      reason: 'IdentityNotFound',
      message: found
        ? `${kind} ${identityRef.name} names no Secret (spec.secretName)`
        : `${kind} ${identityRef.name} not found`,
    };
  // As CAPV: no allowedNamespaces allows none; an empty one (no selector, or `{}`) allows all.
  const allowed = found.spec.allowedNamespaces;
  const labels =
    (
      await kube.get<{ metadata: { labels?: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Namespace',
        name: namespace,
      })
    )?.metadata.labels ?? {};
  if (!allowed || !labelSelectorMatches(allowed.selector ?? {}, labels))
    return {
      ok: false,
      reason: 'IdentityNotAllowed',
      message: `${kind} ${identityRef.name} does not allow namespace ${namespace} (spec.allowedNamespaces.selector)`,
    };
  if (input.requireReady && found.status?.ready !== true)
    return {
      ok: false,
      reason: 'IdentityNotReady',
      message: `${kind} ${identityRef.name} is not ready (status.ready): its conditions say why`,
    };
  return { ok: true, ref: { namespace: input.identityNamespace, name: found.spec.secretName } };
}

/** What a cluster identity's reconcile found: its Secret usable (and owned), or why not. */
export type IdentityCredentials =
  | { ready: true }
  | {
      ready: false;
      reason: 'SecretNotAvailable' | 'SecretAlreadyInUse' | 'SecretKeysMissing';
      message: string;
    };

interface IdentitySecretObject {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

/**
 * A cluster identity's reconcile, as CAPV's: its Secret in the provider's namespace must exist and
 * hold every `requiredKeys` (non-empty; only key names are looked at, never a value), and must not
 * belong to another identity or cluster; then the identity becomes its controlling owner, so the
 * Secret goes with the identity. With a `finalizer`, the Secret also carries it (CAPV's
 * `vspherecluster/infrastructure.cluster.x-k8s.io`), so it is not deleted while the identity uses it;
 * {@link releaseIdentitySecret} takes it off when the identity is deleted. Owner reference and
 * finalizer are written together, with the Secret's resourceVersion: another writer's change in
 * between fails the write instead of being lost.
 */
export async function claimIdentitySecret(
  kube: KubeClient,
  identity: {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    spec: { secretName?: string | undefined };
  },
  options: { identityNamespace: string; requiredKeys: readonly string[]; finalizer?: string | undefined },
): Promise<IdentityCredentials> {
  const name = identity.spec.secretName;
  const where = `Secret ${options.identityNamespace}/${name}`;
  if (!name)
    return {
      ready: false,
      reason: 'SecretNotAvailable',
      message: `${identity.kind} names no Secret (spec.secretName)`,
    };
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: options.identityNamespace, name };
  const secret = await kube.get<IdentitySecretObject>(ref);
  if (!secret) return { ready: false, reason: 'SecretNotAvailable', message: `${where} not found` };
  const owners = secret.metadata.ownerReferences ?? [];
  const otherOwner = owners.find((o) => o.controller && o.uid !== identity.metadata.uid);
  if (otherOwner)
    return {
      ready: false,
      reason: 'SecretAlreadyInUse',
      message: `${where} is owned by ${otherOwner.kind} ${otherOwner.name}`,
    };
  const missing = options.requiredKeys.filter((key) => !secret.data?.[key]);
  if (missing.length > 0)
    return {
      ready: false,
      reason: 'SecretKeysMissing',
      message: `${where} has no ${missing.join(', ')} (data.${missing.join(', data.')})`,
    };
  const owned = owners.some((o) => o.uid === identity.metadata.uid);
  const finalizers = secret.metadata.finalizers ?? [];
  const held = !options.finalizer || finalizers.includes(options.finalizer);
  if (!owned || !held) {
    const owner = {
      apiVersion: identity.apiVersion,
      kind: identity.kind,
      name: identity.metadata.name,
      uid: identity.metadata.uid as string,
      controller: true,
    };
    await kube.patch(ref, {
      metadata: {
        ...(owned ? {} : { ownerReferences: [...owners, owner] }),
        ...(held ? {} : { finalizers: [...finalizers, options.finalizer] }),
        resourceVersion: secret.metadata.resourceVersion,
      },
    });
  }
  return { ready: true };
}

/**
 * A deleted cluster identity's part of {@link claimIdentitySecret} undone: the finalizer comes off
 * its Secret, which the owner reference then lets go with the identity. A Secret that is gone, or
 * that another identity controls (a Secret name reused after this one claimed it), is left alone.
 */
export async function releaseIdentitySecret(
  kube: KubeClient,
  identity: { metadata: ObjectMeta; spec: { secretName?: string | undefined } },
  options: { identityNamespace: string; finalizer: string },
): Promise<void> {
  const name = identity.spec.secretName;
  if (!name) return;
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: options.identityNamespace, name };
  const secret = await kube.get<IdentitySecretObject>(ref);
  if (!secret) return;
  const controller = secret.metadata.ownerReferences?.find((o) => o.controller)?.uid;
  if (controller && controller !== identity.metadata.uid) return;
  const finalizers = secret.metadata.finalizers ?? [];
  if (!finalizers.includes(options.finalizer)) return;
  await kube.patch(ref, {
    metadata: {
      finalizers: finalizers.filter((f) => f !== options.finalizer),
      resourceVersion: secret.metadata.resourceVersion,
    },
  });
}
