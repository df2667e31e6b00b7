/**
 * A 3 control plane + workers cluster written the way the product docs write
 * it (docs/en/create-cluster/huawei-dcs.mdx and test/fixtures/documented.yaml):
 * Cluster, KubeadmControlPlane and MachineDeployment in v1beta1, the DCS kinds in
 * v1beta1, Ignition bootstrap with the PROVIDER_ID / NODE_IP tokens, maxSurge 0
 * because the pools carry persistent disks. Only the values are ours: the DCS
 * simulator's inventory names, and loopback addresses (127.x.y.z) for the
 * endpoint and the pool entries, because the workload-cluster simulator runs
 * each control plane node's etcd and kubelet on its node address.
 */
export interface ClusterManifestValues {
  namespace: string;
  name: string;
  /** The external load balancer's address: where the workload API server answers. */
  endpoint: { host: string; port: number };
  /** The first three octets of the loopback /24 the pools draw from, e.g. `127.123.45`. */
  subnet: string;
  simUrl: string;
  authKey: string;
  controlPlaneReplicas: number;
  workerReplicas: number;
  workerPoolSize: number;
}

export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
export const KUBERNETES_FROM = 'v1.34.3';
export const KUBERNETES_TO = 'v1.35.4';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGp0ZXN0a2V5Zm9ydGhlZTJlc3VpdGVvbmx5bm90cmVhbA e2e';

const kubeletExtraArgs = (join: boolean) => ({
  ...(join ? { 'node-ip': 'NODE_IP' } : {}),
  'node-labels': 'kube-ovn/role=master',
  'provider-id': 'PROVIDER_ID',
  'volume-plugin-dir': '/opt/libexec/kubernetes/kubelet-plugins/volume/exec/',
  'protect-kernel-defaults': 'true',
});

function poolEntry(v: ClusterManifestValues, role: 'cp' | 'worker', n: number) {
  const base = role === 'cp' ? 10 : 20;
  return {
    ip: `${v.subnet}.${base + n}`,
    mask: '255.255.255.0',
    gateway: `${v.subnet}.254`,
    dns: '10.0.0.2',
    hostname: `${v.name}-${role}-${n}`,
    machineName: `${v.namespace}-${v.name}-${role}-${n}`,
    persistentDisk: [
      {
        slot: 0,
        quantityGB: 40,
        datastoreClusterName: 'ssd-pool',
        path: '/var/cpaas',
        format: 'xfs',
        mountOptions: ['defaults'],
      },
    ],
  };
}

export function machineTemplate(v: ClusterManifestValues, role: 'cp' | 'worker', kubernetes: string) {
  const minor = kubernetes.split('.').slice(0, 2).join('.');
  return {
    apiVersion: INFRA,
    kind: 'DCSMachineTemplate',
    metadata: { name: `${v.name}-${role}-${minor.replace('.', '-')}`, namespace: v.namespace },
    spec: {
      template: {
        spec: {
          vmTemplateName: `ubuntu-2204-k8s-${minor}`,
          location:
            role === 'cp'
              ? { type: 'folder', name: 'kubernetes' }
              : { type: 'cluster', name: 'ComputeCluster' },
          vmConfig: {
            dvSwitchName: 'DVS-Business',
            portGroupName: 'business-vlan100',
            dcsMachineCpuSpec: { quantity: role === 'cp' ? 4 : 8 },
            dcsMachineMemorySpec: { quantity: role === 'cp' ? 8192 : 16384 },
            dcsMachineDiskSpec: [
              { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
              { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/kubelet', format: 'xfs' },
              { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/containerd', format: 'xfs' },
              ...(role === 'cp'
                ? [{ quantity: 10, datastoreClusterName: 'ssd-pool', path: '/var/lib/etcd', format: 'xfs' }]
                : []),
            ],
          },
          ipHostPoolRef: { name: `${v.name}-${role}-pool` },
        },
      },
    },
  };
}

export function clusterManifests(v: ClusterManifestValues): Record<string, unknown>[] {
  const ns = v.namespace;
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${v.name}-dcs-auth`, namespace: ns },
      type: 'Opaque',
      stringData: { authUser: 'cluster-api', authKey: v.authKey, endpoint: v.simUrl },
    },
    {
      apiVersion: INFRA,
      kind: 'DCSIpHostnamePool',
      metadata: {
        name: `${v.name}-cp-pool`,
        namespace: ns,
        labels: { 'cluster.x-k8s.io/cluster-name': v.name },
      },
      spec: { pool: [1, 2, 3].map((n) => poolEntry(v, 'cp', n)) },
    },
    {
      apiVersion: INFRA,
      kind: 'DCSIpHostnamePool',
      metadata: {
        name: `${v.name}-worker-pool`,
        namespace: ns,
        labels: { 'cluster.x-k8s.io/cluster-name': v.name },
      },
      spec: { pool: Array.from({ length: v.workerPoolSize }, (_, i) => poolEntry(v, 'worker', i + 1)) },
    },
    machineTemplate(v, 'cp', KUBERNETES_FROM),
    machineTemplate(v, 'worker', KUBERNETES_FROM),
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
      kind: 'KubeadmControlPlane',
      metadata: {
        name: `${v.name}-kcp`,
        namespace: ns,
        annotations: {
          'controlplane.cluster.x-k8s.io/skip-coredns': '',
          'controlplane.cluster.x-k8s.io/skip-kube-proxy': '',
        },
      },
      spec: {
        rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } },
        kubeadmConfigSpec: {
          users: [{ name: 'boot', sshAuthorizedKeys: [SSH_KEY] }],
          format: 'ignition',
          files: [
            {
              path: '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
              owner: 'root:root',
              permissions: '0644',
              content: JSON.stringify({
                apiVersion: 'kubelet.config.k8s.io/v1beta1',
                kind: 'KubeletConfiguration',
              }),
            },
          ],
          clusterConfiguration: {
            imageRepository: 'registry.example.internal/alauda',
            dns: { imageTag: 'v1.12.1' },
            etcd: { local: { imageTag: '3.6.16-0' } },
          },
          initConfiguration: {
            patches: { directory: '/etc/kubernetes/patches' },
            nodeRegistration: { kubeletExtraArgs: kubeletExtraArgs(false) },
          },
          joinConfiguration: {
            patches: { directory: '/etc/kubernetes/patches' },
            nodeRegistration: { kubeletExtraArgs: kubeletExtraArgs(true) },
          },
        },
        machineTemplate: {
          nodeDrainTimeout: '1m',
          nodeDeletionTimeout: '5m',
          infrastructureRef: {
            apiVersion: INFRA,
            kind: 'DCSMachineTemplate',
            name: machineTemplate(v, 'cp', KUBERNETES_FROM).metadata.name,
          },
        },
        replicas: v.controlPlaneReplicas,
        version: KUBERNETES_FROM,
      },
    },
    {
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: { name: v.name, namespace: ns },
      spec: {
        controlPlaneLoadBalancer: { host: v.endpoint.host, port: v.endpoint.port, type: 'external' },
        credentialSecretRef: { name: `${v.name}-dcs-auth` },
        controlPlaneEndpoint: { host: v.endpoint.host, port: v.endpoint.port },
        controlPlaneHA: { enabled: true },
        networkType: 'kube-ovn',
        site: '3CD306E7',
      },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: v.name, namespace: ns },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['10.3.0.0/16'] }, services: { cidrBlocks: ['10.4.0.0/16'] } },
        controlPlaneRef: {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
          kind: 'KubeadmControlPlane',
          name: `${v.name}-kcp`,
        },
        infrastructureRef: { apiVersion: INFRA, kind: 'DCSCluster', name: v.name },
      },
    },
    {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
      kind: 'KubeadmConfigTemplate',
      metadata: { name: `${v.name}-worker`, namespace: ns },
      spec: {
        template: {
          spec: {
            format: 'ignition',
            users: [{ name: 'boot', sshAuthorizedKeys: [SSH_KEY] }],
            joinConfiguration: {
              patches: { directory: '/etc/kubernetes/patches' },
              nodeRegistration: { kubeletExtraArgs: { 'node-ip': 'NODE_IP', 'provider-id': 'PROVIDER_ID' } },
            },
          },
        },
      },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachineDeployment',
      metadata: { name: `${v.name}-worker`, namespace: ns },
      spec: {
        clusterName: v.name,
        replicas: v.workerReplicas,
        selector: { matchLabels: {} },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        template: {
          spec: {
            clusterName: v.name,
            version: KUBERNETES_FROM,
            nodeDrainTimeout: '1m',
            bootstrap: {
              configRef: {
                apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
                kind: 'KubeadmConfigTemplate',
                name: `${v.name}-worker`,
              },
            },
            infrastructureRef: {
              apiVersion: INFRA,
              kind: 'DCSMachineTemplate',
              name: machineTemplate(v, 'worker', KUBERNETES_FROM).metadata.name,
            },
          },
        },
      },
    },
  ];
}
