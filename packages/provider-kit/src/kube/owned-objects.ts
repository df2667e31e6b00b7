/**
 * Bookkeeping of an object a controller keeps for another (a record kind beside the machine, a
 * generated Secret): owned by it, made once even when two reconciles race, its status written only
 * when something changed, and let go of (finalizer off, deleted) by its owner's delete.
 */
import type { Condition, KubeClient, ObjectMeta, OwnerReference } from '@immutable-infra/core';
import { isKubeConflict } from './kube-errors.js';

type KubeObject = { apiVersion: string; kind: string; metadata: ObjectMeta };

/** The owner reference that makes `owner` the object's controller: the owner's deletion waits for it. */
export const controllerReference = (owner: {
  apiVersion: string;
  kind: string;
  metadata: Pick<ObjectMeta, 'name' | 'uid'>;
}): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

/** Whether `owner` (by its UID) owns the object: a same-named leftover of an earlier owner does not. */
export const ownedBy = (object: { metadata: ObjectMeta }, owner: { metadata: Pick<ObjectMeta, 'uid'> }) =>
  (object.metadata.ownerReferences ?? []).some((o) => o.uid === owner.metadata.uid);

const refOf = (object: KubeObject) => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  namespace: object.metadata.namespace ?? 'default',
  name: object.metadata.name,
});

/** The object as it is, else created as `wanted`; a create that lost a race (409) reads the winner's. */
export async function readOrCreate<T extends KubeObject>(kube: KubeClient, wanted: T): Promise<T> {
  const ref = refOf(wanted);
  const found = await kube.get<T>(ref);
  if (found) return found;
  try {
    return await kube.create(wanted);
  } catch (error) {
    if (!isKubeConflict(error)) throw error;
    const raced = await kube.get<T>(ref);
    if (!raced) throw error;
    return raced;
  }
}

/** Conditions compared without their transition times, so an unchanged condition writes nothing. */
export const conditionsKey = (conditions: unknown): string =>
  JSON.stringify(
    ((conditions ?? []) as Condition[]).map((c) => [
      c.type,
      c.status,
      c.reason ?? '',
      c.message ?? '',
      c.severity ?? '',
    ]),
  );

/** Absent, null and an empty list are the same value: none. */
const valueKey = (value: unknown) =>
  JSON.stringify(value === undefined || (Array.isArray(value) && value.length === 0) ? null : value);

/**
 * The merge patch that brings `fields` of `current` to `wanted` (null removes one), or undefined
 * when none differs, so a status is written only when something a reader sees changed. A field
 * named `conditions` is compared by {@link conditionsKey}, every other by its JSON.
 */
export function changedFields<T extends object>(
  current: T | undefined,
  wanted: T,
  fields: readonly (keyof T & string)[],
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const field of fields) {
    const key = field === 'conditions' ? conditionsKey : valueKey;
    if (key(current?.[field]) !== key(wanted[field])) patch[field] = wanted[field] ?? null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/**
 * The owner's delete is done with the object: its finalizer comes off (compare-and-swap) and it is
 * deleted, unless it is being deleted already. A missing object, or one of another owner, is
 * left alone.
 */
export async function releaseOwnedObject(
  kube: KubeClient,
  ref: { apiVersion: string; kind: string; namespace: string; name: string },
  owner: { metadata: Pick<ObjectMeta, 'uid'> },
  finalizer: string,
): Promise<void> {
  const found = await kube.get<KubeObject>(ref);
  if (!found || !ownedBy(found, owner)) return;
  const finalizers = found.metadata.finalizers ?? [];
  if (finalizers.includes(finalizer))
    await kube.patch(ref, {
      metadata: {
        resourceVersion: found.metadata.resourceVersion,
        finalizers: finalizers.filter((f) => f !== finalizer),
      },
    });
  if (!found.metadata.deletionTimestamp) await kube.delete(ref);
}
