import type { HcsSimulator } from '@immutable-infra/hcs-sim';
import { clusterApiObjects, clusterCaSecret } from '@immutable-infra/testkit';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** Cluster API's objects of the Cluster `demo` in `namespace`. */
const capiObjects = (namespace: string) =>
  clusterApiObjects({
    namespace,
    cluster: 'demo',
    infrastructureKinds: { cluster: 'HCSCluster', machine: 'HCSMachine' },
  });
/** Every `*.hcs.test` host reaches the simulator (the provider is given fixedAddressLookup for it). */
export const TEST_DOMAIN = 'hcs.test';

/** Kubeadm's cloud-config, with the tokens the documentation has users put in kubelet arguments. */
const cloudConfig = [
  '## template: jinja',
  '#cloud-config',
  'write_files:',
  '  - path: /etc/kubeadm-extra.yaml',
  '    content: |',
  '      provider-id: PROVIDER_ID',
  '      node-ip: NODE_IP',
  'runcmd:',
  '  - kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml',
  '',
].join('\n');

export interface ClusterOptions {
  /** Control plane pool entries; 3 by default. */
  poolSize?: number;
  /** GB of a persistent disk on every entry (/var/cpaas); none when 0. */
  persistentDiskGB?: number;
  controlPlaneHA?: boolean;
  /** The secret key in the credential Secret; the simulator's own when left out. */
  secretKey?: string;
  vipAddress?: string;
  /** Fixed ELB backend addresses in the control-plane subnet, for L4 and L7 listeners. */
  backendIps?: { l4: string[]; l7: string[] };
  /** First octet offset of the pool's IPs, so clusters in one simulator do not collide. */
  ipBase?: number;
  /** Prefix of the pool's hostnames (they become server names), unique per test. */
  hostPrefix: string;
  /** The HCSCluster's spec.bootstrapObjectStorage. */
  bootstrapObjectStorage?: { bucket: string; endpoint?: string; urlValiditySeconds?: number };
}

/**
 * What Cluster API and a user create around HCS machines: the credential Secret, a config pool,
 * Cluster + HCSCluster, Machine + bootstrap Secret + HCSMachine with owner references.
 */
export class HcsFixtures {
  constructor(
    private readonly objects: KubernetesObjectApi,
    private readonly sim: HcsSimulator,
  ) {}

  apply(object: Record<string, unknown>): Promise<KubernetesObject> {
    return this.objects.create(object as KubernetesObject);
  }

  async read<T>(kind: string, namespace: string, name: string, apiVersion = INFRA): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
    } catch {
      return undefined;
    }
  }

  async delete(kind: string, namespace: string, name: string, apiVersion = INFRA): Promise<void> {
    await this.objects.delete({ apiVersion, kind, metadata: { name, namespace } });
  }

  async createCluster(namespace: string, options: ClusterOptions): Promise<void> {
    const base = options.ipBase ?? 10;
    await this.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hcs-auth', namespace },
      stringData: {
        accessKey: this.sim.accessKey,
        secretKey: options.secretKey ?? this.sim.secretKey,
        projectID: this.sim.projectId,
        region: this.sim.region,
        externalGlobalDomain: `${TEST_DOMAIN}:${new URL(this.sim.url).port}`,
        schema: 'http',
        allowPlainHTTP: 'true',
      },
    });
    // What the kubeadm control plane provider creates before the first machine: the cluster CA.
    await this.apply(await clusterCaSecret(namespace, 'demo'));
    await this.createPool(namespace, 'cp-pool', options.hostPrefix, 'control-plane', `192.168.10.${base}`, {
      size: options.poolSize ?? 3,
      persistentDiskGB: options.persistentDiskGB ?? 0,
    });
    const capi = capiObjects(namespace);
    const cluster = await this.apply(capi.cluster());
    await this.apply({
      apiVersion: INFRA,
      kind: 'HCSCluster',
      metadata: {
        name: 'demo',
        namespace,
        labels: capi.labels,
        ownerReferences: [capi.ownerReference(cluster)],
      },
      spec: {
        controlPlaneLoadBalancer: {
          ...(options.vipAddress ? { vipAddress: options.vipAddress } : {}),
          ...(options.backendIps
            ? {
                elbVirsubnetL4Ips: [{ subnetName: 'control-plane', ips: options.backendIps.l4 }],
                elbVirsubnetL7Ips: [{ subnetName: 'control-plane', ips: options.backendIps.l7 }],
              }
            : {}),
          vipSubnetName: 'control-plane',
        },
        networkType: 'kube-ovn',
        network: {
          vpc: { name: 'cluster-vpc' },
          subnets: [{ name: 'control-plane' }, { name: 'workers' }],
          securityGroup: { name: 'cluster-sg' },
        },
        identityRef: { name: 'hcs-auth' },
        ...(options.controlPlaneHA ? { controlPlaneHA: { enabled: true, policy: 'anti-affinity' } } : {}),
        ...(options.bootstrapObjectStorage ? { bootstrapObjectStorage: options.bootstrapObjectStorage } : {}),
      },
    });
  }

  /** A pool of `size` entries `<prefix>-<role>-<n>` with consecutive IPs from `firstIp`. */
  async createPool(
    namespace: string,
    name: string,
    prefix: string,
    subnet: 'control-plane' | 'workers',
    firstIp: string,
    options: { size: number; persistentDiskGB?: number },
  ): Promise<void> {
    const [a, b, c, d] = firstIp.split('.').map(Number) as [number, number, number, number];
    await this.apply({
      apiVersion: INFRA,
      kind: 'HCSMachineConfigPool',
      metadata: { name, namespace, labels: { 'cluster.x-k8s.io/cluster-name': 'demo' } },
      spec: {
        configs: Array.from({ length: options.size }, (_, i) => ({
          hostname: `${prefix}-${subnet === 'workers' ? 'worker' : 'master'}-${i + 1}`,
          networks: [{ subnetName: subnet, ipAddress: `${a}.${b}.${c}.${d + i + 1}` }],
          ...(options.persistentDiskGB
            ? {
                persistentDisks: [
                  {
                    slot: 0,
                    size: options.persistentDiskGB,
                    type: 'SSD',
                    mountPath: '/var/cpaas',
                    format: 'xfs',
                  },
                ],
              }
            : {}),
        })),
      },
    });
  }

  async createMachine(
    namespace: string,
    name: string,
    role: 'control-plane' | 'worker' = 'control-plane',
    poolName = role === 'worker' ? 'worker-pool' : 'cp-pool',
    extraDataVolumes: { type: string; size: number; mountPath: string; format: string }[] = [],
  ): Promise<void> {
    const labels =
      role === 'worker'
        ? { 'cluster.x-k8s.io/cluster-name': 'demo' }
        : { 'cluster.x-k8s.io/cluster-name': 'demo', 'cluster.x-k8s.io/control-plane': '' };
    const capi = capiObjects(namespace);
    await this.apply(capi.bootstrapSecret(name, cloudConfig));
    const machine = await this.apply(capi.machine(name, { labels }));
    await this.apply({
      apiVersion: INFRA,
      kind: 'HCSMachine',
      metadata: { name, namespace, labels, ownerReferences: [capi.ownerReference(machine)] },
      spec: {
        imageName: 'microos-k8s-1.34.1',
        flavorName: role === 'worker' ? 's6.xlarge.2' : 's6.large.2',
        availabilityZone: 'az1',
        rootVolume: { type: 'SSD', size: 40 },
        dataVolumes: [
          { type: 'SSD', size: 10, mountPath: '/var/lib/etcd', format: 'xfs' },
          ...extraDataVolumes,
        ],
        keyPairName: 'cluster-key',
        configPoolRef: { name: poolName },
      },
    });
  }
}
