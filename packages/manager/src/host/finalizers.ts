import { type KubeObject, type ObjectClient, refOf } from '../kube/object-client.js';

/** The finalizer the host puts on every object a provider reconciles. */
export function finalizerName(platform: string): string {
  return `${platform}.infrastructure.immutable-infra.dev`;
}

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return ((object.metadata.finalizers as string[] | undefined) ?? []).includes(finalizer);
}

/**
 * Adds or removes a finalizer with a merge patch carrying the resourceVersion,
 * so a concurrent change of the list fails with 409 instead of being lost.
 */
export async function setFinalizer<T extends KubeObject>(
  client: ObjectClient,
  object: T,
  finalizer: string,
  present: boolean,
): Promise<T> {
  const current = (object.metadata.finalizers as string[] | undefined) ?? [];
  const next = present ? [...new Set([...current, finalizer])] : current.filter((f) => f !== finalizer);
  if (next.length === current.length && next.every((f, i) => f === current[i])) return object;
  return client.patch<T>(refOf(object), {
    metadata: { finalizers: next, resourceVersion: object.metadata.resourceVersion },
  });
}
