import type { KubeClient, ObjectReference } from '@immutable-infra/core';

/**
 * Keeps annotations on an object another controller owns (an inventory host, a user's object):
 * one merge patch of the wanted keys when any differs (null removes a key), none when all match,
 * so a reconcile that changes nothing writes nothing. The object's copy is updated to match, for
 * the later steps of the same reconcile. Answers whether it patched.
 */
export async function keepAnnotations(
  kube: Pick<KubeClient, 'patch'>,
  ref: ObjectReference,
  object: { metadata: { annotations?: Record<string, string> | undefined } },
  wanted: Record<string, string | null>,
): Promise<boolean> {
  const current = object.metadata.annotations ?? {};
  if (Object.entries(wanted).every(([key, value]) => (current[key] ?? null) === value)) return false;
  await kube.patch(ref, { metadata: { annotations: wanted } });
  object.metadata.annotations = Object.fromEntries(
    Object.entries({ ...current, ...wanted }).filter((pair): pair is [string, string] => pair[1] !== null),
  );
  return true;
}
