import type { ClaimablePoolKind } from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereMachineConfigPoolObject } from '../api/vsphere-machine-config-pool.js';

export type ConfigSlot = VSphereMachineConfigPoolObject['spec']['configs'][number];
export type SlotRecord = NonNullable<
  NonNullable<VSphereMachineConfigPoolObject['status']>['configStatuses']
>[number];

/**
 * A VSphereMachineConfigPool for the kit's ClaimablePool. Slots are `spec.configs` by hostname;
 * `status.configStatuses` records the slots that are not Available: InUse (held by the
 * VSphereMachine in `machineRef`, by its UID) or Released (its VM is gone, its persistent disks wait
 * for the next machine of the pool's consumer, which gets it before any never-used slot). A slot
 * without a record is Available. The pool is bound to the consumer (KubeadmControlPlane or
 * MachineDeployment) of the first machine that takes a slot, until no record is left.
 */
export const configPoolKind: ClaimablePoolKind<VSphereMachineConfigPoolObject, ConfigSlot, SlotRecord> = {
  apiVersion: VSPHERE_API_VERSION,
  kind: 'VSphereMachineConfigPool',
  entries: (pool) => pool.spec.configs,
  entryKey: (slot) => slot.hostname,
  claims: (pool) => (pool.status?.configStatuses ?? []).filter((record) => record.state !== 'Available'),
  claimedEntryKey: (record) => record.hostname,
  claimantUid: (record) => record.machineRef?.uid || undefined,
  newClaim: (slot, machine) => ({
    hostname: slot.hostname,
    state: 'InUse',
    machineRef: {
      apiVersion: VSPHERE_API_VERSION,
      kind: 'VSphereMachine',
      name: machine.name,
      uid: machine.uid,
    },
  }),
  statusWithClaims: (records) => ({ configStatuses: records }),
  // Available to any machine: slots with no record (a Released one still waits for its consumer;
  // the pool's reconcile frees it once its delay is over).
  usageStatus: (usage, records, pool) => {
    const slots = new Set(pool.spec.configs.map((slot) => slot.hostname));
    return {
      totalCount: usage.total,
      availableCount: slots.size - records.filter((record) => slots.has(record.hostname)).length,
    };
  },
  holds: (record) => record.state === 'InUse',
  released: (record, at) => ({
    hostname: record.hostname,
    state: 'Released',
    lastReleasedTime: at.toISOString(),
  }),
  binding: {
    of: (pool) => pool.status?.consumerRef as { kind: string; name: string } | undefined,
    // A merge patch's null removes the binding.
    status: (consumer) => ({ consumerRef: consumer ?? null }),
  },
};
