import { type SlotPoolSource, slotPoolCapacityExtension, slotPoolCapacityOf } from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../api/vsphere-machine-config-pool.js';
import { toConfigPoolRecord } from './cluster-create/facts.js';

/**
 * A VSphereMachineTemplate draws each machine's hostname, network and disks
 * from the VSphereMachineConfigPool its `machineConfigPoolRef` names (none:
 * the machines take DHCP addresses, and there is nothing to count). Free
 * slots are the pool's `status.availableCount` as its controller writes it;
 * a pool bound to another consumer (`status.consumerRef`, the workload of
 * the first machine that took a slot) has none for this pool, as the
 * controller refuses its machines.
 */
export const VSPHERE_SLOT_POOL: SlotPoolSource<
  unknown,
  Pick<VSphereMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>
> = {
  templateKind: 'VSphereMachineTemplate',
  poolKind: 'VSphereMachineConfigPool',
  poolRef: 'machineConfigPoolRef',
  count: (pool) => {
    const record = toConfigPoolRecord(pool);
    const consumer = pool.status?.consumerRef as { kind?: string; name?: string } | undefined;
    return {
      free: record.free,
      total: record.total,
      ...(consumer?.kind && consumer.name ? { boundTo: { kind: consumer.kind, name: consumer.name } } : {}),
    };
  },
};

/** The answer for a template and its pool as read (undefined: not found). */
export const vsphereNodePoolCapacity = slotPoolCapacityOf(VSPHERE_SLOT_POOL);

/** The `node-pool.capacity` export: whether the template's config pool has a slot for each machine of the pool. */
export const nodePoolCapacity = slotPoolCapacityExtension(VSPHERE_SLOT_POOL);
