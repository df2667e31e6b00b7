import type { KubeClient } from '@immutable-infra/core';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSIpHostnamePoolObject } from '../api/dcs-ip-hostname-pool.js';
import { findClaim, firstFreeEntry, type SlotClaim, withClaim, withoutClaim } from './ip-slots.js';

type PoolEntry = DCSIpHostnamePoolObject['spec']['pool'][number];

export type ClaimResult =
  | { ok: true; entry: PoolEntry; claim: SlotClaim }
  | { ok: false; reason: 'PoolNotFound' | 'PoolExhausted' | 'ClaimedEntryRemoved'; message: string };

const ATTEMPTS = 5;

function poolRef(namespace: string, name: string) {
  return { apiVersion: DCS_API_VERSION, kind: 'DCSIpHostnamePool', name, namespace };
}

function isConflict(error: unknown): boolean {
  return (error as { status?: number }).status === 409;
}

/**
 * Holds one pool entry for a machine, recorded in the pool's status before
 * any VM exists. The write carries the pool's resourceVersion, so two machines
 * racing for the last entry cannot both get it; a re-run finds the claim by
 * the machine's UID and gets the same entry back.
 */
export async function claimPoolEntry(
  kube: KubeClient,
  namespace: string,
  poolName: string,
  machine: { name: string; uid: string; vmName?: string },
): Promise<ClaimResult> {
  for (let attempt = 1; ; attempt++) {
    const pool = await kube.get<DCSIpHostnamePoolObject>(poolRef(namespace, poolName));
    if (!pool)
      return { ok: false, reason: 'PoolNotFound', message: `DCSIpHostnamePool ${poolName} not found` };
    const claims = (pool.status?.slots ?? []) as SlotClaim[];
    const existing = findClaim(claims, machine.uid);
    if (existing) {
      const entry = pool.spec.pool.find((e) => e.ip === existing.ip);
      if (!entry) {
        return {
          ok: false,
          reason: 'ClaimedEntryRemoved',
          message: `the entry ${existing.ip} this machine holds was removed from pool ${poolName}`,
        };
      }
      return { ok: true, entry, claim: existing };
    }
    const entry = firstFreeEntry(pool.spec.pool, claims);
    if (!entry) {
      return {
        ok: false,
        reason: 'PoolExhausted',
        message: `no free entry in DCSIpHostnamePool ${poolName}: all ${pool.spec.pool.length} are in use`,
      };
    }
    const claim: SlotClaim = {
      ip: entry.ip,
      dcsMachine: machine.name,
      dcsMachineUID: machine.uid,
      ...(entry.machineName ? { machineName: entry.machineName } : {}),
    };
    try {
      await kube.patchStatus(poolRef(namespace, poolName), {
        metadata: { resourceVersion: pool.metadata.resourceVersion },
        status: { slots: withClaim(claims, claim) },
      });
      return { ok: true, entry, claim };
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Gives a machine's entry back; nothing to do when it holds none or the pool is gone. */
export async function releasePoolEntry(
  kube: KubeClient,
  namespace: string,
  poolName: string,
  machineUID: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const pool = await kube.get<DCSIpHostnamePoolObject>(poolRef(namespace, poolName));
    const claims = (pool?.status?.slots ?? []) as SlotClaim[];
    if (!pool || !findClaim(claims, machineUID)) return;
    try {
      await kube.patchStatus(poolRef(namespace, poolName), {
        metadata: { resourceVersion: pool.metadata.resourceVersion },
        status: { slots: withoutClaim(claims, machineUID) },
      });
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** The entry a machine holds, read from the pool (the claim outlives the machine's VM). */
export async function heldPoolEntry(
  kube: KubeClient,
  namespace: string,
  poolName: string,
  machineUID: string,
): Promise<PoolEntry | undefined> {
  const pool = await kube.get<DCSIpHostnamePoolObject>(poolRef(namespace, poolName));
  const claim = findClaim((pool?.status?.slots ?? []) as SlotClaim[], machineUID);
  return claim ? pool?.spec.pool.find((entry) => entry.ip === claim.ip) : undefined;
}
