import type { ExtraKindHooks, ObjectContext } from '@immutable-infra/core';
import { claimablePoolHooks } from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import { VSphereMachineConfigPool } from '../api/vsphere-machine-config-pool.js';
import { cloudForCluster, type VsphereAccess } from './cloud-for-cluster.js';
import { type ConfigSlot, configPoolKind } from './config-pool-claims.js';

type Ctx = ObjectContext<typeof VSphereMachineConfigPool>;

const HOUR_MS = 3_600_000;
const DEFAULT_RELEASE_DELAY_HOURS = 24;
const RECLAIM_POLL_MS = 5_000;

/** The VSphereCluster of the pool's `clusterRef`: the Cluster's infrastructure, else the one of the same name. */
async function clusterOfPool(ctx: Ctx): Promise<VSphereClusterObject | undefined> {
  const namespace = ctx.object.metadata.namespace;
  const name = ctx.object.spec.clusterRef.name ?? '';
  const cluster = await ctx.kube.get<{ spec?: { infrastructureRef?: { kind?: string; name?: string } } }>({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    namespace,
    name,
  });
  const infra = cluster?.spec?.infrastructureRef;
  return ctx.kube.get<VSphereClusterObject>({
    apiVersion: VSPHERE_API_VERSION,
    kind: 'VSphereCluster',
    namespace,
    name: infra?.kind === 'VSphereCluster' && infra.name ? infra.name : name,
  });
}

/**
 * Deletes the persistent disk files of these slots (those whose `volumePath` a machine recorded):
 * looked up first, so a re-run after a crash deletes only what is left. Undefined when none is
 * left, else what it waits for.
 */
async function reclaimDisks(ctx: Ctx, access: VsphereAccess, slots: readonly ConfigSlot[]) {
  const disks = slots.flatMap((slot) =>
    (slot.persistentDisks ?? []).flatMap((disk) =>
      disk.volumePath
        ? [{ path: disk.volumePath, datacenter: slot.datacenter ?? ctx.object.spec.datacenter }]
        : [],
    ),
  );
  if (disks.length === 0) return undefined;
  const cluster = await clusterOfPool(ctx);
  if (!cluster)
    return `the VSphereCluster of Cluster ${ctx.object.spec.clusterRef.name} is gone; its disks stay`;
  const cloud = await cloudForCluster(ctx, access, cluster);
  if (!cloud.ok) return cloud.message;
  const left: string[] = [];
  for (const disk of disks) {
    const datacenter = (await cloud.inventory.datacenter(disk.datacenter)).ref;
    if ((await cloud.client.diskUuid(disk.path, datacenter)) === undefined) continue;
    await cloud.client.deleteDisk(disk.path, datacenter);
    left.push(disk.path);
  }
  if (left.length === 0) return undefined;
  ctx.events.normal('ReclaimingDisks', `deleting ${left.join(', ')}`);
  return `deleting the persistent disks ${left.join(', ')}`;
}

/**
 * Keeps a VSphereMachineConfigPool's counts and Ready condition (the kit's pool hooks) and holds
 * its deletion while a machine holds a slot. A Released slot whose `releaseDelayHours` have passed
 * is reclaimed (its persistent disks deleted) and becomes Available to any machine; deleting the
 * pool reclaims every slot's disks.
 */
export function vspherePoolHooks(access: VsphereAccess): ExtraKindHooks<typeof VSphereMachineConfigPool> {
  return claimablePoolHooks({
    kind: VSphereMachineConfigPool,
    claims: configPoolKind,
    holderOf: (record) => record.machineRef?.name ?? record.hostname,
    released: {
      delayMs: (pool) => (pool.spec.releaseDelayHours ?? DEFAULT_RELEASE_DELAY_HOURS) * HOUR_MS,
      releasedAt: (record) => record.lastReleasedTime,
      reclaim: (ctx, slots) => reclaimDisks(ctx, access, slots),
      pollAfterMs: RECLAIM_POLL_MS,
    },
  });
}
