import type { z } from 'zod';
import type { PoolEntry } from '../api/dcs-ip-hostname-pool.js';

type Entry = z.output<typeof PoolEntry>;

/** One pool entry held by one DCSMachine, recorded in the pool's status. */
export interface SlotClaim {
  ip: string;
  dcsMachine: string;
  /** UID of the DCSMachine; a new machine with the same name is a different holder. */
  dcsMachineUID: string;
  machineName?: string;
}

export interface PoolUsage {
  total: number;
  used: number;
  free: number;
}

/** The entry a machine already holds, if any (a re-run after a crash finds its claim here). */
export function findClaim(claims: readonly SlotClaim[], machineUID: string): SlotClaim | undefined {
  return claims.find((claim) => claim.dcsMachineUID === machineUID);
}

/**
 * The first entry, in pool order, that nobody holds. Pool order keeps the
 * choice deterministic: two managers racing pick the same entry, and the
 * resourceVersion check on the pool's status lets only one of them have it.
 */
export function firstFreeEntry(pool: readonly Entry[], claims: readonly SlotClaim[]): Entry | undefined {
  const held = new Set(claims.map((claim) => claim.ip));
  return pool.find((entry) => !held.has(entry.ip));
}

export function withClaim(claims: readonly SlotClaim[], claim: SlotClaim): SlotClaim[] {
  return [...claims.filter((c) => c.ip !== claim.ip), claim].sort((a, b) => compareIp(a.ip, b.ip));
}

export function withoutClaim(claims: readonly SlotClaim[], machineUID: string): SlotClaim[] {
  return claims.filter((claim) => claim.dcsMachineUID !== machineUID);
}

/** Claims whose IP is no longer in the pool (an entry removed while held): reported, never silently dropped. */
export function orphanedClaims(pool: readonly Entry[], claims: readonly SlotClaim[]): SlotClaim[] {
  const ips = new Set(pool.map((entry) => entry.ip));
  return claims.filter((claim) => !ips.has(claim.ip));
}

export function poolUsage(pool: readonly Entry[], claims: readonly SlotClaim[]): PoolUsage {
  const ips = new Set(pool.map((entry) => entry.ip));
  const used = claims.filter((claim) => ips.has(claim.ip)).length;
  return { total: pool.length, used, free: pool.length - used };
}

export function compareIp(a: string, b: string): number {
  const parts = (ip: string) => ip.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
