import type { KindObject, NodePoolCapacity, NodePoolCapacityRequest } from '@immutable-infra/core';
import { type SlotPoolSource, slotPoolCapacity, slotPoolCapacityExtension } from '@immutable-infra/ui-kit';
import type { BaremetalMachineTemplate } from '../api/baremetal-machine-template.js';
import type { MachineInventoryPoolObject } from '../api/machine-inventory-pool.js';
import { toPoolRecord } from './pools/pool-record.js';

type Template = Pick<KindObject<(typeof BaremetalMachineTemplate)['versions'][number]>, 'metadata' | 'spec'>;
type Pool = Pick<MachineInventoryPoolObject, 'metadata' | 'spec' | 'status'>;

/**
 * A BaremetalMachineTemplate takes each machine's host from the
 * MachineInventoryPool its `machineInventoryPoolRef` names. Free hosts are the
 * pool's `status.available` as its controller counts them (registered, Ready,
 * with a plan Secret, held by no machine); a pool the controller has not
 * counted yet has none known to be free. A pool serves one workload cluster
 * (`spec.clusterName`), so it has no host for another cluster's node pools.
 *
 * Bare-metal rollouts replace a node in place (maxSurge 0, as the documented
 * pools use): the host asks with the pool's own maxSurge, so a surge of 1
 * needs one more available host than the replicas.
 */
export const BAREMETAL_SLOT_POOL: SlotPoolSource<Template, Pool> = {
  templateKind: 'BaremetalMachineTemplate',
  templatePlural: 'baremetalmachinetemplates',
  poolKind: 'MachineInventoryPool',
  poolPlural: 'machineinventorypools',
  poolRef: 'machineInventoryPoolRef',
  count: (pool) => {
    const record = toPoolRecord(pool);
    return { free: record.free, total: record.total, servesCluster: record.cluster || undefined };
  },
};

/** The answer for a template and its pool as read (undefined: not found). */
export function baremetalNodePoolCapacity(
  request: NodePoolCapacityRequest,
  template: Template | undefined,
  pool: Pool | undefined,
): NodePoolCapacity | undefined {
  return slotPoolCapacity(BAREMETAL_SLOT_POOL, request, template, pool);
}

/** The `node-pool.capacity` export: whether the template's MachineInventoryPool has a host for each machine. */
export const nodePoolCapacity = slotPoolCapacityExtension(BAREMETAL_SLOT_POOL);
