import type { ObjectClient } from '../kube/object-client.js';

/**
 * What runs in a management cluster, recorded where clusterctl records it:
 * `Provider` objects of clusterctl's inventory (clusterctl.cluster.x-k8s.io),
 * so `clusterctl` and `iinfra` read the same facts. The platform release is a
 * ConfigMap written by the platform installer (or `iinfra env up`).
 */
export const INVENTORY_API_VERSION = 'clusterctl.cluster.x-k8s.io/v1alpha3';
export const SYSTEM_NAMESPACE = 'immutable-infra-system';
export const PLATFORM_CONFIGMAP = 'platform-release';

export interface InventoryProvider {
  name: string;
  version: string;
  namespace: string;
}

interface ProviderObject {
  metadata: { name: string; namespace?: string };
  providerName?: string;
  type?: string;
  version?: string;
}

export async function readInstalledProviders(client: ObjectClient): Promise<InventoryProvider[]> {
  const items = await client.list<ProviderObject>(INVENTORY_API_VERSION, 'Provider');
  return items
    .filter((item) => item.type === 'InfrastructureProvider' && item.providerName && item.version)
    .map((item) => ({
      name: item.providerName as string,
      version: (item.version as string).replace(/^v/, ''),
      namespace: item.metadata.namespace ?? '',
    }));
}

export async function readPlatformVersion(client: ObjectClient): Promise<string | undefined> {
  const map = await client.get<{ data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: SYSTEM_NAMESPACE,
    name: PLATFORM_CONFIGMAP,
  });
  return map?.data?.version;
}

export function inventoryObject(provider: { name: string; version: string }) {
  return {
    apiVersion: INVENTORY_API_VERSION,
    kind: 'Provider',
    metadata: {
      name: `infrastructure-${provider.name}`,
      namespace: SYSTEM_NAMESPACE,
      labels: {
        'clusterctl.cluster.x-k8s.io': '',
        'cluster.x-k8s.io/provider': `infrastructure-${provider.name}`,
        'app.kubernetes.io/managed-by': 'iinfra',
      },
    },
    providerName: provider.name,
    type: 'InfrastructureProvider',
    version: `v${provider.version}`,
  };
}
