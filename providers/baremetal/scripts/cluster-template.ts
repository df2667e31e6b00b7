// The bare-metal cluster template of the clusterctl artifacts: the documentation's YAML flow (steps 3
// and 4 of the create-cluster page, the worker deployment of the manage-nodes page for bare metal),
// its `<placeholders>` as clusterctl variables and its names kept. The machine templates come with
// it (they carry nothing but their pool's name); the registration, the SeedImage and the
// `<cluster-name>-control-plane-pool` / `<cluster-name>-worker-pool` MachineInventoryPools come
// first, as the documentation's steps 1 and 2, since they name the hosts that registered.
import {
  clusterctlNumber,
  kubeadmClusterTemplate,
  clusterctlVariable as v,
} from '@immutable-infra/provider-kit/generate';

const CLUSTER = v('CLUSTER_NAME');
const TLS_CIPHERS =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';

const users = [
  {
    name: 'boot',
    sudo: 'ALL=(ALL) NOPASSWD:ALL',
    shell: '/bin/bash',
    sshAuthorizedKeys: [v('SSH_AUTHORIZED_KEYS')],
  },
];
const hardened = { profiling: 'false', 'tls-min-version': 'VersionTLS12' };
const machineTemplate = (name: string, pool: string) => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'BaremetalMachineTemplate',
  metadata: { name },
  spec: { template: { spec: { machineInventoryPoolRef: { name: pool } } } },
});

export const baremetalClusterTemplate = kubeadmClusterTemplate({
  infrastructureCluster: {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'BaremetalCluster',
    spec: {
      controlPlaneLoadBalancer: {
        type: 'Internal',
        host: v('CONTROL_PLANE_VIP'),
        // "Typically 6443", as the documentation says.
        port: clusterctlNumber('CONTROL_PLANE_PORT', 6443),
        vrid: clusterctlNumber('VRID'),
      },
      networkType: 'kube-ovn',
    },
  },
  machineTemplateKind: 'BaremetalMachineTemplate',
  machineTemplates: {
    controlPlane: `${CLUSTER}-control-plane-template`,
    worker: `${CLUSTER}-worker-template`,
  },
  machineTemplateObjects: [
    machineTemplate(`${CLUSTER}-control-plane-template`, `${CLUSTER}-control-plane-pool`),
    machineTemplate(`${CLUSTER}-worker-template`, `${CLUSTER}-worker-pool`),
  ],
  machineTimeouts: { nodeDrainTimeout: '5m', nodeVolumeDetachTimeout: '5m' },
  controlPlaneName: `${CLUSTER}-control-plane`,
  workerName: `${CLUSTER}-workers`,
  workerBootstrapName: `${CLUSTER}-worker-bootstrap`,
  kubeadmConfigSpec: {
    users,
    clusterConfiguration: {
      imageRepository: `${v('REGISTRY_ADDRESS')}/tkestack`,
      dns: { imageTag: v('DNS_IMAGE_TAG') },
      etcd: { local: { imageTag: v('ETCD_IMAGE_TAG') } },
      apiServer: { extraArgs: hardened },
      controllerManager: { extraArgs: hardened },
      scheduler: { extraArgs: hardened },
    },
    initConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'kube-ovn/role=master' } } },
    joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'kube-ovn/role=master' } } },
  },
  workerBootstrap: {
    users,
    files: [
      {
        path: '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
        owner: 'root:root',
        permissions: '0644',
        content: `${JSON.stringify(
          {
            apiVersion: 'kubelet.config.k8s.io/v1beta1',
            kind: 'KubeletConfiguration',
            protectKernelDefaults: true,
            staticPodPath: null,
            tlsCertFile: '/etc/kubernetes/pki/kubelet.crt',
            tlsPrivateKeyFile: '/etc/kubernetes/pki/kubelet.key',
            streamingConnectionIdleTimeout: '5m',
            clientCAFile: '/etc/kubernetes/pki/ca.crt',
          },
          null,
          2,
        )}\n`,
      },
    ],
    // No hostname, provider-id or criSocket: the provider sets them for each host.
    joinConfiguration: {
      patches: { directory: '/etc/kubernetes/patches' },
      nodeRegistration: {
        kubeletExtraArgs: { 'tls-min-version': 'VersionTLS12', 'tls-cipher-suites': TLS_CIPHERS },
      },
    },
  },
  // Bare metal has no spare host to bring up first: one node at a time.
  workerStrategy: { maxSurge: 0, maxUnavailable: 1 },
  cluster: {
    podsCidr: v('PODS_CIDR'),
    servicesCidr: v('SERVICES_CIDR'),
    annotations: {
      'cpaas.io/kube-ovn-join-cidr': v('KUBE_OVN_JOIN_CIDR'),
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
    },
    labels: { 'cluster-type': 'ProviderBaremetal' },
  },
});
