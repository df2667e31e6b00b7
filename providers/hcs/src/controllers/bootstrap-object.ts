import { bootstrapObjectSteps, tolerating } from '@immutable-infra/provider-kit';
import type { MachineRun } from './machine-run.js';
import { bootstrapObjectKey } from './names.js';

/**
 * The machine's bootstrap data in the OBS bucket its HCSCluster names (spec.bootstrapObjectStorage),
 * the server given only an `#include` of a pre-signed URL: the kit's bootstrap object steps, with
 * the access key of the machine's cloud and the record in status.bootstrapObject.
 */
export function bootstrapObjectStepsOf(compose: (run: MachineRun) => Promise<string>) {
  return bootstrapObjectSteps<MachineRun>({
    storeName: 'OBS',
    bucket: (run) => run.cluster.spec.bootstrapObjectStorage,
    store: ({ cloud }) => ({
      exists: async (target, key) =>
        (await tolerating(
          cloud.headObject(target, key).then(() => true),
          'NotFound',
        )) ?? false,
      put: cloud.putObject,
      delete: cloud.deleteObject,
      presignedGetUrl: cloud.presignedObjectUrl,
    }),
    key: ({ ctx }) => {
      const { namespace = 'default', name, uid = '' } = ctx.object.metadata;
      return bootstrapObjectKey(namespace, name, uid);
    },
    recorded: ({ ctx }) => ctx.status.bootstrapObject ?? ctx.object.status?.bootstrapObject,
    record: ({ ctx }, record) => {
      ctx.status.bootstrapObject = record;
    },
    events: ({ ctx }) => ctx.events,
    needsServer: (run) => run.servers.length === 0,
    joined: ({ ctx }) => Boolean(ctx.machine.status?.nodeRef),
    compose,
    useUserData: (run, userData) => {
      run.userData = userData;
    },
  });
}
