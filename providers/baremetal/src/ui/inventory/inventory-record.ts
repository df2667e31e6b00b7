/**
 * A registered host (elemental MachineInventory) as the inventory page shows
 * it: whether it is Ready, where the provider has it (the allocation state,
 * pool and owner annotations it keeps), its plan's state, and what its
 * BaremetalHost reports through the BMC (power state, hardware summary).
 */
import {
  allocationStateOf,
  HOST_ANNOTATIONS,
  INVENTORY_ANNOTATIONS,
  type MachineInventory,
  observedAddress,
} from '../../cloud/machine-inventory.js';

export interface InventoryRecord {
  name: string;
  /** The Ready condition's status: True, False or Unknown (none yet). */
  ready: string;
  /** The provider's allocation state; `Unpooled` when no pool lists the host. */
  state: string;
  pool: string | undefined;
  /** `cluster/machine` when a machine holds the host. */
  owner: string | undefined;
  /** The plan's state (Applied, Failed), `none` without a plan Secret, `pending` while one runs. */
  plan: string;
  address: string | undefined;
  power: string | undefined;
  hardware: string | undefined;
  /** The BaremetalHost that manages it through its BMC, if one does. */
  host: string | undefined;
}

export function toInventoryRecord(inventory: MachineInventory): InventoryRecord {
  const annotations = inventory.metadata.annotations ?? {};
  const ready = inventory.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const pool = annotations[INVENTORY_ANNOTATIONS.pool] || undefined;
  const cluster = annotations[INVENTORY_ANNOTATIONS.ownerCluster];
  const machine = annotations[INVENTORY_ANNOTATIONS.ownerMachine];
  const plan = inventory.status?.plan;
  return {
    name: inventory.metadata.name,
    ready,
    state: allocationStateOf(inventory) ?? (pool ? 'Unknown' : 'Unpooled'),
    pool,
    owner: cluster || machine ? `${cluster ?? '?'}/${machine ?? '?'}` : undefined,
    plan: plan?.state ?? (plan?.secretRef?.name ? 'pending' : 'none'),
    address: observedAddress(inventory),
    power: annotations[HOST_ANNOTATIONS.powerState] || undefined,
    hardware: annotations[HOST_ANNOTATIONS.hardware] || undefined,
    host: annotations[HOST_ANNOTATIONS.host] || undefined,
  };
}

/** The image catalog as rows, newest version first: version and the OS image it provisions. */
export function catalogRows(
  data: Record<string, string> | undefined,
  compare: (a: string, b: string) => number,
): [string, string][] {
  return Object.entries(data ?? {})
    .map(([version, image]): [string, string] => [version, image.trim()])
    .sort(([a], [b]) => compare(b, a));
}
