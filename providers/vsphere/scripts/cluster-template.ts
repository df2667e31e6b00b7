// The vSphere cluster template of the clusterctl artifacts: the documentation's create flow
// (create-cluster-in-global, its placeholders listed by the parameter checklist) with the same
// kubeadm configuration the web UI writes, the checklist's `<placeholders>` as clusterctl variables.
// The credential Secret, the machine config pools and the machine templates
// (`<cluster_name>-control-plane`, `<cluster_name>-worker-template`) are created beforehand, as the
// documentation creates them. The vSphere CPI comes by the documented ClusterResourceSet; its
// Secret (`<cluster_name>-vsphere-cpi-secret`, the vCenter account) is made by the provider from the
// credential Secret, so no password is a template variable.
import {
  clusterctlNumber,
  kubeadmClusterTemplate,
  clusterctlVariable as v,
} from '@immutable-infra/provider-kit/generate';
import { encryptionConfigSecretName } from '../dist/api/index.js';
import {
  CPI_LABEL,
  cpiConfigMap,
  cpiImage,
  cpiManifestsConfigMap,
  cpiResourceSet,
} from '../src/api/vsphere-cpi.ts';
import { controlPlaneConfig, workerConfig } from '../src/ui/cluster-create/kubeadm-config.ts';

const CLUSTER = v('CLUSTER_NAME');
const sshAuthorizedKeys = [v('SSH_PUBLIC_KEY')];
const dns = [v('NIC1_DNS_1')];
// The kubelet patch gains the Kubernetes 1.35 setting only for a version the template cannot know
// here; a 1.35 cluster adds it as the documentation says.
const kubernetesVersion = v('KUBERNETES_VERSION');

const controlPlane = controlPlaneConfig({
  namespace: v('NAMESPACE'),
  kubernetesVersion,
  sshAuthorizedKeys,
  dns,
  // The provider makes this Secret for the cluster (encryption at rest).
  encryptionConfigSecret: encryptionConfigSecretName(CLUSTER),
  registry: undefined,
});
const clusterConfiguration = controlPlane.clusterConfiguration as Record<string, unknown>;
// The documentation names kubeadm's image repository and the CoreDNS and etcd tags.
controlPlane.clusterConfiguration = {
  imageRepository: v('IMAGE_REPOSITORY'),
  dns: { imageTag: v('DNS_IMAGE_TAG') },
  etcd: { local: { imageTag: v('ETCD_IMAGE_TAG') } },
  ...clusterConfiguration,
};

const objects = kubeadmClusterTemplate({
  infrastructureCluster: {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'VSphereCluster',
    spec: {
      controlPlaneEndpoint: { host: v('VIP'), port: clusterctlNumber('API_SERVER_PORT', 6443) },
      identityRef: { kind: 'Secret', name: v('CREDENTIALS_SECRET_NAME') },
      server: v('VSPHERE_SERVER'),
      thumbprint: v('THUMBPRINT'),
    },
  },
  machineTemplateKind: 'VSphereMachineTemplate',
  machineTemplates: { controlPlane: `${CLUSTER}-control-plane`, worker: `${CLUSTER}-worker-template` },
  controlPlaneName: `${CLUSTER}-kcp`,
  workerName: `${CLUSTER}-worker`,
  workerBootstrapName: `${CLUSTER}-worker-bootstrap`,
  controlPlaneAnnotations: { 'controlplane.cluster.x-k8s.io/skip-kube-proxy': '' },
  controlPlaneMachineLabels: { 'node-role.kubernetes.io/control-plane': '' },
  kubeadmConfigSpec: controlPlane,
  workerBootstrap: workerConfig({ kubernetesVersion, sshAuthorizedKeys, dns }),
  workerStrategy: { maxSurge: 0, maxUnavailable: 1 },
  cluster: {
    podsCidr: v('POD_CIDR'),
    servicesCidr: v('SERVICE_CIDR'),
    annotations: {
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
      'cpaas.io/network-type': 'kube-ovn',
      'cpaas.io/kube-ovn-join-cidr': v('KUBE_OVN_JOIN_CIDR'),
      'cpaas.io/kube-ovn-version': v('KUBE_OVN_VERSION'),
    },
    // The vSphere CPI's ClusterResourceSet selects clusters by this label.
    labels: { 'cluster-type': 'VSphere', [CPI_LABEL]: 'enabled' },
  },
});

const NAMESPACE = v('NAMESPACE');
const cpi = [
  cpiConfigMap(CLUSTER, NAMESPACE, { server: v('VSPHERE_SERVER'), datacenters: [v('CPI_DATACENTERS')] }),
  cpiManifestsConfigMap(CLUSTER, NAMESPACE, cpiImage(v('IMAGE_REGISTRY'), v('CPI_IMAGE_TAG'))),
  cpiResourceSet(CLUSTER, NAMESPACE),
];

// The CPI delivery goes right before the Cluster its ClusterResourceSet selects.
export const vsphereClusterTemplate = [...objects.slice(0, -1), ...cpi, ...objects.slice(-1)];
