import type { ClaimablePoolKind } from '@immutable-infra/provider-kit';
import { BAREMETAL_API_VERSION } from '../api/common.js';
import type {
  InventoryClaim,
  MachineInventoryPoolObject,
  PoolInventory,
} from '../api/machine-inventory-pool.js';

/**
 * A MachineInventoryPool for the kit's ClaimablePool: entries are `spec.machineInventories` in
 * declaration order (the Ordered policy takes the first free one), claims are
 * `status.claims`, keyed by the BaremetalMachine's UID and written with a compare-and-swap, so two
 * machines racing for the last host cannot both get it. A released claim is dropped: the host is
 * free again once its clean plan applied.
 */
export const inventoryPoolKind: ClaimablePoolKind<MachineInventoryPoolObject, PoolInventory, InventoryClaim> =
  {
    apiVersion: BAREMETAL_API_VERSION,
    kind: 'MachineInventoryPool',
    entries: (pool) => pool.spec.machineInventories,
    entryKey: (entry) => entry.name,
    claims: (pool) => pool.status?.claims ?? [],
    claimedEntryKey: (claim) => claim.machineInventory,
    claimantUid: (claim) => claim.baremetalMachineRef.uid || undefined,
    newClaim: (entry, claimant) => ({
      machineInventory: entry.name,
      baremetalMachineRef: { name: claimant.name, uid: claimant.uid },
    }),
    statusWithClaims: (claims) => ({ claims }),
  };
