// The HCS cluster template of the clusterctl artifacts: the documentation's YAML flow (create-cluster
// and manage-nodes pages for Huawei Cloud Stack), its `<placeholders>` as clusterctl variables and its
// names (`<cluster-name>-control-plane`, `<cluster-name>-worker-template`, `<cluster-name>-md-0`,
// `<cluster-name>-worker-kct`) kept. The credential Secret, the machine config pools and the machine
// templates are created beforehand, as the documentation creates them, under those names.
import { kubeadmClusterTemplate, clusterctlVariable as v } from '@immutable-infra/provider-kit/generate';
import { hardenedControlPlaneComponents, VOLUME_PLUGIN_DIR } from '@immutable-infra/ui-kit';
import { stringify } from 'yaml';

const CLUSTER = v('CLUSTER_NAME');
const TLS_CIPHERS =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';

const file = (path: string, content: string, permissions = '0644') => ({
  path,
  owner: 'root:root',
  permissions,
  content,
});

/** The kubelet patch kubeadm applies (its certificate files are the ones the HCS controller writes). */
const kubeletPatch = (worker: boolean) =>
  `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      protectKernelDefaults: true,
      ...(worker ? { staticPodPath: null } : {}),
      tlsCertFile: '/etc/kubernetes/pki/kubelet.crt',
      tlsPrivateKeyFile: '/etc/kubernetes/pki/kubelet.key',
      streamingConnectionIdleTimeout: '5m',
      clientCAFile: '/etc/kubernetes/pki/ca.crt',
    },
    null,
    2,
  )}\n`;

const podSecurityAdmission = stringify({
  apiVersion: 'apiserver.config.k8s.io/v1',
  kind: 'AdmissionConfiguration',
  plugins: [
    {
      name: 'PodSecurity',
      configuration: {
        apiVersion: 'pod-security.admission.config.k8s.io/v1',
        kind: 'PodSecurityConfiguration',
        defaults: {
          enforce: 'privileged',
          'enforce-version': 'latest',
          audit: 'baseline',
          'audit-version': 'latest',
          warn: 'baseline',
          'warn-version': 'latest',
        },
        exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system', 'cpaas-system'] },
      },
    },
  ],
});

// The controller writes the real encryption configuration (generated for the first control plane
// machine, then the running one's); this file only holds its place, as the documentation's does.
const encryptionPlaceholder = stringify({
  apiVersion: 'apiserver.config.k8s.io/v1',
  kind: 'EncryptionConfiguration',
  resources: [
    {
      resources: ['secrets'],
      providers: [{ aescbc: { keys: [{ name: 'key1', secret: 'bootstrap-placeholder' }] } }],
    },
  ],
});

const auditPolicy = stringify({
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  rules: [{ level: 'Metadata' }],
});

const patches = { directory: '/etc/kubernetes/patches' };

export const hcsClusterTemplate = kubeadmClusterTemplate({
  infrastructureCluster: {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'HCSCluster',
    // No controlPlaneEndpoint: the controller derives it from the load balancer.
    spec: {
      controlPlaneLoadBalancer: {
        vipAddress: v('CONTROL_PLANE_VIP_ADDRESS'),
        vipSubnetName: v('VIP_SUBNET_NAME'),
      },
      networkType: 'kube-ovn',
      network: {
        vpc: { name: v('VPC_NAME') },
        subnets: [{ name: v('SUBNET_NAME') }],
        securityGroup: { name: v('SECURITY_GROUP_NAME') },
      },
      identityRef: { name: v('CREDENTIAL_SECRET_NAME') },
    },
  },
  machineTemplateKind: 'HCSMachineTemplate',
  machineTemplates: { controlPlane: `${CLUSTER}-control-plane`, worker: `${CLUSTER}-worker-template` },
  controlPlaneName: CLUSTER,
  workerName: `${CLUSTER}-md-0`,
  workerBootstrapName: `${CLUSTER}-worker-kct`,
  kubeadmConfigSpec: {
    files: [
      file('/etc/kubernetes/admission/psa-config.yaml', podSecurityAdmission),
      file('/etc/kubernetes/patches/kubeletconfiguration0+strategic.json', kubeletPatch(false)),
      file('/etc/kubernetes/encryption-provider.conf', encryptionPlaceholder, '0600'),
      file('/etc/kubernetes/audit/policy.yaml', auditPolicy),
    ],
    clusterConfiguration: {
      imageRepository: v('IMAGE_REPOSITORY'),
      dns: { imageTag: v('DNS_IMAGE_TAG') },
      etcd: { local: { imageTag: v('ETCD_IMAGE_TAG') } },
      ...hardenedControlPlaneComponents(),
    },
    postKubeadmCommands: ['chmod 600 /var/lib/kubelet/config.yaml'],
    initConfiguration: {
      patches,
      nodeRegistration: {
        kubeletExtraArgs: {
          'node-labels': 'kube-ovn/role=master',
          'protect-kernel-defaults': 'true',
          'volume-plugin-dir': VOLUME_PLUGIN_DIR,
        },
      },
    },
    joinConfiguration: {
      patches,
      nodeRegistration: {
        kubeletExtraArgs: { 'node-labels': 'kube-ovn/role=master', 'volume-plugin-dir': VOLUME_PLUGIN_DIR },
      },
    },
  },
  workerBootstrap: {
    files: [file('/etc/kubernetes/patches/kubeletconfiguration0+strategic.json', kubeletPatch(true))],
    postKubeadmCommands: ['chmod 600 /var/lib/kubelet/config.yaml'],
    joinConfiguration: {
      patches,
      nodeRegistration: {
        kubeletExtraArgs: {
          'tls-min-version': 'VersionTLS12',
          'tls-cipher-suites': TLS_CIPHERS,
          'volume-plugin-dir': VOLUME_PLUGIN_DIR,
        },
      },
    },
  },
  workerStrategy: { maxSurge: 0, maxUnavailable: 1 },
  cluster: {
    podsCidr: v('PODS_CIDR'),
    servicesCidr: v('SERVICES_CIDR'),
    annotations: {
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
      'cpaas.io/kube-ovn-join-cidr': v('KUBE_OVN_JOIN_CIDR'),
      'cpaas.io/kube-ovn-version': v('KUBE_OVN_VERSION'),
    },
    labels: { 'cluster-type': 'HCS' },
  },
});
