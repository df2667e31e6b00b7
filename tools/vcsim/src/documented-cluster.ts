/**
 * A vSphere cluster on vcsim's documented inventory (`startVcsim({ documentedNames: true })`), as the
 * product documentation has users write it (the identity Secret, VSphereMachineConfigPools whose slots carry static addresses and a
 * persistent disk at /var/cpaas, VSphereMachineTemplates, the VSphereCluster with its control plane
 * endpoint), plus the Cluster API objects around them (workload-sim's clusterApiManifests: the
 * documented v1beta1 form, with the rolling update persistent disks need, maxSurge 0, so a
 * replacement takes its predecessor's slot). Differences from the documented values, each deliberate:
 * - every address is in a loopback /24 (the workload-cluster simulator runs each control plane
 *   node's etcd and kubelet on its node address, and the API server on the endpoint);
 * - the vCenter is vcsim's address and SHA-1 thumbprint;
 * - full clones (vcsim gives a linked clone the template's own disk file and deletes it with the clone);
 */

import { clusterApiManifests, clusterApiNames } from '@immutable-infra/workload-sim';

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
export const KUBERNETES_FROM = 'v1.34.3';
export const KUBERNETES_TO = 'v1.35.4';
/** The VM templates of the two releases (the documented one and its successor). */
export const TEMPLATES = {
  [KUBERNETES_FROM]: 'microos-k8s-template',
  [KUBERNETES_TO]: 'microos-k8s-template-v1-35',
} as const;
export const CREDENTIAL = 'demo-cluster-vsphere-credentials';
export const POOLS = { cp: 'control-plane-pool', worker: 'worker-pool' } as const;
export const USERNAME = 'svc-capv@example.local';
export const PASSWORD = 'not-a-real-password';

type Role = keyof typeof POOLS;
type Release = keyof typeof TEMPLATES;

export interface ClusterValues {
  namespace: string;
  cluster: string;
  /** The first three octets of the cluster's loopback /24, e.g. `127.42.7`. */
  subnet: string;
  /** vcsim's `host:port` and the SHA-1 thumbprint of its certificate. */
  server: string;
  thumbprint: string;
  workerPoolSize: number;
  workers: number;
}

export const hostnameOf = (role: Role, n: number) =>
  `${role === 'cp' ? 'cp' : 'worker'}-${String(n).padStart(2, '0')}`;

function configPool(v: ClusterValues, role: Role, size: number) {
  const base = role === 'cp' ? 10 : 20;
  return {
    apiVersion: INFRA,
    kind: 'VSphereMachineConfigPool',
    metadata: { name: POOLS[role], namespace: v.namespace },
    spec: {
      clusterRef: { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: v.cluster },
      datacenter: 'dc-a',
      releaseDelayHours: 24,
      configs: Array.from({ length: size }, (_, i) => ({
        hostname: hostnameOf(role, i + 1),
        datacenter: 'dc-a',
        network: {
          primary: {
            networkName: 'pg-business',
            deviceName: 'eth0',
            ip: `${v.subnet}.${base + i + 1}/24`,
            gateway: `${v.subnet}.1`,
            dns: [`${v.subnet}.2`],
          },
        },
        persistentDisks: [{ name: 'var-cpaas', sizeGiB: 10, mountPath: '/var/cpaas', fsFormat: 'ext4' }],
      })),
    },
  };
}

/** A machine template per node type and release, as documented (CPU, memory, disk, NIC, pool). */
export function machineTemplate(v: ClusterValues, role: Role, release: Release) {
  return {
    apiVersion: INFRA,
    kind: 'VSphereMachineTemplate',
    metadata: { name: `${v.cluster}-${role}-${TEMPLATES[release]}`, namespace: v.namespace },
    spec: {
      template: {
        spec: {
          server: v.server,
          template: TEMPLATES[release],
          cloneMode: 'fullClone',
          datastore: role === 'cp' ? 'datastore-cp' : 'datastore-worker',
          diskGiB: 40,
          memoryMiB: role === 'cp' ? 8192 : 4096,
          numCPUs: role === 'cp' ? 4 : 2,
          os: 'Linux',
          powerOffMode: 'trySoft',
          network: { devices: [{ networkName: 'pg-business', dhcp4: false }] },
          machineConfigPoolRef: { kind: 'VSphereMachineConfigPool', name: POOLS[role] },
        },
      },
    },
  };
}

/** What the operator has before the cluster: the identity Secret, the config pools, the first release's templates. */
export function prerequisites(v: ClusterValues): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CREDENTIAL, namespace: v.namespace },
      type: 'Opaque',
      // server and thumbprint are for the UI's connection test; the controllers read the cluster's.
      stringData: { server: v.server, thumbprint: v.thumbprint, username: USERNAME, password: PASSWORD },
    },
    configPool(v, 'cp', 3),
    configPool(v, 'worker', v.workerPoolSize),
    machineTemplate(v, 'cp', KUBERNETES_FROM),
    machineTemplate(v, 'worker', KUBERNETES_FROM),
  ];
}

/** The names of the cluster's Cluster API objects. */
export const objectNames = (cluster: string) => clusterApiNames(cluster, `${cluster}-md-0`);

/**
 * The labels the documented Cluster carries so that the CPI's ClusterResourceSet selects it: the
 * CPI label, and its own name (the resource set matches one cluster, not every labelled one).
 */
export const cpiClusterLabels = (cluster: string) => ({
  'addons.cluster.x-k8s.io/vsphere-cpi': 'enabled',
  'cluster.x-k8s.io/cluster-name': cluster,
});

/** The cluster's own objects, in the order a user applies them. */
export function clusterManifests(v: ClusterValues): Record<string, unknown>[] {
  const meta = (name: string) => ({ name, namespace: v.namespace });
  const labelled = (object: Record<string, unknown>) => {
    if (object.kind !== 'Cluster') return object;
    const metadata = object.metadata as { labels?: Record<string, string> };
    return {
      ...object,
      metadata: { ...metadata, labels: { ...metadata.labels, ...cpiClusterLabels(v.cluster) } },
    };
  };
  return [
    {
      apiVersion: INFRA,
      kind: 'VSphereCluster',
      metadata: meta(v.cluster),
      spec: {
        // The VIP kube-vip (or a load balancer) serves: the workload-cluster simulator serves it here.
        controlPlaneEndpoint: { host: `${v.subnet}.100`, port: 6443 },
        identityRef: { kind: 'Secret', name: CREDENTIAL },
        server: v.server,
        thumbprint: v.thumbprint,
      },
    },
    ...clusterApiManifests({
      namespace: v.namespace,
      cluster: v.cluster,
      version: KUBERNETES_FROM,
      workers: v.workers,
      infraApiVersion: INFRA,
      infraClusterKind: 'VSphereCluster',
      machineTemplateKind: 'VSphereMachineTemplate',
      controlPlaneTemplate: machineTemplate(v, 'cp', KUBERNETES_FROM).metadata.name,
      workerTemplate: machineTemplate(v, 'worker', KUBERNETES_FROM).metadata.name,
      names: objectNames(v.cluster),
    }).map(labelled),
  ];
}
