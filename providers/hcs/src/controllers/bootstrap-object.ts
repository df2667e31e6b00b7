import { done, rememberSecretValue, type Step } from '@immutable-infra/core';
import { tolerating } from '@immutable-infra/provider-kit';
import type { ObsBucketRef } from '../cloud/hcs-http.js';
import type { MachineRun } from './machine-run.js';
import { bootstrapObjectKey } from './names.js';

/** How long a server's pre-signed URL works unless the HCSCluster says otherwise. */
export const DEFAULT_URL_VALIDITY_SECONDS = 1800;

interface BootstrapObject {
  target: ObsBucketRef;
  key: string;
}

/**
 * The machine's bootstrap object: where status recorded it (so a bucket changed or removed on the
 * HCSCluster later still gets its old object deleted), else where the HCSCluster says it goes,
 * under the machine's UID-bound key. None when neither names a bucket.
 */
function bootstrapObjectOf(run: MachineRun): BootstrapObject | undefined {
  const recorded = run.ctx.status.bootstrapObject ?? run.ctx.object.status?.bootstrapObject;
  if (recorded)
    return { target: { bucket: recorded.bucket, endpoint: recorded.endpoint }, key: recorded.key };
  const storage = run.cluster.spec.bootstrapObjectStorage;
  if (!storage) return undefined;
  const { namespace = 'default', name, uid = '' } = run.ctx.object.metadata;
  return {
    target: { bucket: storage.bucket, endpoint: storage.endpoint },
    key: bootstrapObjectKey(namespace, name, uid),
  };
}

const deletedAlready = (run: MachineRun) =>
  Boolean((run.ctx.status.bootstrapObject ?? run.ctx.object.status?.bootstrapObject)?.deletedAt);

/**
 * Puts the composed cloud-config into the machine's OBS object (looked up first: a reconcile that
 * stopped after the write left it there) and gives the server only a cloud-init `#include` of a
 * pre-signed GET URL. The object is recorded in status before the server is asked for, with the
 * same UID-bound key every run, so no crash leaves an object nothing will delete.
 */
export function writeBootstrapObjectStep(compose: (run: MachineRun) => Promise<string>): Step<MachineRun> {
  return {
    name: 'WriteBootstrapObject',
    when: (run) => run.servers.length === 0 && run.cluster.spec.bootstrapObjectStorage !== undefined,
    async run(run) {
      const { ctx } = run;
      const storage = run.cluster.spec.bootstrapObjectStorage;
      if (!storage) return done();
      const { namespace = 'default', name, uid = '' } = ctx.object.metadata;
      const target = { bucket: storage.bucket, endpoint: storage.endpoint };
      const key = bootstrapObjectKey(namespace, name, uid);
      const found = await tolerating(
        run.cloud.headObject(target, key).then(() => true),
        'NotFound',
      );
      const previous = ctx.status.bootstrapObject ?? ctx.object.status?.bootstrapObject;
      if (!found) {
        await run.cloud.putObject(target, key, await compose(run), 'text/cloud-config');
        ctx.events.normal(
          'BootstrapDataStored',
          `bootstrap data stored as OBS object ${key} in bucket ${storage.bucket}; the server gets a URL valid for ${storage.urlValiditySeconds ?? DEFAULT_URL_VALIDITY_SECONDS} s`,
        );
      }
      ctx.status.bootstrapObject = {
        bucket: storage.bucket,
        ...(storage.endpoint ? { endpoint: storage.endpoint } : {}),
        key,
        writtenAt: found ? (previous?.writtenAt ?? new Date().toISOString()) : new Date().toISOString(),
      };
      const validity = (storage.urlValiditySeconds ?? DEFAULT_URL_VALIDITY_SECONDS) * 1000;
      const url = await run.cloud.presignedObjectUrl(target, key, new Date(Date.now() + validity));
      // The URL reads the node's keys until it expires: masked wherever it might turn up.
      rememberSecretValue(url);
      run.userData = `#include\n${url}\n`;
      return done();
    },
  };
}

/**
 * Deletes the machine's bootstrap object (deleting a missing one succeeds) and records it. Runs
 * once the node has registered, when the data has been read, and when the machine is deleted.
 */
export const deleteBootstrapObject: Step<MachineRun> = {
  name: 'DeleteBootstrapObject',
  when: (run) => bootstrapObjectOf(run) !== undefined && !deletedAlready(run),
  async run(run) {
    const object = bootstrapObjectOf(run) as BootstrapObject;
    await run.cloud.deleteObject(object.target, object.key);
    run.ctx.status.bootstrapObject = {
      bucket: object.target.bucket,
      ...(object.target.endpoint ? { endpoint: object.target.endpoint } : {}),
      key: object.key,
      ...(run.ctx.status.bootstrapObject?.writtenAt
        ? { writtenAt: run.ctx.status.bootstrapObject.writtenAt }
        : {}),
      deletedAt: new Date().toISOString(),
    };
    run.ctx.events.normal(
      'BootstrapDataDeleted',
      `OBS object ${object.key} in bucket ${object.target.bucket} deleted`,
    );
    return done();
  },
};

/** The reconcile's variant: only after the node registered (the Machine's nodeRef), when the data was read. */
export const deleteBootstrapObjectOnceJoined: Step<MachineRun> = {
  ...deleteBootstrapObject,
  when: (run) => Boolean(run.ctx.machine.status?.nodeRef) && deleteBootstrapObject.when?.(run) === true,
};
