import { clusterApiObjects, clusterCaSecret, plainHttpConsent } from '@immutable-infra/testkit';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';

const ignition = JSON.stringify({
  ignition: { version: '3.4.0' },
  storage: {
    files: [
      {
        path: '/etc/kubeadm-extra.yaml',
        contents: { source: `data:,${encodeURIComponent('provider-id: PROVIDER_ID\nnode-ip: NODE_IP\n')}` },
      },
    ],
  },
});

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** Cluster API's objects of the Cluster `demo` in `namespace`. */
const capiObjects = (namespace: string) =>
  clusterApiObjects({
    namespace,
    cluster: 'demo',
    infrastructureKinds: { cluster: 'DCSCluster', machine: 'DCSMachine' },
  });

/**
 * The objects Cluster API and a user would create around DCS machines: the
 * credential Secret, a pool, Cluster + DCSCluster, and Machine + bootstrap
 * Secret + DCSMachine with owner references, as the real controllers leave them.
 */
export class DcsFixtures {
  constructor(
    private readonly objects: KubernetesObjectApi,
    private readonly simUrl: string,
  ) {}

  async apply(object: Record<string, unknown>): Promise<KubernetesObject> {
    return this.objects.create(object as KubernetesObject);
  }

  async read<T>(kind: string, namespace: string, name: string, apiVersion = INFRA): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
    } catch {
      return undefined;
    }
  }

  async createCluster(
    namespace: string,
    secretKey: string,
    vmPrefix = namespace,
    poolSize = 2,
    persistentDiskGB = 0,
    controlPlaneHA = false,
  ): Promise<void> {
    await this.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'dcs-auth', namespace },
      // The simulator speaks plain HTTP, which a credential must accept in so many words.
      stringData: {
        authUser: 'cluster-api',
        authKey: secretKey,
        endpoint: this.simUrl,
        ...plainHttpConsent(this.simUrl),
      },
    });
    // What the kubeadm control plane provider creates before the first machine: the cluster CA.
    await this.apply(await clusterCaSecret(namespace, 'demo'));
    await this.apply({
      apiVersion: INFRA,
      kind: 'DCSIpHostnamePool',
      metadata: { name: 'cp-pool', namespace, labels: { 'cluster.x-k8s.io/cluster-name': 'demo' } },
      spec: {
        pool: Array.from({ length: poolSize }, (_, i) => i + 1).map((n) => ({
          ip: `10.0.1.${10 + n}`,
          mask: '24',
          gateway: '10.0.1.1',
          dns: '10.0.0.2',
          hostname: `cp-${n}`,
          machineName: `${vmPrefix}-vm-${n}`,
          dvSwitchName: 'DVS-Business',
          portGroupName: 'business-vlan100',
          ...(persistentDiskGB > 0
            ? {
                persistentDisk: [
                  {
                    slot: 0,
                    quantityGB: persistentDiskGB,
                    datastoreClusterName: 'ssd-pool',
                    path: '/var/cpaas',
                    format: 'xfs',
                  },
                ],
              }
            : {}),
          additionNic: [
            {
              ip: `10.0.2.1${n}`,
              mask: '255.255.255.0',
              dvSwitchName: 'DVS-Management',
              portGroupName: 'management',
            },
          ],
        })),
      },
    });
    const capi = capiObjects(namespace);
    const cluster = await this.apply(capi.cluster());
    await this.apply({
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: {
        name: 'demo',
        namespace,
        labels: capi.labels,
        ownerReferences: [capi.ownerReference(cluster)],
      },
      spec: {
        controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
        credentialSecretRef: { name: 'dcs-auth' },
        networkType: 'kube-ovn',
        ...(controlPlaneHA ? { controlPlaneHA: { enabled: true } } : {}),
      },
    });
  }

  /** A worker pool beside the control plane pool, as the docs' node pools have. */
  async createWorkerPool(namespace: string, size: number, vmPrefix = `${namespace}-w`): Promise<void> {
    await this.apply({
      apiVersion: INFRA,
      kind: 'DCSIpHostnamePool',
      metadata: { name: 'worker-pool', namespace },
      spec: {
        pool: Array.from({ length: size }, (_, i) => i + 1).map((n) => ({
          ip: `10.0.3.${10 + n}`,
          mask: '255.255.255.0',
          gateway: '10.0.3.1',
          hostname: `worker-${n}`,
          machineName: `${vmPrefix}-vm-${n}`,
          dvSwitchName: 'DVS-Business',
          portGroupName: 'business-vlan200',
        })),
      },
    });
  }

  async createMachine(
    namespace: string,
    name: string,
    role: 'control-plane' | 'worker' = 'control-plane',
    /** The compute cluster the VM goes to; the template's (a one-host cluster) when left out. */
    computeCluster?: string,
  ): Promise<void> {
    const worker = role === 'worker';
    const labels = worker
      ? { 'cluster.x-k8s.io/cluster-name': 'demo' }
      : { 'cluster.x-k8s.io/cluster-name': 'demo', 'cluster.x-k8s.io/control-plane': '' };
    const capi = capiObjects(namespace);
    await this.apply(capi.bootstrapSecret(name, ignition, 'ignition'));
    const machine = await this.apply(capi.machine(name, { labels }));
    await this.apply({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: { name, namespace, labels, ownerReferences: [capi.ownerReference(machine)] },
      spec: {
        vmTemplateName: 'ubuntu-2204-k8s-v1.34',
        location: { type: 'folder', name: 'kubernetes' },
        ...(computeCluster ? { resource: { type: 'cluster', name: computeCluster } } : {}),
        ipHostPoolRef: { name: worker ? 'worker-pool' : 'cp-pool' },
        vmConfig: {
          dcsMachineCpuSpec: { quantity: worker ? 8 : 4 },
          dcsMachineMemorySpec: { quantity: worker ? 16384 : 8192 },
          dcsMachineDiskSpec: [
            { quantity: 0, systemVolume: true, datastoreClusterName: 'ssd-pool' },
            { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/containerd', format: 'xfs' },
          ],
          cdRomDatastoreName: 'datastore-nas-01',
        },
      },
    });
  }
}

/** Whether `fileName` is the bootstrap ISO of the DCSMachine `machine` (it carries the machine's UID). */
export const isBootstrapIsoOf = (machine: string, fileName: string): boolean =>
  new RegExp(`^${machine}-[0-9a-f-]{36}-bootstrap\\.iso$`).test(fileName);
