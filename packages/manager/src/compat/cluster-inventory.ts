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

interface DeploymentObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

/** The labels our Helm charts put on a provider's Deployment (see the kit's chart generator). */
const HELM_PROVIDER_SELECTOR = 'app.kubernetes.io/part-of=immutable-infra,cluster.x-k8s.io/provider';

/**
 * The infrastructure providers installed in the cluster: clusterctl's inventory (clusterctl and
 * `iinfra provider install` write it), and providers installed with our Helm charts, which write
 * none: their Deployment says which provider (`cluster.x-k8s.io/provider`) at which version
 * (`app.kubernetes.io/version`). A provider both record in one namespace is counted once, by its
 * Deployment: after a move from clusterctl to Helm the inventory may still name the old version.
 */
export async function readInstalledProviders(client: ObjectClient): Promise<InventoryProvider[]> {
  const items = await client.list<ProviderObject>(INVENTORY_API_VERSION, 'Provider').catch((error) => {
    // Without clusterctl's CRD (a cluster where only Helm was used) there is no inventory to read.
    if (/serves no kind|not found|404/i.test(String(error))) return [];
    throw error;
  });
  const deployments = await client.list<DeploymentObject>('apps/v1', 'Deployment', {
    labelSelector: HELM_PROVIDER_SELECTOR,
  });
  const fromHelm = deployments.flatMap((deployment) => {
    const labels = deployment.metadata.labels ?? {};
    const name = /^infrastructure-(.+)$/.exec(labels['cluster.x-k8s.io/provider'] ?? '')?.[1];
    const version = labels['app.kubernetes.io/version']?.replace(/^v/, '');
    return name && version ? [{ name, version, namespace: deployment.metadata.namespace ?? '' }] : [];
  });
  const fromInventory = items
    .filter((item) => item.type === 'InfrastructureProvider' && item.providerName && item.version)
    .map((item) => ({
      name: item.providerName as string,
      version: (item.version as string).replace(/^v/, ''),
      namespace: item.metadata.namespace ?? '',
    }))
    .filter((item) => !fromHelm.some((h) => h.name === item.name && h.namespace === item.namespace));
  return [...fromInventory, ...fromHelm];
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
