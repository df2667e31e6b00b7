/**
 * The Cluster API objects an end-to-end suite's cluster is made of, around the provider's own
 * (infrastructure cluster, machine templates, pools): KubeadmControlPlane, KubeadmConfigTemplate,
 * MachineDeployment and Cluster, in the documented v1beta1 form, as the documentation has users
 * write them for platforms with persistent disks. What every provider's suite would otherwise write
 * again:
 * - three control plane machines and the workers rolled out with maxSurge 0, so a replacement
 *   takes its predecessor's slot (and its persistent disk) instead of needing a spare;
 * - cloud-config bootstrap data whose kubelet arguments carry the PROVIDER_ID and NODE_IP tokens
 *   the provider replaces;
 * - no CoreDNS or kube-proxy (the workload-cluster simulator runs neither).
 */

/** The names of the cluster's Cluster API objects. */
export const clusterApiNames = (cluster: string, workerPool = `${cluster}-worker-1`) => ({
  controlPlane: `${cluster}-control-plane`,
  workerPool,
  workerConfig: `${workerPool}-kct`,
});

export interface ClusterApiManifestsInput {
  namespace: string;
  cluster: string;
  /** Kubernetes version of the control plane and the workers. */
  version: string;
  workers: number;
  /** The provider's API version and kinds, e.g. `HCSCluster` and `HCSMachineTemplate`. */
  infraApiVersion: string;
  infraClusterKind: string;
  machineTemplateKind: string;
  controlPlaneTemplate: string;
  workerTemplate: string;
  names: ReturnType<typeof clusterApiNames>;
  /** kubeadm's ClusterConfiguration for the control plane (extra API server flags, say). */
  clusterConfiguration?: Record<string, unknown> | undefined;
}

const kubeletArgs = { 'provider-id': 'PROVIDER_ID', 'node-ip': 'NODE_IP' };

/** The Cluster API objects, in the order a user applies them after the infrastructure cluster. */
export function clusterApiManifests(input: ClusterApiManifestsInput): Record<string, unknown>[] {
  const { names } = input;
  const meta = (name: string) => ({ name, namespace: input.namespace });
  const templateRef = (name: string) => ({
    apiVersion: input.infraApiVersion,
    kind: input.machineTemplateKind,
    name,
  });
  const poolLabels = { 'cluster.x-k8s.io/cluster-name': input.cluster, 'pool.name': names.workerPool };
  return [
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
      kind: 'KubeadmControlPlane',
      metadata: {
        ...meta(names.controlPlane),
        annotations: {
          'controlplane.cluster.x-k8s.io/skip-coredns': '',
          'controlplane.cluster.x-k8s.io/skip-kube-proxy': '',
        },
      },
      spec: {
        replicas: 3,
        version: input.version,
        rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } },
        machineTemplate: {
          nodeDrainTimeout: '1m',
          nodeDeletionTimeout: '5m',
          infrastructureRef: templateRef(input.controlPlaneTemplate),
        },
        kubeadmConfigSpec: {
          format: 'cloud-config',
          ...(input.clusterConfiguration ? { clusterConfiguration: input.clusterConfiguration } : {}),
          initConfiguration: { nodeRegistration: { kubeletExtraArgs: kubeletArgs } },
          joinConfiguration: { nodeRegistration: { kubeletExtraArgs: kubeletArgs } },
        },
      },
    },
    {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
      kind: 'KubeadmConfigTemplate',
      metadata: meta(names.workerConfig),
      spec: {
        template: {
          spec: {
            format: 'cloud-config',
            joinConfiguration: { nodeRegistration: { kubeletExtraArgs: kubeletArgs } },
          },
        },
      },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachineDeployment',
      metadata: meta(names.workerPool),
      spec: {
        clusterName: input.cluster,
        replicas: input.workers,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        selector: { matchLabels: poolLabels },
        template: {
          metadata: { labels: poolLabels },
          spec: {
            clusterName: input.cluster,
            version: input.version,
            nodeDrainTimeout: '1m',
            nodeDeletionTimeout: '5m',
            bootstrap: {
              configRef: {
                apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
                kind: 'KubeadmConfigTemplate',
                name: names.workerConfig,
              },
            },
            infrastructureRef: templateRef(input.workerTemplate),
          },
        },
      },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: meta(input.cluster),
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['10.3.0.0/16'] }, services: { cidrBlocks: ['10.4.0.0/16'] } },
        controlPlaneRef: {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
          kind: 'KubeadmControlPlane',
          name: names.controlPlane,
        },
        infrastructureRef: {
          apiVersion: input.infraApiVersion,
          kind: input.infraClusterKind,
          name: input.cluster,
        },
      },
    },
  ];
}
