// Cluster API's ClusterResourceSet (addons.cluster.x-k8s.io), how a provider delivers what its
// workload clusters need from the platform (a cloud provider's configuration, account and
// workloads): ConfigMaps and Secrets whose `data` key holds the objects, and the set that selects
// the clusters they are applied to. Pure builders, so a wizard, a clusterctl template and a
// controller make the same objects.

export const CLUSTER_RESOURCE_SET_API_VERSION = 'addons.cluster.x-k8s.io/v1beta1';
/** The Secret type a ClusterResourceSet accepts as a resource. */
export const RESOURCE_SET_SECRET_TYPE = 'addons.cluster.x-k8s.io/resource-set';

/** A Kubernetes object as a manifest. */
export type Manifest = { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<
  string,
  unknown
>;

/**
 * A resource's `data`: the workload objects, one document each (JSON is YAML, and Cluster API
 * splits the documents on `---`).
 */
export const resourceSetDocuments = (objects: readonly Record<string, unknown>[]): string =>
  objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n');

/** A ConfigMap resource of a ClusterResourceSet holding `objects`. */
export function resourceSetConfigMap(
  name: string,
  namespace: string,
  objects: readonly Record<string, unknown>[],
): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { data: resourceSetDocuments(objects) },
  };
}

/** A Secret resource of a ClusterResourceSet holding `objects` (for those that carry a credential). */
export function resourceSetSecret(
  name: string,
  namespace: string,
  objects: readonly Record<string, unknown>[],
): Manifest & { stringData: { data: string } } {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: RESOURCE_SET_SECRET_TYPE,
    stringData: { data: resourceSetDocuments(objects) },
  };
}

/**
 * The ClusterResourceSet: in the clusters' namespace (it matches no other), re-applied on change
 * (`Reconcile`), applied to the clusters `matchLabels` selects.
 */
export function clusterResourceSet(input: {
  name: string;
  namespace: string;
  matchLabels: Record<string, string>;
  resources: readonly { name: string; kind: 'ConfigMap' | 'Secret' }[];
}): Manifest {
  return {
    apiVersion: CLUSTER_RESOURCE_SET_API_VERSION,
    kind: 'ClusterResourceSet',
    metadata: { name: input.name, namespace: input.namespace },
    spec: {
      strategy: 'Reconcile',
      clusterSelector: { matchLabels: input.matchLabels },
      resources: input.resources,
    },
  };
}
