import { type SlotPoolSource, slotPoolCapacityExtension, slotPoolCapacityOf } from '@immutable-infra/ui-kit';
import { type KubeObject, toMachineTemplateRecord, toPoolRecord } from './catalog/resources.js';

/**
 * A DCSMachineTemplate draws each machine's IP, hostname and disks from the
 * DCSIpHostnamePool its `ipHostPoolRef` names; an entry is free when no
 * DCSMachine holds it in the pool's `status.slots` (the pool controller's
 * count).
 */
export const DCS_SLOT_POOL: SlotPoolSource<KubeObject, KubeObject> = {
  templateKind: 'DCSMachineTemplate',
  poolKind: 'DCSIpHostnamePool',
  poolName: (template) => toMachineTemplateRecord(template).ipPool || undefined,
  count: toPoolRecord,
};

/** The answer for a template and its pool as read (undefined: not found). */
export const dcsNodePoolCapacity = slotPoolCapacityOf(DCS_SLOT_POOL);

/** The `node-pool.capacity` export: whether the template's IP pool has a slot for each machine of the pool. */
export const nodePoolCapacity = slotPoolCapacityExtension(DCS_SLOT_POOL);
