import { type SlotPoolSource, slotPoolCapacityExtension, slotPoolCapacityOf } from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../api/hcs-machine-config-pool.js';
import { toConfigPoolRecord } from './cluster-create/facts.js';

/**
 * An HCSMachineTemplate draws each machine's hostname, addresses and disks
 * from the HCSMachineConfigPool its `configPoolRef` names; free entries are
 * the pool's `status.availableCount` as its controller writes it (every
 * entry but those in `status.usedConfigs` before the controller has seen it).
 */
export const HCS_SLOT_POOL: SlotPoolSource<
  unknown,
  Pick<HCSMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>
> = {
  templateKind: 'HCSMachineTemplate',
  poolKind: 'HCSMachineConfigPool',
  poolRef: 'configPoolRef',
  count: toConfigPoolRecord,
};

/** The answer for a template and its pool as read (undefined: not found). */
export const hcsNodePoolCapacity = slotPoolCapacityOf(HCS_SLOT_POOL);

/** The `node-pool.capacity` export: whether the template's config pool has an entry for each machine of the pool. */
export const nodePoolCapacity = slotPoolCapacityExtension(HCS_SLOT_POOL);
