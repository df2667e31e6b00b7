import { createHash } from 'node:crypto';

export interface StoredObject {
  body: Buffer;
  contentType: string;
  /** The MD5 of the body in hex, quoted as OBS sends it in `ETag`. */
  etag: string;
  lastModified: Date;
}

/** What `GET /_sim/state` shows of an object: never its content. */
export interface ObjectView {
  bucket: string;
  key: string;
  size: number;
  contentType: string;
  etag: string;
  lastModified: string;
}

/**
 * The region's OBS buckets and their objects. Buckets come from the inventory (the provider never
 * creates one: an operator chooses the bucket and its policy); objects are written, read and
 * deleted through the API.
 */
export class ObjectStorage {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  /** Objects written since start-up, so a test can count writes rather than sample what exists. */
  writes = 0;

  constructor(bucketNames: readonly string[]) {
    for (const name of bucketNames) this.buckets.set(name, new Map());
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  put(bucket: string, key: string, body: Buffer, contentType: string): StoredObject {
    const stored = {
      body,
      contentType,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(),
    };
    this.buckets.get(bucket)?.set(key, stored);
    this.writes += 1;
    return stored;
  }

  /** Deleting a key that is not there succeeds, as on OBS. */
  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }

  list(): ObjectView[] {
    return [...this.buckets].flatMap(([bucket, objects]) =>
      [...objects].map(([key, object]) => ({
        bucket,
        key,
        size: object.body.length,
        contentType: object.contentType,
        etag: object.etag,
        lastModified: object.lastModified.toISOString(),
      })),
    );
  }
}
