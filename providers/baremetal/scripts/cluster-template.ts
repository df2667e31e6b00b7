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
import {
  HARDENED_ARGS,
  MASTER_NODE_LABELS,
  TLS_CIPHERS,
  WORKER_KUBELET_PATCH,
  WORKER_KUBELET_PATCH_PATH,
} from '../src/ui/cluster-create/kubeadm-config.ts';

const CLUSTER = v('CLUSTER_NAME');

const users = [
  {
    name: 'boot',
    sudo: 'ALL=(ALL) NOPASSWD:ALL',
    shell: '/bin/bash',
    sshAuthorizedKeys: [v('SSH_AUTHORIZED_KEYS')],
  },
];
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
      apiServer: { extraArgs: HARDENED_ARGS },
      controllerManager: { extraArgs: HARDENED_ARGS },
      scheduler: { extraArgs: HARDENED_ARGS },
    },
    initConfiguration: MASTER_NODE_LABELS,
    joinConfiguration: MASTER_NODE_LABELS,
  },
  workerBootstrap: {
    users,
    files: [
      {
        path: WORKER_KUBELET_PATCH_PATH,
        owner: 'root:root',
        permissions: '0644',
        content: `${JSON.stringify(WORKER_KUBELET_PATCH, null, 2)}\n`,
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
