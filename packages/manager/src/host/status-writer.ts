import { isDeepStrictEqual } from 'node:util';
import { isConflict } from '../kube/api-error.js';
import { type KubeObject, type ObjectClient, refOf } from '../kube/object-client.js';

const ATTEMPTS = 5;

/** Told about each status request, so the host can recognise the watch event it causes. */
export interface StatusWriteObserver {
  writing(base: KubeObject, status: Record<string, unknown>): void;
  written(result: KubeObject): void;
}

/** The top-level status fields a reconcile changed: their new values, and the ones it removed. */
export type FieldChanges = { set: Record<string, unknown>; removed: string[] };

/** The fields of `after` that differ from `before`, and the fields `after` no longer has. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): FieldChanges {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (!isDeepStrictEqual(before[key], value)) set[key] = value;
  }
  const removed = Object.keys(before).filter((key) => !(key in after));
  return { set, removed };
}

/**
 * Another writer changed, since the reconcile read the object, a status field the reconcile
 * changes too. The reconcile's value was derived from the old one (a pool's records from the slots
 * it saw, a count from the list it read), so writing it would put back what the other writer
 * took away: the reconcile is run again on the fresh object instead.
 */
export class StatusFieldConflict extends Error {
  constructor(
    readonly ref: string,
    readonly fields: readonly string[],
  ) {
    super(
      `${ref}: ${fields.map((field) => `status.${field}`).join(', ')} changed by another writer since this reconcile read it`,
    );
    this.name = 'StatusFieldConflict';
  }
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

/**
 * Writes the fields a reconcile changed (`changes`, computed against `base`, the status it read)
 * onto the object's current status. After a 409 the fresh status is checked field by field: a
 * field another writer changed too (it is neither `base`'s value nor ours) throws
 * StatusFieldConflict and nothing is written; the other fields are applied over the other writer's.
 * Values are compared as sent (JSON): a key left `undefined` is no value.
 */
export function writeFieldChanges<T extends KubeObject>(
  client: ObjectClient,
  object: T,
  base: Record<string, unknown>,
  changes: FieldChanges,
  observer?: StatusWriteObserver,
): Promise<T> {
  return writeStatus(
    client,
    object,
    (current) => {
      const contested = [...Object.keys(changes.set), ...changes.removed].filter(
        (field) =>
          !sameAsSent(current[field], base[field]) && !sameAsSent(current[field], changes.set[field]),
      );
      if (contested.length > 0) throw new StatusFieldConflict(refLabel(object), contested);
      const next = { ...current, ...structuredClone(changes.set) };
      for (const field of changes.removed) delete next[field];
      return next;
    },
    observer,
  );
}

/** A value as the API server receives it (JSON): a key left `undefined` is not sent. */
export const asSent = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

const sameAsSent = (a: unknown, b: unknown) => isDeepStrictEqual(asSent(a), asSent(b));

function refLabel(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
