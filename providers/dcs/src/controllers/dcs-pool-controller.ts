import { done, type ExtraKindHooks, type ObjectContext, requeue, trueCondition } from '@immutable-infra/core';
import { persistentDiskRecords } from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import { DCSIpHostnamePool } from '../api/dcs-ip-hostname-pool.js';
import { describeDcsFailure } from '../cloud/dcs-api-error.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { declaredDisks, observedVolumes } from './persistent-disks.js';
import { ipHostnamePools, type SlotClaim } from './pool-claims.js';

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
  const disks = ctx.object.spec.pool.flatMap((entry) => declaredDisks(ctx.object.metadata.name, entry));
  const volumes = await observedVolumes(lookup.cloud, disks);
  const paths = new Map(
    ctx.object.spec.pool.flatMap((entry) =>
      (entry.persistentDisk ?? []).map((disk) => [`${entry.ip}/${disk.slot}`, disk.path] as const),
    ),
  );
  const records = persistentDiskRecords({
    disks,
    volumes,
    ownerOf(ip) {
      const claim = claims.find((candidate) => candidate.ip === ip);
      return claim && { name: claim.dcsMachine, uid: claim.dcsMachineUID };
    },
    previous: (ctx.object.status?.persistentDiskStatus ?? []).map((record) => ({
      entryKey: record.ip,
      slot: record.slot,
      ...(record.phase ? { phase: record.phase } : {}),
      ...(record.lastTransitionTime ? { lastTransitionTime: record.lastTransitionTime } : {}),
    })),
    now: ctx.clock.now(),
  }).map((record): DiskStatus => {
    const datastoreUrn = volumes.get(record.name)?.volume.datastoreUrn;
    const path = paths.get(`${record.entryKey}/${record.slot}`);
    return {
      ip: record.entryKey,
      slot: record.slot,
      name: record.name,
      ...(record.volumeId ? { volumeUrn: record.volumeId } : {}),
      ...(datastoreUrn ? { datastoreUrn } : {}),
      ...(record.attachedTo ? { attachedVmUrn: record.attachedTo } : {}),
      ...(path ? { path } : {}),
      ...(record.ownerName ? { ownerMachineName: record.ownerName } : {}),
      ...(record.ownerUid ? { ownerMachineUID: record.ownerUid } : {}),
      ...(record.phase ? { phase: record.phase } : {}),
      ...(record.lastError ? { lastError: record.lastError } : {}),
      ...(record.lastTransitionTime ? { lastTransitionTime: record.lastTransitionTime } : {}),
    };
  });
  ctx.status.persistentDiskStatus = records;
  return undefined;
}

/** Keeps the pool's usage, holder list and persistent disk records current; holds its deletion while entries are in use. */
export function dcsPoolHooks(sessions: DcsSessionPool): ExtraKindHooks<typeof DCSIpHostnamePool> {
  return {
    kind: DCSIpHostnamePool,
    async reconcile(ctx) {
      const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
      const usage = ipHostnamePools(ctx.kube).usage(ctx.object);
      ctx.status.total = usage.total;
      ctx.status.used = usage.used;
      // Entries removed from spec while held are reported by name, never silently dropped.
      const ips = new Set(ctx.object.spec.pool.map((entry) => entry.ip));
      const orphans = claims.filter((claim) => !ips.has(claim.ip));
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
