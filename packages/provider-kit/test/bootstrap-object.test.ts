import { describe, expect, it } from 'vitest';
import {
  type BootstrapBucket,
  type BootstrapObjectRecord,
  type BootstrapObjectStore,
  type BucketRef,
  bootstrapObjectSteps,
  DEFAULT_URL_VALIDITY_SECONDS,
} from '../src/index.js';

/** A machine's reconcile as these steps see it, with an object store kept in memory. */
interface Run {
  bucket: BootstrapBucket | undefined;
  stored: BootstrapObjectRecord | undefined;
  draft: BootstrapObjectRecord | undefined;
  hasServer: boolean;
  joined: boolean;
  userData?: string;
  events: string[];
}

function memoryStore() {
  const objects = new Map<string, string>();
  const at = (target: BucketRef, key: string) => `${target.endpoint ?? 'default'}/${target.bucket}/${key}`;
  const store: BootstrapObjectStore = {
    exists: async (target, key) => objects.has(at(target, key)),
    put: async (target, key, content) => void objects.set(at(target, key), content),
    delete: async (target, key) => void objects.delete(at(target, key)),
    presignedGetUrl: async (target, key, expiresAt) =>
      `https://${target.bucket}.store.example/${key}?Expires=${Math.floor(expiresAt.getTime() / 1000)}`,
  };
  return { objects, store, at };
}

function stepsFor(store: BootstrapObjectStore) {
  return bootstrapObjectSteps<Run>({
    storeName: 'OBS',
    bucket: (run) => run.bucket,
    store: () => store,
    key: () => 'bootstrap/ns/m-1/uid-1/user-data',
    recorded: (run) => run.draft ?? run.stored,
    record: (run, record) => {
      run.draft = record;
    },
    events: (run) => ({
      normal: (reason) => run.events.push(reason),
      warning: (reason) => run.events.push(reason),
    }),
    needsServer: (run) => !run.hasServer,
    joined: (run) => run.joined,
    compose: async () => '#cloud-config\nsecret: join-token\n',
    useUserData: (run, userData) => {
      run.userData = userData;
    },
  });
}

const newRun = (over: Partial<Run> = {}): Run => ({
  bucket: { bucket: 'boot' },
  stored: undefined,
  draft: undefined,
  hasServer: false,
  joined: false,
  events: [],
  ...over,
});

describe('bootstrapObjectSteps', () => {
  it('stores the data once, records the object and gives the server only an #include of a pre-signed URL', async () => {
    const { objects, store, at } = memoryStore();
    const steps = stepsFor(store);
    const run = newRun();
    expect(steps.write.when?.(run)).toBe(true);
    expect((await steps.write.run(run)).type).toBe('done');
    const key = 'bootstrap/ns/m-1/uid-1/user-data';
    expect(objects.get(at({ bucket: 'boot' }, key))).toContain('join-token');
    expect(run.userData).toMatch(
      /^#include\nhttps:\/\/boot\.store\.example\/bootstrap\/ns\/m-1\/uid-1\/user-data\?Expires=\d+\n$/,
    );
    const expires = Number(/Expires=(\d+)/.exec(run.userData ?? '')?.[1]);
    expect(expires * 1000 - Date.now()).toBeGreaterThan((DEFAULT_URL_VALIDITY_SECONDS - 60) * 1000);
    expect(run.draft).toMatchObject({ bucket: 'boot', key });
    expect(run.draft?.endpoint).toBeUndefined();
    expect(run.events).toEqual(['BootstrapDataStored']);

    // A later reconcile (the server create failed) finds the object and keeps when it was written.
    const again = newRun({ stored: run.draft });
    await steps.write.run(again);
    expect(again.events).toEqual([]);
    expect(again.draft?.writtenAt).toBe(run.draft?.writtenAt);
  });

  it('writes nothing without a bucket, or once the server exists', () => {
    const steps = stepsFor(memoryStore().store);
    expect(steps.write.when?.(newRun({ bucket: undefined }))).toBe(false);
    expect(steps.write.when?.(newRun({ hasServer: true }))).toBe(false);
    expect(steps.remove.when?.(newRun({ bucket: undefined }))).toBe(false);
  });

  it('deletes the object where status recorded it, even after the cluster named another bucket, and only once', async () => {
    const { objects, store, at } = memoryStore();
    const steps = stepsFor(store);
    const first = newRun({ bucket: { bucket: 'old', endpoint: 'https://store.example' } });
    await steps.write.run(first);
    const recorded = first.draft as BootstrapObjectRecord;
    expect(objects.has(at({ bucket: 'old', endpoint: 'https://store.example' }, recorded.key))).toBe(true);

    const later = newRun({ bucket: { bucket: 'new' }, stored: recorded, hasServer: true });
    expect(steps.removeOnceJoined.when?.(later)).toBe(false);
    later.joined = true;
    expect(steps.removeOnceJoined.when?.(later)).toBe(true);
    await steps.removeOnceJoined.run(later);
    expect(objects.size).toBe(0);
    expect(later.draft).toMatchObject({
      bucket: 'old',
      endpoint: 'https://store.example',
      key: recorded.key,
      writtenAt: recorded.writtenAt,
    });
    expect(later.draft?.deletedAt).toBeDefined();
    expect(later.events).toEqual(['BootstrapDataDeleted']);
    expect(steps.remove.when?.(later)).toBe(false);
  });

  it('deletes the object under its key when status lost the record (a crash after the write)', async () => {
    const { objects, store } = memoryStore();
    const steps = stepsFor(store);
    await steps.write.run(newRun());
    const deleting = newRun({ hasServer: true });
    expect(steps.remove.when?.(deleting)).toBe(true);
    await steps.remove.run(deleting);
    expect(objects.size).toBe(0);
  });
});
