import { done, type ExtraKindHooks, type ObjectContext, requeue } from '@immutable-infra/core';
import { ClaimablePool, claimablePoolHooks } from '@immutable-infra/provider-kit';
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
  const base = claimablePoolHooks({
    kind: VSphereMachineConfigPool,
    claims: configPoolKind,
    holderOf: (record) => record.machineRef?.name ?? record.hostname,
  });
  return {
    ...base,
    async reconcile(ctx) {
      const result = await base.reconcile(ctx);
      const pool = ctx.object;
      const delayMs = (pool.spec.releaseDelayHours ?? DEFAULT_RELEASE_DELAY_HOURS) * HOUR_MS;
      const now = ctx.clock.now().getTime();
      const reservedUntil = (record: { lastReleasedTime?: string | undefined }) =>
        Date.parse(record.lastReleasedTime ?? '') + delayMs;
      // A Released record with no readable time is over too: nothing says how long to keep it.
      const isOver = (record: { state: string; lastReleasedTime?: string | undefined }) =>
        record.state === 'Released' && !(reservedUntil(record) > now);
      const records = configPoolKind.claims(pool);
      const over = new Set(records.filter(isOver).map((record) => record.hostname));
      if (over.size > 0) {
        const waiting = await reclaimDisks(
          ctx,
          access,
          pool.spec.configs.filter((slot) => over.has(slot.hostname)),
        );
        if (waiting) return requeue(RECLAIM_POLL_MS, waiting);
        await new ClaimablePool(ctx.kube, configPoolKind).forgetReleased(
          pool.metadata.namespace ?? 'default',
          pool.metadata.name,
          isOver,
        );
      }
      // Available to any machine: slots with no record (a Released one still waits for its consumer).
      const slots = new Set(pool.spec.configs.map((slot) => slot.hostname));
      const recorded = records.filter((record) => slots.has(record.hostname) && !isOver(record));
      ctx.status.availableCount = slots.size - recorded.length;
      const next = records
        .filter((record) => record.state === 'Released' && !isOver(record))
        .map(reservedUntil)
        .sort((a, b) => a - b)[0];
      if (next === undefined) return result;
      const recheckAfterMs = Math.max(1_000, next - now);
      return 'type' in result && result.type === 'done' ? done({ recheckAfterMs }) : result;
    },
    async delete(ctx) {
      const held = await base.delete?.(ctx);
      if (held && !('type' in held && held.type === 'done')) return held;
      const waiting = await reclaimDisks(ctx, access, ctx.object.spec.configs);
      return waiting ? requeue(RECLAIM_POLL_MS, waiting) : done();
    },
  };
}
