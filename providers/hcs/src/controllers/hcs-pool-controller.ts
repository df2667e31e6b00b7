import { done, type ExtraKindHooks, type ObjectContext, requeue, trueCondition } from '@immutable-infra/core';
import { ClaimablePool, persistentDiskRecords } from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import { HCSMachineConfigPool } from '../api/hcs-machine-config-pool.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import { describeHcsFailure } from '../cloud/hcs-failures.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { declaredDisks, observedVolumes } from './persistent-disks.js';
import { configPoolKind } from './pool-claims.js';

type Ctx = ObjectContext<typeof HCSMachineConfigPool>;
type DiskStatus = NonNullable<NonNullable<Ctx['object']['status']>['persistentDiskStatus']>[number];

// Volumes change on HCS without an event here; a slow refresh keeps the record honest.
const DISK_REFRESH_MS = 10_000;

/**
 * One record per (hostname, slot) with its EVS volume, phase, the server it is on and the machine
 * holding the entry. Needs the pool's `cluster.x-k8s.io/cluster-name` label to find credentials.
 */
async function refreshDiskStatus(ctx: Ctx, connections: HcsConnections): Promise<string | undefined> {
  const clusterName = ctx.object.metadata.labels?.['cluster.x-k8s.io/cluster-name'];
  if (!clusterName)
    return 'label the pool with cluster.x-k8s.io/cluster-name to report persistent disk status';
  const cluster = await ctx.kube.get<HCSClusterObject>({
    apiVersion: HCS_API_VERSION,
    kind: 'HCSCluster',
    name: clusterName,
    namespace: ctx.object.metadata.namespace,
  });
  if (!cluster) return `HCSCluster ${clusterName} not found`;
  const lookup = await cloudForCluster(ctx, connections, cluster);
  if (!lookup.ok) return lookup.message;
  const used = ctx.object.status?.usedConfigs ?? [];
  const disks = ctx.object.spec.configs.flatMap((entry) => declaredDisks(ctx.object.metadata.name, entry));
  const volumes = await observedVolumes(lookup.cloud, disks);
  const records: DiskStatus[] = persistentDiskRecords({
    disks,
    volumes,
    ownerOf: (hostname) => {
      const owner = used.find((u) => u.hostname === hostname);
      return owner ? { name: owner.machineRef, uid: owner.machineUID ?? '' } : undefined;
    },
    previous: (ctx.object.status?.persistentDiskStatus ?? []).map(
      ({ hostname, slot, phase, lastTransitionTime }) => ({
        entryKey: hostname,
        slot,
        ...(phase && { phase }),
        ...(lastTransitionTime && { lastTransitionTime }),
      }),
    ),
    now: ctx.clock.now(),
  }).map(({ entryKey, volumeId, attachedTo, ownerName, ownerUid, ...record }) => {
    const volume = volumes.get(record.name)?.volume;
    const attachment = volume?.attachments[0];
    return {
      hostname: entryKey,
      ...record,
      ...(volume ? { volumeID: volumeId, availabilityZone: volume.availability_zone } : {}),
      ...(attachment ? { attachedServerID: attachedTo, device: attachment.device } : {}),
      ...(ownerName ? { ownerMachineName: ownerName } : {}),
      ...(ownerUid ? { ownerMachineUID: ownerUid } : {}),
    };
  });
  ctx.status.persistentDiskStatus = records;
  return undefined;
}

/** Keeps the pool's counts and persistent disk records current; holds its deletion while entries are in use. */
export function hcsPoolHooks(connections: HcsConnections): ExtraKindHooks<typeof HCSMachineConfigPool> {
  return {
    kind: HCSMachineConfigPool,
    async reconcile(ctx) {
      const { total, free } = new ClaimablePool(ctx.kube, configPoolKind).usage(ctx.object);
      ctx.status.totalCount = total;
      ctx.status.availableCount = free;
      const hasDisks = ctx.object.spec.configs.some((c) => (c.persistentDisks ?? []).length > 0);
      const problem = hasDisks
        ? await refreshDiskStatus(ctx, connections).catch((error: unknown) => describeHcsFailure(error))
        : undefined;
      ctx.setCondition(trueCondition('Ready', 'Available', `${free} of ${total} entries free`));
      ctx.setCondition(
        problem
          ? {
              type: 'PersistentDisksReported',
              status: 'False',
              reason: 'NotReported',
              message: problem,
              severity: 'Info',
            }
          : trueCondition('PersistentDisksReported', hasDisks ? 'Reported' : 'NoPersistentDisks'),
      );
      return hasDisks ? done({ recheckAfterMs: DISK_REFRESH_MS }) : done();
    },
    async delete(ctx) {
      const used = ctx.object.status?.usedConfigs ?? [];
      if (used.length === 0) return done();
      return requeue(30_000, `still used by ${used.map((u) => u.machineRef).join(', ')}`);
    },
  };
}
