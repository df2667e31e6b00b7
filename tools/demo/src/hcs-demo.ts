import { type HcsSimulator, type Inventory, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { createHcsProvider, fixedAddressLookup } from '@immutable-infra/provider-hcs';

/*
 * The Huawei Cloud Stack part of the demo: hcs-sim with a region whose subnet is a loopback /24
 * (the workload simulator serves each node on its address and the API server on the ELB's VIP),
 * the HCS provider reaching it through fixed name resolution, and what the wizard needs in the
 * namespace: the credential, a config pool and machine template per role, and release ConfigMaps
 * with the CoreDNS and etcd tags of each Kubernetes version (as release-data/kubernetes-releases.yaml
 * ships them, here naming the simulator's images).
 */

/** The credential's `externalGlobalDomain`: every `<service>.<region>.hcs.demo` reaches hcs-sim. */
export const HCS_DOMAIN = 'hcs.demo';
export const HCS_CREDENTIAL = 'hcs-auth';
export const HCS_TEMPLATES = { controlPlane: 'hcs-cp', worker: 'hcs-worker' } as const;
export const HCS_VPC = 'vpc-demo';
export const HCS_SUBNET = 'subnet-a';
export const HCS_SECURITY_GROUP = 'sg-demo';
/** Each release the simulator has an image for: the wizard creates the first, the upgrade offers the second. */
export const HCS_RELEASES = [
  {
    kubernetesVersion: 'v1.34.3',
    image: 'microos-4.2.1',
    corednsTag: '1.12.1-v4.2.5',
    etcdTag: 'v3.5.21-250601',
  },
  {
    kubernetesVersion: 'v1.35.4',
    image: 'microos-4.3.0',
    corednsTag: '1.12.4-v4.3.0',
    etcdTag: 'v3.6.5-260301',
  },
] as const;

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
/** Slots per config pool: a rollout of a pool of one machine with maxSurge 1 needs a second, a scale to two a third. */
const SLOTS = 4;

export interface HcsDemoPart {
  sim: HcsSimulator;
  provider: ReturnType<typeof createHcsProvider>;
  /** The address Fleet Essentials' platform proxy resolves the regional names to (IINFRA_HCS_GATEWAY_ADDRESS). */
  gatewayAddress: string;
  /** What the namespace gets at start. */
  seeds: Record<string, unknown>[];
  /** The control plane VIP to give the wizard: an address of the subnet the workload simulator can serve. */
  vipAddress: string;
  isBooted(infra: { status?: unknown }): boolean;
  stop(): Promise<void>;
}

function regionInventory(subnet: string): Inventory {
  return {
    availabilityZones: [{ name: 'az1', hosts: 3 }],
    flavors: [{ name: 'c3.xlarge.2', vcpus: 4, ramMiB: 8192 }],
    images: HCS_RELEASES.map((release) => ({ name: release.image, minDiskGiB: 40 })),
    vpcs: [
      {
        name: HCS_VPC,
        cidr: `${subnet.split('.').slice(0, 2).join('.')}.0.0/16`,
        subnets: [{ name: HCS_SUBNET, cidr: `${subnet}.0/24`, availabilityZone: 'az1' }],
        securityGroups: [{ name: HCS_SECURITY_GROUP }],
      },
    ],
  };
}

function configPool(namespace: string, name: string, hostPrefix: string, subnet: string, first: number) {
  return {
    apiVersion: INFRA,
    kind: 'HCSMachineConfigPool',
    metadata: { name, namespace },
    spec: {
      configs: Array.from({ length: SLOTS }, (_, i) => ({
        hostname: `${hostPrefix}-${i + 1}`,
        networks: [{ subnetName: HCS_SUBNET, ipAddress: `${subnet}.${first + i}` }],
      })),
    },
  };
}

function machineTemplate(namespace: string, name: string, pool: string) {
  return {
    apiVersion: INFRA,
    kind: 'HCSMachineTemplate',
    metadata: { name, namespace },
    spec: {
      template: {
        spec: {
          imageName: HCS_RELEASES[0].image,
          flavorName: 'c3.xlarge.2',
          availabilityZone: 'az1',
          rootVolume: { type: 'SSD', size: 100 },
          configPoolRef: { name: pool },
        },
      },
    },
  };
}

function releaseConfigMap(namespace: string, release: (typeof HCS_RELEASES)[number]) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `hcs-kubernetes-release-demo-${release.kubernetesVersion.replaceAll('.', '-')}`,
      namespace,
      labels: { 'immutable-infra.io/kubernetes-release': 'hcs' },
    },
    data: {
      kubernetesVersion: release.kubernetesVersion,
      corednsTag: release.corednsTag,
      etcdTag: release.etcdTag,
      machineImage: release.image,
    },
  };
}

/** hcs-sim with the demo's region, the HCS provider pointed at it, and the namespace's HCS objects. */
export async function startHcsDemoPart(options: { namespace: string; subnet: string }): Promise<HcsDemoPart> {
  const { namespace, subnet } = options;
  const sim = await startHcsSimulator({ inventory: regionInventory(subnet), faults: { jobSeconds: 0.2 } });
  const gatewayAddress = '127.0.0.1';
  const domain = `${HCS_DOMAIN}:${new URL(sim.url).port}`;
  return {
    sim,
    provider: createHcsProvider({ http: { lookup: fixedAddressLookup(domain, gatewayAddress) } }),
    gatewayAddress,
    vipAddress: `${subnet}.100`,
    seeds: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: HCS_CREDENTIAL, namespace },
        type: 'Opaque',
        stringData: {
          accessKey: sim.accessKey,
          secretKey: sim.secretKey,
          projectID: sim.projectId,
          region: sim.region,
          externalGlobalDomain: domain,
          // hcs-sim speaks plain HTTP on loopback; the provider refuses it unless allowed.
          schema: 'http',
          allowPlainHTTP: 'true',
        },
      },
      configPool(namespace, 'hcs-cp-pool', 'hcs-master', subnet, 11),
      configPool(namespace, 'hcs-worker-pool', 'hcs-worker', subnet, 21),
      machineTemplate(namespace, HCS_TEMPLATES.controlPlane, 'hcs-cp-pool'),
      machineTemplate(namespace, HCS_TEMPLATES.worker, 'hcs-worker-pool'),
      ...HCS_RELEASES.map((release) => releaseConfigMap(namespace, release)),
    ],
    // An ECS server has booted with its bootstrap data once it is ACTIVE with user data (cloud-init reads it).
    isBooted(infra) {
      const serverId = (infra.status as { serverId?: string } | undefined)?.serverId;
      const server = sim.state().servers.find((s) => s.id === serverId);
      return server?.status === 'ACTIVE' && Boolean(server['OS-EXT-SRV-ATTR:user_data']);
    },
    stop: () => sim.close(),
  };
}
