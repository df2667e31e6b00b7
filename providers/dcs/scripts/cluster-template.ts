// The DCS cluster template of the clusterctl artifacts: the documentation's YAML flow (create-cluster
// and manage-nodes pages for Huawei DCS), with the same kubeadm configuration the web UI's wizard
// writes, its `<placeholders>` as clusterctl variables. The machine templates, their IP pools and
// the credential Secret are created beforehand, as the documentation's infrastructure resources.
import { kubeadmClusterTemplate, clusterctlVariable as v } from '@immutable-infra/provider-kit/generate';
import { controlPlaneKubeadmConfig, workerKubeadmConfig } from '../src/ui/wizard/kubeadm-config.ts';

const endpoint = { host: v('LOAD_BALANCER_IP_OR_DOMAIN_NAME'), port: 6443 };
const sshAuthorizedKeys = [v('SSH_AUTHORIZED_KEYS')];
// The Kubernetes minor's files Secret the provider ships (`dcs-kubernetes-<minor>-files`).
const filesSecret = v('KUBERNETES_FILES_SECRET');

export const dcsClusterTemplate = kubeadmClusterTemplate({
  infrastructureCluster: {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'DCSCluster',
    spec: {
      controlPlaneLoadBalancer: { ...endpoint, type: 'external' },
      credentialSecretRef: { name: v('AUTH_SECRET_NAME') },
      controlPlaneEndpoint: endpoint,
      networkType: 'kube-ovn',
      site: v('SITE'),
    },
  },
  machineTemplateKind: 'DCSMachineTemplate',
  machineTemplates: {
    controlPlane: v('CP_DCS_MACHINE_TEMPLATE_NAME'),
    worker: v('WORKER_DCS_MACHINE_TEMPLATE_NAME'),
  },
  controlPlaneName: `${v('CLUSTER_NAME')}-kcp`,
  workerName: `${v('CLUSTER_NAME')}-worker`,
  controlPlaneAnnotations: {
    'controlplane.cluster.x-k8s.io/skip-coredns': '',
    'controlplane.cluster.x-k8s.io/skip-kube-proxy': '',
  },
  kubeadmConfigSpec: controlPlaneKubeadmConfig({
    filesSecret,
    corednsTag: v('DNS_IMAGE_TAG'),
    etcdTag: v('ETCD_IMAGE_TAG'),
    sshAuthorizedKeys,
  }),
  workerBootstrap: workerKubeadmConfig({ filesSecret, sshAuthorizedKeys }),
  // The web UI's defaults: one node at a time, as pool-managed persistent disks require.
  workerStrategy: { maxSurge: 0, maxUnavailable: 1 },
  cluster: {
    podsCidr: v('PODS_CIDR'),
    servicesCidr: v('SERVICES_CIDR'),
    annotations: {
      'capi.cpaas.io/kubernetes': v('KUBERNETES_VERSION'),
      'cpaas.io/kube-ovn-join-cidr': v('KUBE_OVN_JOIN_CIDR'),
      'cpaas.io/kube-ovn-version': v('KUBE_OVN_VERSION'),
      'cpaas.io/registry-address': v('REGISTRY_ADDRESS'),
      'cpaas.io/nodes-mode': 'self-managed',
    },
    labels: { 'cluster-type': 'DCS' },
  },
});
