import { done, type ExtraKindHooks } from '@immutable-infra/core';
import { ClaimablePool, claimablePoolHooks } from '@immutable-infra/provider-kit';
import { VSphereMachineConfigPool } from '../api/vsphere-machine-config-pool.js';
import { configPoolKind } from './config-pool-claims.js';

const HOUR_MS = 3_600_000;
const DEFAULT_RELEASE_DELAY_HOURS = 24;

/**
 * Keeps a VSphereMachineConfigPool's counts and Ready condition (the kit's pool hooks), holds its
 * deletion while a machine holds a slot, and makes a Released slot Available to any machine once
 * `releaseDelayHours` have passed since its release.
 */
export function vspherePoolHooks(): ExtraKindHooks<typeof VSphereMachineConfigPool> {
  const base = claimablePoolHooks({
    kind: VSphereMachineConfigPool,
    claims: configPoolKind,
    writeUsage(status, usage) {
      status.totalCount = usage.total;
    },
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
      if (records.some(isOver))
        await new ClaimablePool(ctx.kube, configPoolKind).forgetReleased(
          pool.metadata.namespace ?? 'default',
          pool.metadata.name,
          isOver,
        );
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
      return result.type === 'done' ? done({ recheckAfterMs }) : result;
    },
  };
}
