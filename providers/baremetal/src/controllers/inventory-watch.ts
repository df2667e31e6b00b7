import type { CachedOwnObjects, OwnObjectKey, WatchedKind, WatchedObject } from '@immutable-infra/core';
import { ELEMENTAL_API_VERSION, INVENTORY_ANNOTATIONS } from '../cloud/machine-inventory.js';

interface PoolView {
  metadata: { name: string; deletionTimestamp?: unknown };
  spec?: { machineInventories?: { name: string }[] };
}
interface MachineView {
  metadata: { name: string };
  spec?: { machineInventoryPoolRef?: { name?: string } };
  status?: { machineInventoryRef?: { name?: string } };
}

/**
 * The pools and machines a MachineInventory change concerns, from the host's caches:
 * - the pool its `pool` annotation names and every pool that lists it (they count it), and, for an
 *   inventory no live pool lists, the namespace's first pool in name order (it runs the storage
 *   lifecycle of inventories in no pool);
 * - the machine holding it (`status.machineInventoryRef`, or the owner annotation while the claim is
 *   being written), which waits on its plan and notices a host reset;
 * - every machine of those pools still without a host, which may claim it now.
 */
export function machinesAndPoolsOfInventory(
  inventory: WatchedObject,
  cached: CachedOwnObjects,
): OwnObjectKey[] {
  const namespace = inventory.metadata.namespace ?? '';
  const name = inventory.metadata.name;
  const annotations = inventory.metadata.annotations ?? {};
  const pools = cached.list('MachineInventoryPool', namespace) as unknown as PoolView[];
  const live = pools.filter((pool) => !pool.metadata.deletionTimestamp);
  const listing = pools.filter((pool) => pool.spec?.machineInventories?.some((m) => m.name === name));
  const concerned = new Set(listing.map((pool) => pool.metadata.name));
  const annotated = annotations[INVENTORY_ANNOTATIONS.pool];
  if (annotated) concerned.add(annotated);
  if (!live.some((pool) => pool.spec?.machineInventories?.some((m) => m.name === name))) {
    const first = live.map((pool) => pool.metadata.name).sort()[0];
    if (first) concerned.add(first);
  }
  const keys: OwnObjectKey[] = [...concerned].map((pool) => ({
    kind: 'MachineInventoryPool',
    namespace,
    name: pool,
  }));
  const owner = annotations[INVENTORY_ANNOTATIONS.ownerBaremetalMachine];
  for (const machine of cached.list('BaremetalMachine', namespace) as unknown as MachineView[]) {
    const held = machine.status?.machineInventoryRef?.name;
    const pool = machine.spec?.machineInventoryPoolRef?.name;
    const waiting = !held && pool !== undefined && concerned.has(pool);
    if (held === name || machine.metadata.name === owner || waiting)
      keys.push({ kind: 'BaremetalMachine', namespace, name: machine.metadata.name });
  }
  return keys;
}

/** The host watches MachineInventories for the provider: pools count them, machines wait on them. */
export const machineInventoryWatch: WatchedKind = {
  apiVersion: ELEMENTAL_API_VERSION,
  kind: 'MachineInventory',
  concerns: machinesAndPoolsOfInventory,
};
