import type { KubernetesObject } from '@kubernetes/client-node';

/** The Cluster API version the objects are written in (Cluster API's v1beta2 contract). */
export const CLUSTER_API_VERSION = 'cluster.x-k8s.io/v1beta2';

export interface ClusterApiObjectsOptions {
  namespace: string;
  /** The Cluster's name (and its infrastructure cluster's). */
  cluster: string;
  /** The provider's kinds the Cluster and the Machines refer to, e.g. `BaremetalCluster`, `BaremetalMachine`. */
  infrastructureKinds: { cluster: string; machine: string };
}

export interface MachineObjectOptions {
  /** The Machine's labels; the cluster-name label alone unless given. */
  labels?: Record<string, string> | undefined;
  /** `spec.version`, as a MachineSet or the control plane provider sets it. */
  version?: string | undefined;
  /** `spec.failureDomain`, as Cluster API sets it from the cluster's failure domains. */
  failureDomain?: string | undefined;
}

/** A Cluster API object as the builders return it, to create with `KubernetesObjectApi`. */
export type ClusterApiObject = KubernetesObject & {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
};

/** An `ownerReferences` entry. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** What `clusterApiObjects` builds. */
export interface ClusterApiObjects {
  /** `cluster.x-k8s.io/cluster-name`: the label Cluster API puts on a cluster's objects. */
  labels: Record<string, string>;
  /** The Cluster, referring to its infrastructure cluster of the same name. */
  cluster(): ClusterApiObject;
  /** The Machine `name`, referring to the infrastructure machine `name` and to the bootstrap Secret `<name>-bootstrap`. */
  machine(name: string, options?: MachineObjectOptions): ClusterApiObject;
  /** The bootstrap data Secret `<machine>-bootstrap` a bootstrap provider writes (`value` and `format`). */
  bootstrapSecret(machine: string, value: string, format?: 'cloud-config' | 'ignition'): ClusterApiObject;
  /** The owner reference to `owner` (a created Cluster or Machine, read back with its uid). */
  ownerReference(owner: KubernetesObject): OwnerReference;
}

/**
 * The Cluster API objects a provider's controller tests create around their own infrastructure
 * objects, as a user and Cluster API's controllers would (tests without those controllers create
 * them by hand): the Cluster, per machine the Machine and its bootstrap data Secret, and the owner
 * references Cluster API sets on the infrastructure objects. The builders return objects; the
 * test creates them in the order it needs.
 */
export function clusterApiObjects(options: ClusterApiObjectsOptions): ClusterApiObjects {
  const { namespace, cluster, infrastructureKinds } = options;
  const labels = { 'cluster.x-k8s.io/cluster-name': cluster };
  return {
    labels,
    cluster: () => ({
      apiVersion: CLUSTER_API_VERSION,
      kind: 'Cluster',
      metadata: { name: cluster, namespace },
      spec: {
        infrastructureRef: {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: infrastructureKinds.cluster,
          name: cluster,
        },
      },
    }),
    machine: (name, machine = {}) => ({
      apiVersion: CLUSTER_API_VERSION,
      kind: 'Machine',
      metadata: { name, namespace, labels: machine.labels ?? labels },
      spec: {
        clusterName: cluster,
        ...(machine.version ? { version: machine.version } : {}),
        ...(machine.failureDomain ? { failureDomain: machine.failureDomain } : {}),
        bootstrap: { dataSecretName: `${name}-bootstrap` },
        infrastructureRef: {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: infrastructureKinds.machine,
          name,
        },
      },
    }),
    bootstrapSecret: (machine, value, format = 'cloud-config') => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${machine}-bootstrap`, namespace },
      stringData: { value, format },
    }),
    ownerReference: (owner) => ({
      apiVersion: owner.apiVersion ?? CLUSTER_API_VERSION,
      kind: owner.kind ?? '',
      name: owner.metadata?.name ?? '',
      uid: owner.metadata?.uid ?? '',
    }),
  };
}
