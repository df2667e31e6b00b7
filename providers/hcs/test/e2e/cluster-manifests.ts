/**
 * An HCS cluster as the product documentation has users write it (test/fixtures/documented.yaml:
 * the credential Secret, an HCSMachineConfigPool whose entries carry a persistent disk at
 * /var/cpaas, HCSMachineTemplates, the HCSCluster with its control plane ELB), plus the Cluster
 * API objects around them (Cluster, KubeadmControlPlane, MachineDeployment, KubeadmConfigTemplate)
 * (workload-sim's clusterApiManifests: the documented v1beta1 form with the rolling update the
 * documentation requires with persistent disks, maxSurge 0). Differences from the documented values, each deliberate:
 * - every address is in a loopback /24 (the workload-cluster simulator runs each control plane
 *   node's etcd and kubelet on its node address, and the API server on the ELB's VIP), and the VIP
 *   is left to HCS (no vipAddress, no vipDomainName: the endpoint must be an address to serve on);
 * - the kubeadm configs are cloud-config (HCS servers boot with cloud-init) and carry the
 *   PROVIDER_ID and NODE_IP tokens the provider replaces.
 */

import type { HcsSimulator, Inventory } from '@immutable-infra/hcs-sim';
import { clusterApiManifests, clusterApiNames } from '@immutable-infra/workload-sim';
import { TEST_DOMAIN } from '../cloud/simulator.js';

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
export const KUBERNETES_FROM = 'v1.34.3';
export const KUBERNETES_TO = 'v1.35.4';
/** The OS images of the two releases (the documented microos-4.2.1 and its successor). */
export const IMAGES = { [KUBERNETES_FROM]: 'microos-4.2.1', [KUBERNETES_TO]: 'microos-4.3.0' } as const;
export const CREDENTIAL = 'hcs-credentials';
export const POOLS = { cp: 'cp-pool', worker: 'worker-pool' } as const;
export const SUBNET = 'subnet-a';
export const PERSISTENT_DISK_GB = 20;

type Role = keyof typeof POOLS;
type Release = keyof typeof IMAGES;

export interface ClusterValues {
  namespace: string;
  cluster: string;
  /** The first three octets of the loopback /24 of the cluster's subnet, e.g. `127.42.7`. */
  subnet: string;
  workerPoolSize: number;
  workers: number;
}

/**
 * The region the cluster is created in: the documented VPC, subnet, security group, flavor and
 * zone, the two images, and a loopback subnet, so the servers' fixed IPs and the VIP HCS hands
 * out are addresses the workload-cluster simulator can serve on. Three hosts: the control plane's
 * anti-affinity group fills them.
 */
export function regionInventory(subnet: string): Inventory {
  return {
    availabilityZones: [{ name: 'az1', hosts: 3 }],
    flavors: [{ name: 'c3.xlarge.2', vcpus: 4, ramMiB: 8192 }],
    images: Object.values(IMAGES).map((name) => ({ name, minDiskGiB: 40 })),
    vpcs: [
      {
        name: 'vpc-demo',
        cidr: `${subnet.split('.').slice(0, 2).join('.')}.0.0/16`,
        subnets: [{ name: SUBNET, cidr: `${subnet}.0/24`, availabilityZone: 'az1' }],
        securityGroups: [{ name: 'sg-demo' }],
      },
    ],
  };
}

export const hostnameOf = (v: ClusterValues, role: Role, n: number) =>
  `${v.cluster}-${role === 'cp' ? 'master' : 'worker'}-${n}`;

function configPool(v: ClusterValues, role: Role, size: number) {
  const base = role === 'cp' ? 10 : 20;
  return {
    apiVersion: INFRA,
    kind: 'HCSMachineConfigPool',
    metadata: {
      name: POOLS[role],
      namespace: v.namespace,
      // The pool controller reports its persistent disks with the cluster's credential.
      labels: { 'cluster.x-k8s.io/cluster-name': v.cluster },
    },
    spec: {
      configs: Array.from({ length: size }, (_, i) => ({
        hostname: hostnameOf(v, role, i + 1),
        networks: [{ subnetName: SUBNET, ipAddress: `${v.subnet}.${base + i + 1}` }],
        persistentDisks: [
          {
            slot: 0,
            size: PERSISTENT_DISK_GB,
            type: 'SSD',
            mountPath: '/var/cpaas',
            format: 'xfs',
            mountOptions: ['defaults', 'noatime'],
          },
        ],
      })),
    },
  };
}

/** A machine template per node type and release; the documented data volumes (etcd on control planes). */
export function machineTemplate(namespace: string, role: Role, release: Release) {
  return {
    apiVersion: INFRA,
    kind: 'HCSMachineTemplate',
    metadata: { name: `${role}-${IMAGES[release].replaceAll('.', '-')}`, namespace },
    spec: {
      template: {
        spec: {
          imageName: IMAGES[release],
          flavorName: 'c3.xlarge.2',
          availabilityZone: 'az1',
          rootVolume: { type: 'SSD', size: 100 },
          configPoolRef: { name: POOLS[role] },
          dataVolumes: [
            ...(role === 'cp' ? [{ size: 10, type: 'SSD', mountPath: '/var/lib/etcd', format: 'xfs' }] : []),
            { size: 100, type: 'SSD', mountPath: '/var/lib/kubelet', format: 'xfs' },
          ],
        },
      },
    },
  };
}

/** What the operator has before the cluster: the credential Secret, the config pools, the first release's templates. */
export function prerequisites(v: ClusterValues, sim: HcsSimulator): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CREDENTIAL, namespace: v.namespace },
      type: 'Opaque',
      stringData: {
        accessKey: sim.accessKey,
        secretKey: sim.secretKey,
        projectID: sim.projectId,
        region: sim.region,
        // Every *.hcs.test host reaches the simulator (the provider is given fixedAddressLookup for it).
        externalGlobalDomain: `${TEST_DOMAIN}:${new URL(sim.url).port}`,
        schema: 'http',
        allowPlainHTTP: 'true',
      },
    },
    configPool(v, 'cp', 3),
    configPool(v, 'worker', v.workerPoolSize),
    machineTemplate(v.namespace, 'cp', KUBERNETES_FROM),
    machineTemplate(v.namespace, 'worker', KUBERNETES_FROM),
  ];
}

/** The names of the cluster's Cluster API objects. */
export const objectNames = (cluster: string) => clusterApiNames(cluster);

/** The cluster's own objects, in the order a user applies them. */
export function clusterManifests(v: ClusterValues): Record<string, unknown>[] {
  const names = objectNames(v.cluster);
  const meta = (name: string) => ({ name, namespace: v.namespace });
  return [
    {
      apiVersion: INFRA,
      kind: 'HCSCluster',
      metadata: meta(v.cluster),
      spec: {
        controlPlaneLoadBalancer: {
          vipSubnetName: SUBNET,
          elbVirsubnetL4Ips: [{ subnetName: SUBNET, ips: [`${v.subnet}.101`, `${v.subnet}.102`] }],
          elbVirsubnetL7Ips: [{ subnetName: SUBNET, ips: [`${v.subnet}.103`, `${v.subnet}.104`] }],
        },
        networkType: 'kube-ovn',
        network: {
          vpc: { name: 'vpc-demo' },
          subnets: [{ name: SUBNET }],
          securityGroup: { name: 'sg-demo' },
        },
        identityRef: { name: CREDENTIAL },
        controlPlaneHA: { enabled: true, policy: 'anti-affinity' },
      },
    },
    ...clusterApiManifests({
      namespace: v.namespace,
      cluster: v.cluster,
      version: KUBERNETES_FROM,
      workers: v.workers,
      infraApiVersion: INFRA,
      infraClusterKind: 'HCSCluster',
      machineTemplateKind: 'HCSMachineTemplate',
      controlPlaneTemplate: machineTemplate(v.namespace, 'cp', KUBERNETES_FROM).metadata.name,
      workerTemplate: machineTemplate(v.namespace, 'worker', KUBERNETES_FROM).metadata.name,
      names,
      clusterConfiguration: {
        apiServer: {
          extraArgs: { 'encryption-provider-config': '/etc/kubernetes/encryption-provider.conf' },
        },
      },
    }),
  ];
}
