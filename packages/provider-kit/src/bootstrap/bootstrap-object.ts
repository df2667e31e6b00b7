import { done, type EventRecorder, rememberSecretValue, type Step } from '@immutable-infra/core';

/** A bucket of an S3-like object store and, when it is not the platform's default, the store's endpoint. */
export interface BucketRef {
  bucket: string;
  endpoint?: string | undefined;
}

/** Where an infrastructure cluster says its machines' bootstrap data goes. */
export interface BootstrapBucket extends BucketRef {
  /** How long the pre-signed URL in a new server's user data works; {@link DEFAULT_URL_VALIDITY_SECONDS} by default. */
  urlValiditySeconds?: number | undefined;
}

/** A machine's bootstrap object as its status records it: never its content or its URL. */
export interface BootstrapObjectRecord extends BucketRef {
  key: string;
  writtenAt?: string | undefined;
  deletedAt?: string | undefined;
}

/** The object store calls the steps make, with the machine's platform account. */
export interface BootstrapObjectStore {
  /** Whether the object is there. */
  exists(target: BucketRef, key: string): Promise<boolean>;
  put(target: BucketRef, key: string, content: string, contentType: string): Promise<void>;
  /** Deleting an object that is not there succeeds. */
  delete(target: BucketRef, key: string): Promise<void>;
  /** A GET URL that needs no credentials until `expiresAt`: as secret as the object. */
  presignedGetUrl(target: BucketRef, key: string, expiresAt: Date): Promise<string>;
}

/** How long a server's pre-signed URL works unless the infrastructure cluster says otherwise. */
export const DEFAULT_URL_VALIDITY_SECONDS = 1800;

/** What the bootstrap object steps need of a provider's machine run. */
export interface BootstrapObjectOptions<Run> {
  /** The store's name in Events: `OBS`, `S3`. */
  storeName: string;
  /** The bucket the machine's infrastructure cluster names; none: the bootstrap data stays in the user data. */
  bucket(run: Run): BootstrapBucket | undefined;
  store(run: Run): BootstrapObjectStore;
  /** The object's key, bound to the machine's UID: any reconcile or the deletion finds it after a crash. */
  key(run: Run): string;
  /** The record as this reconcile has it, else as status stores it. */
  recorded(run: Run): BootstrapObjectRecord | undefined;
  record(run: Run, record: BootstrapObjectRecord): void;
  events(run: Run): EventRecorder;
  /** Whether the machine has no server yet, so one is about to be created with the URL. */
  needsServer(run: Run): boolean;
  /** Whether the machine's node has registered (the Machine's nodeRef): its data has been read. */
  joined(run: Run): boolean;
  /** The whole bootstrap data the node reads (its keys and join token). */
  compose(run: Run): Promise<string>;
  /** Keeps the user data the new server gets: a cloud-init `#include` of the object's URL. */
  useUserData(run: Run, userData: string): void;
  /** The object's content type; `text/cloud-config` by default. */
  contentType?: string | undefined;
}

/**
 * Bootstrap data kept in an object store instead of the server's user data, which anyone who may
 * read the server through the platform's API can read for the server's whole life:
 *
 * - `write` puts the composed data into the machine's object (looked up first: a reconcile that
 *   stopped after the write left it there) and gives the server only a cloud-init `#include` of a
 *   pre-signed GET URL. The object is recorded in status before the server is asked for, under the
 *   same UID-bound key every run, so no crash leaves an object nothing will delete.
 * - `remove` deletes the object and records when (where status recorded it, so a bucket changed or
 *   removed on the cluster later still gets its old object deleted); for the machine's deletion.
 * - `removeOnceJoined` is `remove` once the node has registered, when the data has been read.
 */
export function bootstrapObjectSteps<Run>(options: BootstrapObjectOptions<Run>): {
  write: Step<Run>;
  remove: Step<Run>;
  removeOnceJoined: Step<Run>;
} {
  const { storeName } = options;
  const objectOf = (run: Run): BootstrapObjectRecord | undefined => {
    const recorded = options.recorded(run);
    if (recorded) return recorded;
    const bucket = options.bucket(run);
    return bucket && { bucket: bucket.bucket, endpoint: bucket.endpoint, key: options.key(run) };
  };
  const write: Step<Run> = {
    name: 'WriteBootstrapObject',
    when: (run) => options.needsServer(run) && options.bucket(run) !== undefined,
    async run(run) {
      const bucket = options.bucket(run);
      if (!bucket) return done();
      const target = { bucket: bucket.bucket, endpoint: bucket.endpoint };
      const key = options.key(run);
      const store = options.store(run);
      const found = await store.exists(target, key);
      const validitySeconds = bucket.urlValiditySeconds ?? DEFAULT_URL_VALIDITY_SECONDS;
      if (!found) {
        await store.put(target, key, await options.compose(run), options.contentType ?? 'text/cloud-config');
        options
          .events(run)
          .normal(
            'BootstrapDataStored',
            `bootstrap data stored as ${storeName} object ${key} in bucket ${bucket.bucket}; the server gets a URL valid for ${validitySeconds} s`,
          );
      }
      const now = new Date().toISOString();
      options.record(run, {
        bucket: bucket.bucket,
        ...(bucket.endpoint ? { endpoint: bucket.endpoint } : {}),
        key,
        writtenAt: found ? (options.recorded(run)?.writtenAt ?? now) : now,
      });
      const url = await store.presignedGetUrl(target, key, new Date(Date.now() + validitySeconds * 1000));
      // The URL reads the node's keys until it expires: masked wherever it might turn up.
      rememberSecretValue(url);
      options.useUserData(run, `#include\n${url}\n`);
      return done();
    },
  };
  const remove: Step<Run> = {
    name: 'DeleteBootstrapObject',
    when: (run) => objectOf(run) !== undefined && !options.recorded(run)?.deletedAt,
    async run(run) {
      const object = objectOf(run) as BootstrapObjectRecord;
      const target = { bucket: object.bucket, endpoint: object.endpoint };
      await options.store(run).delete(target, object.key);
      options.record(run, {
        bucket: object.bucket,
        ...(object.endpoint ? { endpoint: object.endpoint } : {}),
        key: object.key,
        ...(object.writtenAt ? { writtenAt: object.writtenAt } : {}),
        deletedAt: new Date().toISOString(),
      });
      options
        .events(run)
        .normal(
          'BootstrapDataDeleted',
          `${storeName} object ${object.key} in bucket ${object.bucket} deleted`,
        );
      return done();
    },
  };
  const removeOnceJoined: Step<Run> = {
    ...remove,
    when: (run) => options.joined(run) && remove.when?.(run) === true,
  };
  return { write, remove, removeOnceJoined };
}
