import { isDeepStrictEqual } from 'node:util';
import { isConflict } from '../kube/api-error.js';
import { type KubeObject, type ObjectClient, refOf } from '../kube/object-client.js';

const ATTEMPTS = 5;

/** Told about each status request, so the host can recognise the watch event it causes. */
export interface StatusWriteObserver {
  writing(base: KubeObject, status: Record<string, unknown>): void;
  written(result: KubeObject): void;
}

/**
 * The one status write at the end of a reconcile. `update` computes the new
 * status from the object's current one; on 409 Conflict the object is read
 * again and `update` re-applied, so another writer's change is never lost.
 * Nothing is written when the status would not change.
 */
export async function writeStatus<T extends KubeObject>(
  client: ObjectClient,
  object: T,
  update: (current: Record<string, unknown>) => Record<string, unknown>,
  observer?: StatusWriteObserver,
): Promise<T> {
  let current = object;
  for (let attempt = 1; ; attempt++) {
    const before = (current.status as Record<string, unknown> | undefined) ?? {};
    const after = update(structuredClone(before));
    if (isDeepStrictEqual(before, after)) return current;
    try {
      observer?.writing(current, after);
      const written = await client.updateStatus({ ...current, status: after });
      observer?.written(written);
      return written;
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
      const fresh = await client.get<T>(refOf(current));
      if (!fresh) return current;
      current = fresh;
    }
  }
}
