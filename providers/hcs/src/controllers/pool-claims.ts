import type { KubeClient } from '@immutable-infra/core';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSMachineConfigPoolObject } from '../api/hcs-machine-config-pool.js';

export type PoolConfigEntry = HCSMachineConfigPoolObject['spec']['configs'][number];
export type UsedConfig = NonNullable<
  NonNullable<HCSMachineConfigPoolObject['status']>['usedConfigs']
>[number];

export type ClaimResult =
  | { ok: true; entry: PoolConfigEntry }
  | { ok: false; reason: 'PoolNotFound' | 'PoolExhausted' | 'ClaimedEntryRemoved'; message: string };

const ATTEMPTS = 5;

const poolRef = (namespace: string, name: string) => ({
  apiVersion: HCS_API_VERSION,
  kind: 'HCSMachineConfigPool',
  name,
  namespace,
});

const isConflict = (error: unknown) => (error as { status?: number }).status === 409;

/**
 * Holds one pool entry (hostname, IPs, persistent disks) for a machine, recorded in the pool's
 * `status.usedConfigs` before any server exists. The write carries the pool's resourceVersion,
 * so two machines racing for the last entry cannot both get it; a re-run finds its own claim.
 */
export async function claimPoolEntry(
  kube: KubeClient,
  namespace: string,
  poolName: string,
  machineName: string,
): Promise<ClaimResult> {
  for (let attempt = 1; ; attempt++) {
    const pool = await kube.get<HCSMachineConfigPoolObject>(poolRef(namespace, poolName));
    if (!pool)
      return { ok: false, reason: 'PoolNotFound', message: `HCSMachineConfigPool ${poolName} not found` };
    const used = pool.status?.usedConfigs ?? [];
    const mine = used.find((u) => u.machineRef === machineName);
    if (mine) {
      const entry = pool.spec.configs.find((c) => c.hostname === mine.hostname);
      if (entry) return { ok: true, entry };
      return {
        ok: false,
        reason: 'ClaimedEntryRemoved',
        message: `the entry ${mine.hostname} this machine holds was removed from pool ${poolName}`,
      };
    }
    const entry = pool.spec.configs.find((c) => !used.some((u) => u.hostname === c.hostname));
    if (!entry)
      return {
        ok: false,
        reason: 'PoolExhausted',
        message: `no free entry in HCSMachineConfigPool ${poolName}: all ${pool.spec.configs.length} are in use`,
      };
    try {
      await kube.patchStatus(poolRef(namespace, poolName), {
        metadata: { resourceVersion: pool.metadata.resourceVersion },
        status: { usedConfigs: [...used, { hostname: entry.hostname, machineRef: machineName }] },
      });
      return { ok: true, entry };
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** The entry a machine holds, if any (the claim outlives the machine's server). */
export async function heldPoolEntry(
  kube: KubeClient,
  namespace: string,
  poolName: string,
  machineName: string,
): Promise<PoolConfigEntry | undefined> {
  const pool = await kube.get<HCSMachineConfigPoolObject>(poolRef(namespace, poolName));
  const mine = pool?.status?.usedConfigs?.find((u) => u.machineRef === machineName);
  return mine ? pool?.spec.configs.find((c) => c.hostname === mine.hostname) : undefined;
}

/** Gives a machine's entry back; nothing to do when it holds none or the pool is gone. */
export async function releasePoolEntry(
  kube: KubeClient,
  namespace: string,
  poolName: string,
  machineName: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const pool = await kube.get<HCSMachineConfigPoolObject>(poolRef(namespace, poolName));
    const used = pool?.status?.usedConfigs ?? [];
    if (!pool || !used.some((u) => u.machineRef === machineName)) return;
    try {
      await kube.patchStatus(poolRef(namespace, poolName), {
        metadata: { resourceVersion: pool.metadata.resourceVersion },
        status: { usedConfigs: used.filter((u) => u.machineRef !== machineName) },
      });
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}
