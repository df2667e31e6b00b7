import {
  done,
  type ExtraKindHooks,
  type KindDefinition,
  type KindObject,
  type ObjectContext,
  requeue,
  trueCondition,
} from '@immutable-infra/core';
import { ClaimablePool, type ClaimablePoolKind, type PoolObject, type PoolUsage } from './claimable-pool.js';

/** A pool object as the host reads it: the storage version of its kind. */
type PoolOf<Kind extends KindDefinition> = KindObject<Kind['versions'][number]>;

/**
 * What a pool kind (IP/hostname slots, machine configs, inventory hosts) needs from its controller,
 * written once: its usage counted into status, a Ready condition that names entries removed from
 * the spec while a machine still holds them, the persistent-disk report refreshed on a timer when
 * the pool declares disks, and a deletion held while any entry is claimed.
 */
export function claimablePoolHooks<Kind extends KindDefinition, Entry, Claim>(pool: {
  kind: Kind;
  claims: ClaimablePoolKind<PoolOf<Kind>, Entry, Claim>;
  /**
   * Stores the counts in the pool's status, under the kind's own field names.
   * @deprecated Give the pool kind a `usageStatus` instead: the claims then write the counts too.
   */
  writeUsage?(status: Record<string, unknown>, usage: PoolUsage): void;
  /** Who holds a claim, for messages: the machine's name. */
  holderOf(claim: Claim): string;
  persistentDisks?: {
    /** Whether any entry declares persistent disks (no platform call otherwise). */
    declared(object: PoolOf<Kind>): boolean;
    /** Writes the disk records into status; a problem (no credential, platform down) in words. */
    refresh(ctx: ObjectContext<Kind>): Promise<string | undefined>;
    /** How often to look again: volumes change on the platform without an event here. */
    everyMs: number;
    /** An unexpected failure of `refresh` in words, for the condition. */
    describeFailure(error: unknown): string;
  };
  /**
   * For a pool that keeps released records (see ClaimablePoolKind.released): a released entry waits
   * for the pool's consumer for a while, then is reclaimed (its persistent disks deleted) and
   * becomes free to any machine; deleting the pool reclaims every entry.
   */
  released?: PoolReleaseDelay<PoolOf<Kind>, Entry, Claim, Kind>;
}): ExtraKindHooks<Kind> {
  const hooks = baseHooks(pool);
  return pool.released ? withReleaseDelay(hooks, pool.claims, pool.released) : hooks;
}

/** How long a released entry is kept for its consumer, and how it is reclaimed after. */
export interface PoolReleaseDelay<Pool, Entry, Claim, Kind extends KindDefinition = KindDefinition> {
  /** How long a released record keeps its entry (the pool's `releaseDelayHours`, say). */
  delayMs(pool: Pool): number;
  /** When the record was released (RFC 3339); a record with no readable time is over at once. */
  releasedAt(claim: Claim): string | undefined;
  /**
   * Frees these entries on the platform (deletes their persistent disks, each looked up first, so
   * a re-run after a crash deletes only what is left); what it still waits for, else undefined.
   */
  reclaim(ctx: ObjectContext<Kind>, entries: readonly Entry[]): Promise<string | undefined>;
  /** How soon to look again while reclaiming. */
  pollAfterMs: number;
}

function baseHooks<Kind extends KindDefinition, Entry, Claim>(
  pool: Parameters<typeof claimablePoolHooks<Kind, Entry, Claim>>[0],
): ExtraKindHooks<Kind> {
  return {
    kind: pool.kind,
    async reconcile(ctx) {
      const object = ctx.object as PoolOf<Kind> & PoolObject;
      const usage = new ClaimablePool(ctx.kube, pool.claims).usage(object);
      Object.assign(ctx.status, pool.claims.usageStatus?.(usage, pool.claims.claims(object), object));
      pool.writeUsage?.(ctx.status, usage);
      const keys = new Set(pool.claims.entries(object).map((entry) => pool.claims.entryKey(entry)));
      const holds = (claim: Claim) => pool.claims.holds?.(claim) ?? true;
      const orphans = pool.claims
        .claims(object)
        .filter((claim) => holds(claim) && !keys.has(pool.claims.claimedEntryKey(claim)))
        .map((claim) => `${pool.claims.claimedEntryKey(claim)} (${pool.holderOf(claim)})`);
      ctx.setCondition(
        orphans.length > 0
          ? {
              type: 'Ready',
              status: 'False',
              reason: 'HeldEntryRemoved',
              message: `entries removed while in use: ${orphans.join(', ')}`,
              severity: 'Warning',
            }
          : // No counts in the message (they are in status): a claim then changes nothing here to write.
            trueCondition(
              'Ready',
              'Available',
              usage.free > 0 ? 'entries are free' : `every entry is in use (${usage.total})`,
            ),
      );
      const disks = pool.persistentDisks;
      const hasDisks = disks?.declared(object) ?? false;
      const problem =
        disks && hasDisks
          ? await disks.refresh(ctx).catch((error: unknown) => disks.describeFailure(error))
          : undefined;
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
      return disks && hasDisks ? done({ recheckAfterMs: disks.everyMs }) : done();
    },
    async delete(ctx) {
      // A released record holds nothing: only machines still holding an entry keep the pool.
      const claims = pool.claims
        .claims(ctx.object as PoolOf<Kind>)
        .filter((claim) => pool.claims.holds?.(claim) ?? true);
      if (claims.length === 0) return done();
      return requeue(30_000, `still used by ${claims.map((claim) => pool.holderOf(claim)).join(', ')}`);
    },
  };
}

/**
 * The infrastructure cluster a pool serves, named by its `cluster.x-k8s.io/cluster-name` label:
 * where a pool controller finds the credential for platform calls. A problem in words otherwise.
 */
export async function labelledInfraCluster<Cluster>(
  ctx: Pick<ObjectContext<KindDefinition>, 'kube'> & {
    object: { metadata: { namespace?: string | undefined; labels?: Record<string, string> | undefined } };
  },
  infraCluster: { apiVersion: string; kind: string },
): Promise<{ cluster: Cluster } | { problem: string }> {
  const name = ctx.object.metadata.labels?.['cluster.x-k8s.io/cluster-name'];
  if (!name)
    return { problem: 'label the pool with cluster.x-k8s.io/cluster-name to report persistent disk status' };
  const cluster = await ctx.kube.get<Cluster>({
    ...infraCluster,
    name,
    namespace: ctx.object.metadata.namespace,
  });
  return cluster ? { cluster } : { problem: `${infraCluster.kind} ${name} not found` };
}

/**
 * The platform of the infrastructure cluster a pool serves (see {@link labelledInfraCluster}),
 * reached through the provider's `connect`: where a pool's persistent-disk report reads volumes.
 */
export async function platformOfLabelledCluster<Cluster, Cloud>(
  ctx: Parameters<typeof labelledInfraCluster>[0],
  infraCluster: { apiVersion: string; kind: string },
  connect: (cluster: Cluster) => Promise<{ ok: true; cloud: Cloud } | { ok: false; message: string }>,
): Promise<{ cloud: Cloud } | { problem: string }> {
  const found = await labelledInfraCluster<Cluster>(ctx, infraCluster);
  if ('problem' in found) return found;
  const lookup = await connect(found.cluster);
  return lookup.ok ? { cloud: lookup.cloud } : { problem: lookup.message };
}

/**
 * A machine's infrastructure cluster: the host's, or, for a machine being deleted after its Cluster
 * went (a deleted namespace takes the Cluster at once), the one its cluster-name label names, which
 * waits for its machines. Undefined when there is none.
 */
export async function infraClusterOfMachine<Cluster>(
  ctx: Pick<ObjectContext<KindDefinition>, 'kube'> & {
    infraCluster: Record<string, unknown> | undefined;
    object: {
      metadata: {
        namespace?: string | undefined;
        labels?: Record<string, string> | undefined;
        deletionTimestamp?: unknown;
      };
    };
  },
  infraCluster: { apiVersion: string; kind: string },
): Promise<Cluster | undefined> {
  if (ctx.infraCluster || !ctx.object.metadata.deletionTimestamp)
    return ctx.infraCluster as Cluster | undefined;
  const found = await labelledInfraCluster<Cluster>(ctx, infraCluster);
  return 'cluster' in found ? found.cluster : undefined;
}

/**
 * The pool's hooks with released entries reclaimed once their delay is over: forgotten (so any
 * machine may take them) after `reclaim` freed them, counted as free at once, and looked at again
 * when the next one's delay ends.
 */
function withReleaseDelay<Kind extends KindDefinition, Entry, Claim>(
  base: ExtraKindHooks<Kind>,
  claims: ClaimablePoolKind<PoolOf<Kind>, Entry, Claim>,
  released: PoolReleaseDelay<PoolOf<Kind>, Entry, Claim, Kind>,
): ExtraKindHooks<Kind> {
  const holds = (claim: Claim) => claims.holds?.(claim) ?? true;
  return {
    ...base,
    async reconcile(ctx) {
      const result = await base.reconcile(ctx);
      const object = ctx.object as PoolOf<Kind> & PoolObject;
      const delayMs = released.delayMs(object);
      const now = ctx.clock.now().getTime();
      const reservedUntil = (claim: Claim) => Date.parse(released.releasedAt(claim) ?? '') + delayMs;
      // A released record with no readable time is over too: nothing says how long to keep it.
      const isOver = (claim: Claim) => !holds(claim) && !(reservedUntil(claim) > now);
      const records = claims.claims(object);
      const over = new Set(records.filter(isOver).map((claim) => claims.claimedEntryKey(claim)));
      if (over.size > 0) {
        const entries = claims.entries(object).filter((entry) => over.has(claims.entryKey(entry)));
        const waiting = await released.reclaim(ctx, entries);
        if (waiting) return requeue(released.pollAfterMs, waiting);
        await new ClaimablePool(ctx.kube, claims).forgetReleased(
          object.metadata.namespace ?? 'default',
          object.metadata.name,
          isOver,
        );
      }
      // Free to any machine: the entries whose record is over count as free now.
      const pools = new ClaimablePool(ctx.kube, claims);
      Object.assign(
        ctx.status,
        claims.usageStatus?.(
          pools.usage(object),
          records.filter((claim) => !isOver(claim)),
          object,
        ),
      );
      const next = records
        .filter((claim) => !holds(claim) && !isOver(claim))
        .map(reservedUntil)
        .sort((a, b) => a - b)[0];
      if (next === undefined) return result;
      const recheckAfterMs = Math.max(1_000, next - now);
      return 'type' in result && result.type === 'done' ? done({ recheckAfterMs }) : result;
    },
    async delete(ctx) {
      const held = await base.delete?.(ctx);
      if (held && !('type' in held && held.type === 'done')) return held;
      const waiting = await released.reclaim(ctx, claims.entries(ctx.object as PoolOf<Kind>));
      return waiting ? requeue(released.pollAfterMs, waiting) : done();
    },
  };
}
