// The objects a user and Cluster API make for bare-metal machines: the image catalog, pools, the
// Cluster with its BaremetalCluster, and per machine the BaremetalMachine, its bootstrap Secret and
// the Machine owning it (as a MachineSet makes them).
import { type ClusterApiObjects, clusterApiObjects } from '@immutable-infra/testkit';
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
export const CLUSTER = 'demo';

/** What CABPK writes for a joining node, without the fields the provider fills in. */
const JOIN_USER_DATA = `## template: jinja
#cloud-config
write_files:
  - path: /run/kubeadm/kubeadm.yaml
    owner: root:root
    permissions: '0640'
    content: |
      ---
      apiVersion: kubeadm.k8s.io/v1beta3
      kind: JoinConfiguration
      discovery:
        bootstrapToken:
          apiServerEndpoint: 192.168.254.100:6443
          token: abcdef.0123456789abcdef
          unsafeSkipCAVerification: true
      nodeRegistration:
        kubeletExtraArgs:
          node-labels: kube-ovn/role=master
runcmd:
  - kubeadm join --config /run/kubeadm/kubeadm.yaml
`;

export class BaremetalFixtures {
  readonly objects: KubernetesObjectApi;
  readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  create(object: Record<string, unknown>) {
    return this.objects.create(object as KubernetesObject);
  }

  async imageCatalog(namespace: string, data: Record<string, string>): Promise<void> {
    await this.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'elemental-image-catalog', namespace },
      data,
    });
  }

  async pool(
    namespace: string,
    name: string,
    machineInventories: { name: string; hostname?: string }[],
  ): Promise<void> {
    await this.create({
      apiVersion: INFRA,
      kind: 'MachineInventoryPool',
      metadata: { name, namespace },
      spec: { clusterName: CLUSTER, machineInventories },
    });
  }

  /** Cluster API's objects of the Cluster `demo` in `namespace`. */
  private capi(namespace: string): ClusterApiObjects {
    return clusterApiObjects({
      namespace,
      cluster: CLUSTER,
      infrastructureKinds: { cluster: 'BaremetalCluster', machine: 'BaremetalMachine' },
    });
  }

  /** The Cluster and its BaremetalCluster `demo`, the endpoint left to the load balancer's VIP (or `balancer`). */
  async cluster(namespace: string, balancer?: Record<string, unknown>): Promise<void> {
    const capi = this.capi(namespace);
    const cluster = await this.create(capi.cluster());
    await this.create({
      apiVersion: INFRA,
      kind: 'BaremetalCluster',
      metadata: {
        name: CLUSTER,
        namespace,
        labels: capi.labels,
        ownerReferences: [capi.ownerReference(cluster)],
      },
      spec: {
        controlPlaneLoadBalancer: balancer ?? {
          type: 'Internal',
          host: '192.168.254.100',
          port: 6443,
          vrid: 51,
        },
        networkType: 'kube-ovn',
      },
    });
  }

  /**
   * The BaremetalMachine `name` drawing from `pool`, its bootstrap data (a joining node's unless
   * given) and its Machine at `version`, in the control plane when `controlPlane` is set.
   */
  async machine(
    namespace: string,
    name: string,
    pool: string,
    version: string,
    options: { userData?: string; controlPlane?: boolean } = {},
  ): Promise<void> {
    const capi = this.capi(namespace);
    await this.create({
      apiVersion: INFRA,
      kind: 'BaremetalMachine',
      metadata: { name, namespace, labels: capi.labels },
      spec: { machineInventoryPoolRef: { name: pool } },
    });
    await this.create(capi.bootstrapSecret(name, options.userData ?? JOIN_USER_DATA));
    const labels = options.controlPlane
      ? { ...capi.labels, 'cluster.x-k8s.io/control-plane': '' }
      : undefined;
    const machine = await this.create(capi.machine(name, { version, labels }));
    await this.objects.patch(
      {
        apiVersion: INFRA,
        kind: 'BaremetalMachine',
        metadata: { name, namespace, ownerReferences: [capi.ownerReference(machine)] },
      },
      undefined,
      undefined,
      'baremetal-fixtures',
      undefined,
      PatchStrategy.MergePatch,
    );
  }

  /** The object, or undefined when it does not exist. */
  async read<T>(apiVersion: string, kind: string, namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    await this.objects.delete({ apiVersion, kind, metadata: { name, namespace } });
  }
}
