import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../kube/object-client.js';

interface StatusWrite {
  /** The resourceVersion the write was made against. */
  baseVersion: string | undefined;
  status: unknown;
  /** The resourceVersion the API server returned, once it has answered. */
  resultVersion?: string | undefined;
  resultStatus?: unknown;
}

/**
 * Remembers the host's own status writes, so the watch event each one causes does not wake the
 * object again: a provider reads its spec, metadata and the status it wrote itself, and nothing
 * of that changed. Only an event that is exactly our write is dropped: its previous version is
 * the one we wrote against (a status update carries that resourceVersion, so nobody else can
 * have written in between), nothing but status differs, and the status is the one we wrote.
 * Anything else (spec, labels, annotations, finalizers, deletionTimestamp, ownerReferences, or
 * status from another writer) still wakes the object.
 */
export class OwnStatusWrites {
  private readonly writes = new Map<string, StatusWrite>();

  /**
   * Called before the request: the watch event can arrive before the response does, and is
   * then recognised by its status.
   */
  writing(key: string, base: KubeObject, status: unknown): void {
    this.writes.set(key, { baseVersion: base.metadata.resourceVersion, status: structuredClone(status) });
  }

  written(key: string, result: KubeObject): void {
    const write = this.writes.get(key);
    if (!write) return;
    write.resultVersion = result.metadata.resourceVersion;
    write.resultStatus = structuredClone(result.status);
  }

  /** True (and forgotten) when `object` differs from `previous` by our last status write only. */
  isOwnWrite(key: string, previous: KubeObject, object: KubeObject): boolean {
    const write = this.writes.get(key);
    if (!write || write.baseVersion === undefined) return false;
    if (previous.metadata.resourceVersion !== write.baseVersion) return false;
    if (!isDeepStrictEqual(withoutStatus(previous), withoutStatus(object))) return false;
    const ours =
      (write.resultVersion !== undefined && object.metadata.resourceVersion === write.resultVersion) ||
      isDeepStrictEqual(object.status, write.status) ||
      (write.resultStatus !== undefined && isDeepStrictEqual(object.status, write.resultStatus));
    if (ours) this.writes.delete(key);
    return ours;
  }

  /**
   * Whether a status write to `key` has not come back through the watch yet: the informer's copy
   * of the object may then be older than what we wrote, so the object is read from the API server.
   */
  pending(key: string): boolean {
    return this.writes.has(key);
  }

  forget(key: string): void {
    this.writes.delete(key);
  }
}

function withoutStatus(object: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = object;
  const { resourceVersion: _version, managedFields: _fields, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

/**
 * Remembers the host's own finalizer removals until the watch shows them. Between the removal and
 * its watch event the informer still holds a copy with the finalizer and the deletionTimestamp,
 * and a reconcile queued in that window would run the provider's delete steps again: on platform
 * resources (a host, a pool slot) that another object may have taken over meanwhile. While a
 * removal is remembered, the object is read from the API server instead. Keyed by key and UID, so
 * a new object of the same name is not mistaken for the deleted one; forgotten as soon as the
 * informer delivers the delete or a copy without the finalizer, so it holds at most the removals
 * whose events are still on their way.
 */
export class OwnFinalizerRemovals {
  private readonly removals = new Map<string, string | undefined>();

  constructor(private readonly finalizer: string) {}

  /** Called before the request: its watch event can arrive before the response does. */
  removing(key: string, object: KubeObject): void {
    this.removals.set(key, object.metadata.uid);
  }

  /** Whether `copy` is the informer's copy of an object whose finalizer we removed since. */
  isStale(key: string, copy: KubeObject): boolean {
    return this.removals.has(key) && this.removals.get(key) === copy.metadata.uid;
  }

  /** Every informer event of the kind: a copy without our finalizer, or another object, is the watch caught up. */
  observed(key: string, object: KubeObject): void {
    if (!this.removals.has(key)) return;
    const finalizers = (object.metadata.finalizers as string[] | undefined) ?? [];
    if (object.metadata.uid !== this.removals.get(key) || !finalizers.includes(this.finalizer))
      this.removals.delete(key);
  }

  forget(key: string): void {
    this.removals.delete(key);
  }

  get size(): number {
    return this.removals.size;
  }
}
