import type { Condition } from '@immutable-infra/core';
import type { ObservedStorage, StorageSpec, StorageStatus } from './storage.js';

/** elemental-operator's API: the long-lived host objects and their plan Secrets. */
export const ELEMENTAL_API_VERSION = 'elemental.cattle.io/v1beta1';

/** The annotations the provider keeps on each MachineInventory (the documented observability contract). */
export const INVENTORY_ANNOTATIONS = {
  pool: 'baremetal.alauda.io/pool',
  allocationState: 'baremetal.alauda.io/allocation-state',
  ownerCluster: 'baremetal.alauda.io/owner-cluster',
  ownerMachine: 'baremetal.alauda.io/owner-machine',
  ownerBaremetalMachine: 'baremetal.alauda.io/owner-baremetalmachine',
} as const;

/** What a BaremetalHost shows on the MachineInventory it registered as (annotations only: the documented fields stay as they are). */
export const HOST_ANNOTATIONS = {
  host: 'baremetal.alauda.io/baremetalhost',
  powerState: 'baremetal.alauda.io/power-state',
  hardware: 'baremetal.alauda.io/hardware',
} as const;

/** The annotation on a plan Secret naming the plan the provider wrote into it. */
export const PLAN_TYPE_ANNOTATION = 'baremetal.alauda.io/plan.type';

export type AllocationState = 'Available' | 'Allocated' | 'Reprovisioning' | 'Preparing' | 'Unavailable';

export interface ObservedInterface {
  name: string;
  mac?: string;
  mtu?: number;
  /** CIDR notation, e.g. `192.168.254.73/24`. */
  addresses?: string[];
}

export interface ObservedNetwork {
  interfaces?: ObservedInterface[];
  routes?: { destination: string; gateway?: string; interface?: string; metric?: number }[];
  dnsServers?: string[];
  searchDomains?: string[];
}

/** The part of a MachineInventory the provider reads. */
export interface MachineInventory {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    observedNetwork?: ObservedNetwork;
    /** An explicit network config; it takes precedence over observedNetwork. */
    network?: { configurator?: string; config?: unknown };
    /** Managed data volumes: the operator's declaration. */
    storage?: StorageSpec;
  };
  status?: {
    conditions?: Condition[];
    plan?: {
      secretRef?: { name?: string; namespace?: string };
      checksum?: string;
      state?: 'Applied' | 'Failed';
    };
    /** What the host's storage observer reports. */
    observedStorage?: ObservedStorage;
    /** The provider's storage lifecycle state and journal. */
    storage?: StorageStatus;
  };
}

export const inventoryRef = (namespace: string | undefined, name: string) => ({
  apiVersion: ELEMENTAL_API_VERSION,
  kind: 'MachineInventory',
  namespace,
  name,
});

export const allocationStateOf = (inventory: MachineInventory): AllocationState | undefined =>
  inventory.metadata.annotations?.[INVENTORY_ANNOTATIONS.allocationState] as AllocationState | undefined;

export const planSecretNameOf = (inventory: MachineInventory): string | undefined =>
  inventory.status?.plan?.secretRef?.name || undefined;

/** Why the host cannot take a plan now (not Ready, no plan Secret), or undefined when it can. */
export function inventoryNotUsable(inventory: MachineInventory): string | undefined {
  if (!planSecretNameOf(inventory))
    return `MachineInventory ${inventory.metadata.name} has no plan Secret yet`;
  const ready = inventory.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True')
    return `MachineInventory ${inventory.metadata.name} is not Ready${ready?.reason ? ` (${ready.reason})` : ''}`;
  return undefined;
}

/** The first IPv4 address elemental-register observed, without its prefix: the node's InternalIP. */
export function observedAddress(inventory: MachineInventory): string | undefined {
  for (const nic of inventory.spec?.observedNetwork?.interfaces ?? [])
    for (const address of nic.addresses ?? []) {
      const [ip] = address.split('/');
      if (ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip;
    }
  return undefined;
}
