import type { KubeClient } from '@immutable-infra/core';
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
}

export type IdentitySecret =
  | { ok: true; ref: { namespace: string; name: string } }
  | { ok: false; reason: 'IdentityNotFound' | 'IdentityNotAllowed'; message: string };

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
  const selector = found.spec.allowedNamespaces?.selector;
  const labels =
    (
      await kube.get<{ metadata: { labels?: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'Namespace',
        name: namespace,
      })
    )?.metadata.labels ?? {};
  if (!selector || !labelSelectorMatches(selector, labels))
    return {
      ok: false,
      reason: 'IdentityNotAllowed',
      message: `${kind} ${identityRef.name} does not allow namespace ${namespace} (spec.allowedNamespaces.selector)`,
    };
  return { ok: true, ref: { namespace: input.identityNamespace, name: found.spec.secretName } };
}
