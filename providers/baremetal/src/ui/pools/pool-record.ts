import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';

type Pool = Pick<MachineInventoryPoolObject, 'metadata' | 'spec' | 'status'>;

/** A MachineInventoryPool as the extension shows and checks it: its cluster and its counters. */
export interface InventoryPoolRecord {
  name: string;
  /** The workload cluster the pool serves (spec.clusterName). */
  cluster: string;
  /** The inventories the pool lists, in the order they are taken. */
  members: string[];
  total: number;
  /** status.available: only these can be taken by a new machine. */
  free: number;
  allocated: number;
  preparing: number;
  reprovisioning: number;
  unavailable: number;
  /** Whether the pool controller has counted it yet (no status: nothing is known to be free). */
  counted: boolean;
}

export const POOL_COUNTERS = [
  'available',
  'allocated',
  'preparing',
  'reprovisioning',
  'unavailable',
] as const;

export function toPoolRecord(pool: Pool): InventoryPoolRecord {
  const status = pool.status;
  const members = (pool.spec?.machineInventories ?? []).map((m) => m.name);
  return {
    name: pool.metadata.name ?? '',
    cluster: pool.spec?.clusterName ?? '',
    members,
    total: status?.total ?? members.length,
    // The controller checks each member (registered, Ready, with a plan Secret) before it counts it free.
    free: status?.available ?? 0,
    allocated: status?.allocated ?? 0,
    preparing: status?.preparing ?? 0,
    reprovisioning: status?.reprovisioning ?? 0,
    unavailable: status?.unavailable ?? 0,
    counted: status?.available !== undefined,
  };
}

/** `available/allocated/preparing/reprovisioning/unavailable of total`, as the pool lists show it. */
export function poolCounters(pool: InventoryPoolRecord): string {
  if (!pool.counted) return `not counted yet (${pool.total} listed)`;
  return `${pool.free} available, ${pool.allocated} allocated, ${pool.preparing} preparing, ${pool.reprovisioning} reprovisioning, ${pool.unavailable} unavailable of ${pool.total}`;
}
