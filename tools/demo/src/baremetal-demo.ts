import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaremetalFleet, type HostDefinition } from '@immutable-infra/baremetal-sim';
import { createBaremetalProvider } from '@immutable-infra/provider-baremetal';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** The bare-metal cluster the operator applies (the demo has no bare-metal create wizard). */
export const BAREMETAL_CLUSTER = 'baremetal-demo';
/**
 * The image catalog's two entries: the cluster is created at the first, and changing the control
 * plane's and the workers' `version` to the second upgrades it (each host reprovisioned with the
 * second image). Versions and images as the distribution names them.
 */
export const BAREMETAL_RELEASES = [
  {
    kubernetesVersion: 'v1.33.7-2',
    image: 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2',
  },
  {
    kubernetesVersion: 'v1.34.5-1',
    image: 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.34.5-1',
  },
] as const;
const IMAGE_CATALOG = 'elemental-image-catalog';
/** Control plane hosts (the documented high-availability three), then worker hosts: one used, two spares. */
const CONTROL_PLANE_HOSTS = 3;
const WORKER_HOSTS = 3;
const USER_DATA = '/var/lib/cloud/seed/nocloud/user-data';

/** The provider package's directory: its CRDs, its cluster template, a UI extension when it ships one. */
export const BAREMETAL_PACKAGE_DIR = dirname(
  fileURLToPath(import.meta.resolve('@immutable-infra/provider-baremetal/package.json')),
);

export interface BaremetalDemoPart {
  fleet: BaremetalFleet;
  provider: ReturnType<typeof createBaremetalProvider>;
  /** The pools of the documented cluster, control plane then workers. */
  pools: [string, string];
  /** The registered hosts' MachineInventory names. */
  hosts: string[];
  /** The control plane VIP (Internal load balancer) on the hosts' loopback /24. */
  vipAddress: string;
  /** What the namespace gets once the hosts registered: the image catalog and the two pools. */
  seeds: Record<string, unknown>[];
  /** A `v1` List of the documented cluster's objects, and the file it is in. */
  clusterFile: string;
  /** True once the host behind the BaremetalMachine applied its reprovision plan (and rebooted). */
  isBooted(infra: { status?: unknown }): boolean;
  stop(): Promise<void>;
}

/**
 * baremetal-sim's hosts registered in `namespace` (addresses on a loopback /24 of their own, so the
 * workload simulator can serve their nodes), the bare-metal provider, and the documented cluster
 * written to a file. The hosts run their plans in seconds instead of minutes.
 */
export async function startBaremetalDemoPart(options: {
  kubeConfig: KubeConfig;
  namespace: string;
  subnet: string;
  stateDir: string;
}): Promise<BaremetalDemoPart> {
  const { namespace, subnet } = options;
  const host = (n: number): HostDefinition => ({
    name: `${BAREMETAL_CLUSTER}-4c4c4544-00${30 + n}`,
    address: `${subnet}.${10 + n}`,
  });
  const cpHosts = Array.from({ length: CONTROL_PLANE_HOSTS }, (_, i) => host(i + 1));
  const workerHosts = Array.from({ length: WORKER_HOSTS }, (_, i) => host(i + 11));
  const fleet = await BaremetalFleet.start({
    kubeConfig: options.kubeConfig,
    namespace,
    hosts: [...cpHosts, ...workerHosts],
    pollMs: 500,
    durations: { reprovisionMs: 3_000, cleanMs: 1_000, otherMs: 1_000 },
  });
  const pools: [string, string] = [
    `${BAREMETAL_CLUSTER}-control-plane-pool`,
    `${BAREMETAL_CLUSTER}-worker-pool`,
  ];
  const pool = (name: string, members: HostDefinition[], hostnames: boolean) => ({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'MachineInventoryPool',
    metadata: { name, namespace },
    spec: {
      clusterName: BAREMETAL_CLUSTER,
      machineInventories: members.map((member, i) => ({
        name: member.name,
        // The documented pool names the control plane nodes; workers take their inventory's name.
        ...(hostnames ? { hostname: `${BAREMETAL_CLUSTER}-cp-${i + 1}` } : {}),
      })),
    },
  });
  const vipAddress = `${subnet}.100`;
  const clusterFile = join(options.stateDir, `${BAREMETAL_CLUSTER}.json`);
  await writeFile(
    clusterFile,
    `${JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: await documentedCluster({
          CLUSTER_NAME: BAREMETAL_CLUSTER,
          NAMESPACE: namespace,
          CONTROL_PLANE_VIP: vipAddress,
          VRID: '61',
          KUBERNETES_VERSION: BAREMETAL_RELEASES[0].kubernetesVersion,
          CONTROL_PLANE_MACHINE_COUNT: '3',
          WORKER_MACHINE_COUNT: '1',
          SSH_AUTHORIZED_KEYS:
            'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemo demo',
          REGISTRY_ADDRESS: 'registry.example.local',
          DNS_IMAGE_TAG: 'v1.12.1',
          ETCD_IMAGE_TAG: '3.5.21-0',
          PODS_CIDR: '10.16.0.0/16',
          SERVICES_CIDR: '10.96.0.0/12',
          KUBE_OVN_JOIN_CIDR: '100.64.0.0/16',
        }),
      },
      null,
      2,
    )}\n`,
  );
  const userDataOf = (inventory: string) =>
    fleet
      .host(inventory)
      .executed.filter((plan) => plan.type === 'reprovision' && plan.outcome === 'Applied')
      .at(-1)?.files[USER_DATA];
  return {
    fleet,
    // Plans looked at every second: the simulated ones take seconds.
    provider: createBaremetalProvider({ imageCatalogNamespace: namespace, pollMs: 1_000 }),
    pools,
    hosts: [...cpHosts, ...workerHosts].map((h) => h.name),
    vipAddress,
    seeds: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: IMAGE_CATALOG, namespace },
        data: Object.fromEntries(BAREMETAL_RELEASES.map((r) => [r.kubernetesVersion, r.image])),
      },
      pool(pools[0], cpHosts, true),
      pool(pools[1], workerHosts, false),
    ],
    clusterFile,
    isBooted(infra) {
      const status = infra.status as { ready?: boolean; machineInventoryRef?: { name?: string } } | undefined;
      const inventory = status?.machineInventoryRef?.name;
      return Boolean(status?.ready && inventory && userDataOf(inventory));
    },
    async stop() {
      fleet.stop();
    },
  };
}

/** The cluster as `clusterctl generate cluster` writes it from the provider's template, with these values. */
async function documentedCluster(values: Record<string, string>): Promise<Record<string, unknown>[]> {
  const template = await readFile(join(BAREMETAL_PACKAGE_DIR, 'clusterctl', 'cluster-template.yaml'), 'utf8');
  const text = template.replace(/\$\{([A-Z_]+)(?::=([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    const value = values[name] ?? fallback;
    if (value === undefined) throw new Error(`no value for clusterctl variable ${name}`);
    return value;
  });
  return parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
}
