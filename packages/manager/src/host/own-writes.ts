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
