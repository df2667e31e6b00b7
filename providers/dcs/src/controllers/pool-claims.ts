import type { ClaimablePoolKind } from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSIpHostnamePoolObject } from '../api/dcs-ip-hostname-pool.js';

export type PoolEntry = DCSIpHostnamePoolObject['spec']['pool'][number];

/** One pool entry held by one DCSMachine, recorded in the pool's `status.slots`. */
export interface SlotClaim {
  ip: string;
  dcsMachine: string;
  /** UID of the DCSMachine; a new machine with the same name is a different holder. */
  dcsMachineUID: string;
  machineName?: string;
}

function compareIp(a: string, b: string): number {
  const parts = (ip: string) => ip.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * How a DCSIpHostnamePool keeps its claims: entries by IP in `spec.pool`, holders in
 * `status.slots` keyed by `dcsMachineUID` (a new machine with the same name is another holder),
 * written in IP order so the status reads the same whichever machine claimed first.
 */
export const ipHostnamePoolKind: ClaimablePoolKind<DCSIpHostnamePoolObject, PoolEntry, SlotClaim> = {
  apiVersion: DCS_API_VERSION,
  kind: 'DCSIpHostnamePool',
  entries: (pool) => pool.spec.pool,
  entryKey: (entry) => entry.ip,
  claims: (pool) => (pool.status?.slots ?? []) as SlotClaim[],
  claimedEntryKey: (claim) => claim.ip,
  claimantUid: (claim) => claim.dcsMachineUID || undefined,
  newClaim: (entry, machine) => ({
    ip: entry.ip,
    dcsMachine: machine.name,
    dcsMachineUID: machine.uid,
    ...(entry.machineName ? { machineName: entry.machineName } : {}),
  }),
  statusWithClaims: (claims) => ({ slots: [...claims].sort((a, b) => compareIp(a.ip, b.ip)) }),
  usageStatus: (usage, claims, pool) => ({
    total: usage.total,
    used: usage.used,
    ...diskOwners(pool, claims),
  }),
};

type DiskRecord = NonNullable<NonNullable<DCSIpHostnamePoolObject['status']>['persistentDiskStatus']>[number];

/**
 * The pool's persistent disk records with the holder of each entry as `claims` now say, written with
 * the claim or release itself: the pool's own refresh (dcs-pool-controller.ts) finds the owners
 * current and has nothing more to write for it. Nothing while the pool has no records yet.
 */
function diskOwners(
  pool: DCSIpHostnamePoolObject,
  claims: readonly SlotClaim[],
): { persistentDiskStatus?: DiskRecord[] } {
  const records = pool.status?.persistentDiskStatus;
  if (!records) return {};
  return {
    persistentDiskStatus: records.map((record) => {
      const { ownerMachineName: _name, ownerMachineUID: _uid, ...rest } = record;
      const claim = claims.find((candidate) => candidate.ip === record.ip);
      if (!claim) return rest;
      return {
        ...rest,
        ownerMachineName: claim.dcsMachine,
        ...(claim.dcsMachineUID ? { ownerMachineUID: claim.dcsMachineUID } : {}),
      };
    }),
  };
}
