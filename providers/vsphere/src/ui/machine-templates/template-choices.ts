import type { HostApi } from '@immutable-infra/core';
import { type Choice, listCredentialSecrets, platformClient } from '@immutable-infra/ui-kit';
import { VSPHERE_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import type {
  DatacenterInventory,
  InventoryItem,
  VspherePlatformOperations,
} from '../platform-operations.js';

/** What the form's vCenter dropdowns offer, each by the path the controllers resolve. */
export interface InventoryChoices {
  templates: Choice[];
  folders: Choice[];
  resourcePools: Choice[];
  datastores: Choice[];
  networks: Choice[];
}

const byPath = (items: readonly InventoryItem[]): Choice[] =>
  items.map((item) => ({ value: item.path, label: item.path }));

export const noInventory: InventoryChoices = {
  templates: [],
  folders: [],
  resourcePools: [],
  datastores: [],
  networks: [],
};

export function inventoryChoices(inventory: DatacenterInventory): InventoryChoices {
  return {
    templates: byPath(inventory.templates),
    folders: byPath(inventory.folders),
    resourcePools: byPath(inventory.resourcePools),
    datastores: inventory.datastores.map((d) => ({
      value: d.path,
      label: d.freeGiB === undefined ? d.path : `${d.path} (${d.freeGiB} GiB free)`,
    })),
    networks: inventory.networks.map((n) => ({ value: n.path, label: `${n.path} (${n.kind})` })),
  };
}

/** The namespace's vCenter credential Secrets, by name. */
export async function credentialChoices(api: HostApi, namespace: string): Promise<Choice[]> {
  const secrets = await listCredentialSecrets(api, namespace, VSPHERE_CREDENTIAL_KEYS);
  return secrets.map((s) => ({ value: s.metadata.name, label: s.metadata.name }));
}

/** The platform operations with one credential. */
export function vcenterOf(api: HostApi, namespace: string, credential: string) {
  const platform = platformClient<VspherePlatformOperations>(api, { namespace, name: credential });
  return {
    /** A datacenter at the root goes by its name, as manifests name it; a nested one by its path. */
    async datacenters(): Promise<Choice[]> {
      return (await platform.listDatacenters()).map((dc) => {
        const value = dc.path === `/${dc.name}` ? dc.name : dc.path;
        return { value, label: value };
      });
    },
    async inventory(datacenter: string): Promise<InventoryChoices> {
      return inventoryChoices(await platform.datacenterInventory({ datacenter }));
    },
  };
}
