import { done, type ExtraKindHooks, type ObjectContext, requeue, trueCondition } from '@immutable-infra/core';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import { DCSIpHostnamePool } from '../api/dcs-ip-hostname-pool.js';
import { describeDcsFailure } from '../cloud/dcs-api-error.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { orphanedClaims, poolUsage, type SlotClaim } from './ip-slots.js';
import { persistentVolumeName } from './persistent-disks.js';

type Ctx = ObjectContext<typeof DCSIpHostnamePool>;
type DiskStatus = NonNullable<NonNullable<Ctx['object']['status']>['persistentDiskStatus']>[number];

// Volumes change on DCS without an event here; a slow refresh keeps the record honest.
const DISK_REFRESH_MS = 15_000;

/**
 * Refreshes `status.persistentDiskStatus` from DCS: one record per (ip, slot)
 * with its volume, where it is attached and which machine holds the entry.
 * Needs the pool's `cluster.x-k8s.io/cluster-name` label to find credentials.
 */
async function refreshDiskStatus(ctx: Ctx, sessions: DcsSessionPool): Promise<string | undefined> {
  const clusterName = ctx.object.metadata.labels?.['cluster.x-k8s.io/cluster-name'];
  if (!clusterName)
    return 'label the pool with cluster.x-k8s.io/cluster-name to report persistent disk status';
  const cluster = await ctx.kube.get<DCSClusterObject>({
    apiVersion: DCS_API_VERSION,
    kind: 'DCSCluster',
    name: clusterName,
    namespace: ctx.object.metadata.namespace,
  });
  if (!cluster) return `DCSCluster ${clusterName} not found`;
  const lookup = await cloudForCluster(ctx, sessions, cluster);
  if (!lookup.ok) return lookup.message;
  const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
  const previous = ctx.object.status?.persistentDiskStatus ?? [];
  const records: DiskStatus[] = [];
  for (const entry of ctx.object.spec.pool) {
    const owner = claims.find((claim) => claim.ip === entry.ip);
    for (const disk of entry.persistentDisk ?? []) {
      const name = persistentVolumeName(ctx.object.metadata.name, entry.ip, disk.slot);
      const volume = await lookup.cloud.findVolumeByName(name);
      const phase: DiskStatus['phase'] = volume ? (volume.vmUrn ? 'Attached' : 'Available') : undefined;
      const before = previous.find((r) => r.ip === entry.ip && r.slot === disk.slot);
      records.push({
        ip: entry.ip,
        slot: disk.slot,
        name,
        ...(volume ? { volumeUrn: volume.urn } : {}),
        ...(volume?.datastoreUrn ? { datastoreUrn: volume.datastoreUrn } : {}),
        ...(volume?.vmUrn ? { attachedVmUrn: volume.vmUrn } : {}),
        ...(disk.path ? { path: disk.path } : {}),
        ...(owner ? { ownerMachineName: owner.dcsMachine, ownerMachineUID: owner.dcsMachineUID } : {}),
        ...(phase ? { phase } : {}),
        ...(phase && before?.phase === phase && before.lastTransitionTime
          ? { lastTransitionTime: before.lastTransitionTime }
          : phase
            ? {
                lastTransitionTime: ctx.clock
                  .now()
                  .toISOString()
                  .replace(/\.\d+Z$/, 'Z'),
              }
            : {}),
      });
    }
  }
  ctx.status.persistentDiskStatus = records;
  return undefined;
}

/** Keeps the pool's usage, holder list and persistent disk records current; holds its deletion while entries are in use. */
export function dcsPoolHooks(sessions: DcsSessionPool): ExtraKindHooks<typeof DCSIpHostnamePool> {
  return {
    kind: DCSIpHostnamePool,
    async reconcile(ctx) {
      const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
      const usage = poolUsage(ctx.object.spec.pool, claims);
      ctx.status.total = usage.total;
      ctx.status.used = usage.used;
      const orphans = orphanedClaims(ctx.object.spec.pool, claims);
      const hasDisks = ctx.object.spec.pool.some((entry) => (entry.persistentDisk ?? []).length > 0);
      const diskProblem = hasDisks
        ? await refreshDiskStatus(ctx, sessions).catch((error: unknown) => describeDcsFailure(error))
        : undefined;
      ctx.setCondition(
        orphans.length > 0
          ? {
              type: 'Ready',
              status: 'False',
              reason: 'HeldEntryRemoved',
              message: `entries removed while in use: ${orphans.map((o) => `${o.ip} (${o.dcsMachine})`).join(', ')}`,
              severity: 'Warning',
            }
          : trueCondition('Ready', 'Available', `${usage.free} of ${usage.total} entries free`),
      );
      ctx.setCondition(
        diskProblem
          ? {
              type: 'PersistentDisksReported',
              status: 'False',
              reason: 'NotReported',
              message: diskProblem,
              severity: 'Info',
            }
          : trueCondition('PersistentDisksReported', hasDisks ? 'Reported' : 'NoPersistentDisks'),
      );
      return hasDisks ? done({ recheckAfterMs: DISK_REFRESH_MS }) : done();
    },
    async delete(ctx) {
      const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
      if (claims.length === 0) return done();
      return requeue(30_000, `still used by ${claims.map((c) => c.dcsMachine).join(', ')}`);
    },
  };
}
