import { done, type ExtraKindHooks, requeue, trueCondition } from '@immutable-infra/core';
import { DCSIpHostnamePool } from '../api/dcs-ip-hostname-pool.js';
import { orphanedClaims, poolUsage, type SlotClaim } from './ip-slots.js';

/** Keeps the pool's usage counts current, and holds its deletion while machines still use entries. */
export function dcsPoolHooks(): ExtraKindHooks<typeof DCSIpHostnamePool> {
  return {
    kind: DCSIpHostnamePool,
    async reconcile(ctx) {
      const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
      const usage = poolUsage(ctx.object.spec.pool, claims);
      ctx.status.total = usage.total;
      ctx.status.used = usage.used;
      const orphans = orphanedClaims(ctx.object.spec.pool, claims);
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
      return done();
    },
    async delete(ctx) {
      const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
      if (claims.length === 0) return done();
      return requeue(30_000, `still used by ${claims.map((c) => c.dcsMachine).join(', ')}`);
    },
  };
}
