import type { KubeClient, OwnerReference } from '@immutable-infra/core';
import { isKubeConflict } from './kube-errors.js';

type SecretObject = {
  metadata: { resourceVersion?: string; ownerReferences?: { uid: string }[] };
  data?: Record<string, string>;
};

/** A Secret the provider makes from what it alone may read (a credential), as `stringData`. */
export interface GeneratedSecret {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined } & Record<string, unknown>;
  stringData: Record<string, string>;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * Keeps a Secret the provider generates for an object (`owner`, whose deletion takes it along):
 * made when missing, its `stringData` keys written again when they changed (a rotated password,
 * say). One the owner does not own (a user applied it) is left as it is: `not ours`. A create that
 * lost a race leaves the winner's, which the next reconcile compares.
 */
export async function ensureGeneratedSecret(
  kube: KubeClient,
  wanted: GeneratedSecret,
  owner: OwnerReference,
): Promise<'created' | 'updated' | 'unchanged' | 'not ours'> {
  const ref = {
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: wanted.metadata.namespace ?? 'default',
    name: wanted.metadata.name,
  };
  const found = await kube.get<SecretObject>(ref);
  if (!found) {
    try {
      await kube.create({ ...wanted, metadata: { ...wanted.metadata, ownerReferences: [owner] } });
      return 'created';
    } catch (error) {
      if (isKubeConflict(error)) return 'unchanged';
      throw error;
    }
  }
  if (!(found.metadata.ownerReferences ?? []).some((o) => o.uid === owner.uid)) return 'not ours';
  const data = Object.fromEntries(
    Object.entries(wanted.stringData).map(([key, value]) => [key, base64(value)]),
  );
  if (Object.entries(data).every(([key, value]) => found.data?.[key] === value)) return 'unchanged';
  await kube.patch(ref, { metadata: { resourceVersion: found.metadata.resourceVersion }, data });
  return 'updated';
}
