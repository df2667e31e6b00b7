import type { ExtraKindHooks, ObjectContext } from '@immutable-infra/core';
import {
  claimablePoolHooks,
  persistentDiskRecords,
  persistentDiskStatusOf,
  platformOfLabelledCluster,
  previousDiskRecords,
} from '@immutable-infra/provider-kit';
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
  const platform = await platformOfLabelledCluster(
    ctx,
    { apiVersion: HCS_API_VERSION, kind: 'HCSCluster' },
    (cluster: HCSClusterObject) => cloudForCluster(ctx, connections, cluster),
  );
  if ('problem' in platform) return platform.problem;
  const used = ctx.object.status?.usedConfigs ?? [];
  const disks = ctx.object.spec.configs.flatMap((entry) => declaredDisks(ctx.object.metadata.name, entry));
  const volumes = await observedVolumes(platform.cloud, disks);
  const records: DiskStatus[] = persistentDiskRecords({
    disks,
    volumes,
    ownerOf: (hostname) => {
      const owner = used.find((u) => u.hostname === hostname);
      return owner ? { name: owner.machineRef, uid: owner.machineUID ?? '' } : undefined;
    },
    previous: previousDiskRecords(ctx.object.status?.persistentDiskStatus, (record) => record.hostname),
    now: ctx.clock.now(),
  }).map((record) => {
    const volume = volumes.get(record.name)?.volume;
    const attachment = volume?.attachments[0];
    return {
      hostname: record.entryKey,
      ...persistentDiskStatusOf(record),
      ...(volume ? { volumeID: record.volumeId, availabilityZone: volume.availability_zone } : {}),
      ...(attachment ? { attachedServerID: record.attachedTo, device: attachment.device } : {}),
    };
  });
  ctx.status.persistentDiskStatus = records;
  return undefined;
}

/** Keeps the pool's counts and persistent disk records current; holds its deletion while entries are in use. */
export function hcsPoolHooks(connections: HcsConnections): ExtraKindHooks<typeof HCSMachineConfigPool> {
  return claimablePoolHooks({
    kind: HCSMachineConfigPool,
    claims: configPoolKind,
    holderOf: (claim) => claim.machineRef,
    persistentDisks: {
      declared: (pool) => pool.spec.configs.some((c) => (c.persistentDisks ?? []).length > 0),
      refresh: (ctx) => refreshDiskStatus(ctx, connections),
      everyMs: DISK_REFRESH_MS,
      describeFailure: describeHcsFailure,
    },
  });
}
