/**
 * The kubeadm configuration of the bare-metal create-cluster and manage-nodes
 * pages: the `boot` user, the platform registry's images with the release's
 * CoreDNS and etcd tags, the hardening flags, Kube-OVN's master label on the
 * control plane, and the workers' kubelet patch and TLS settings. The provider
 * sets each host's name, provider ID and CRI socket itself, so none is written here.
 * scripts/cluster-template.ts (the clusterctl template) takes its settings from here too.
 */
import { KUBELET_PATCH_PATH, switchKubeletPatch } from '@immutable-infra/ui-kit';

type Json = Record<string, unknown>;

export const HARDENED_ARGS = { profiling: 'false', 'tls-min-version': 'VersionTLS12' };
export const TLS_CIPHERS =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';
export const WORKER_KUBELET_PATCH_PATH = KUBELET_PATCH_PATH;
export const WORKER_KUBELET_PATCH = {
  apiVersion: 'kubelet.config.k8s.io/v1beta1',
  kind: 'KubeletConfiguration',
  protectKernelDefaults: true,
  staticPodPath: null,
  tlsCertFile: '/etc/kubernetes/pki/kubelet.crt',
  tlsPrivateKeyFile: '/etc/kubernetes/pki/kubelet.key',
  streamingConnectionIdleTimeout: '5m',
  clientCAFile: '/etc/kubernetes/pki/ca.crt',
};

const bootUser = (keys: readonly string[]) => [
  { name: 'boot', sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash', sshAuthorizedKeys: [...keys] },
];

export const MASTER_NODE_LABELS = {
  nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'kube-ovn/role=master' } },
};

export interface ControlPlaneConfigInput {
  sshAuthorizedKeys: readonly string[];
  /** The platform registry (`host[:port]`); kubeadm's default registry when unknown. */
  registry: string | undefined;
  /** The release's tags; kubeadm's defaults for the version when unknown. */
  corednsTag: string | undefined;
  etcdTag: string | undefined;
}

/** KubeadmControlPlane spec.kubeadmConfigSpec, as the create-cluster page gives it. */
export function controlPlaneConfig(input: ControlPlaneConfigInput): Json {
  return {
    users: bootUser(input.sshAuthorizedKeys),
    clusterConfiguration: {
      ...(input.registry ? { imageRepository: `${input.registry}/tkestack` } : {}),
      ...(input.corednsTag ? { dns: { imageTag: input.corednsTag } } : {}),
      ...(input.etcdTag ? { etcd: { local: { imageTag: input.etcdTag } } } : {}),
      apiServer: { extraArgs: { ...HARDENED_ARGS } },
      controllerManager: { extraArgs: { ...HARDENED_ARGS } },
      scheduler: { extraArgs: { ...HARDENED_ARGS } },
    },
    initConfiguration: structuredClone(MASTER_NODE_LABELS),
    joinConfiguration: structuredClone(MASTER_NODE_LABELS),
  };
}

/**
 * A worker pool's KubeadmConfigTemplate spec.template.spec, as the manage-nodes page gives it; from
 * Kubernetes 1.35 the kubelet patch carries the setting the upgrade page requires (the kit's switch,
 * which an upgrade across 1.35 applies too).
 */
export function workerConfig(sshAuthorizedKeys: readonly string[], kubernetesVersion: string): Json {
  const files: Json[] = [
    {
      path: WORKER_KUBELET_PATCH_PATH,
      owner: 'root:root',
      permissions: '0644',
      content: `${JSON.stringify(WORKER_KUBELET_PATCH, null, 2)}\n`,
    },
  ];
  return {
    users: bootUser(sshAuthorizedKeys),
    files: switchKubeletPatch(files, kubernetesVersion) ?? files,
    joinConfiguration: {
      patches: { directory: '/etc/kubernetes/patches' },
      nodeRegistration: {
        kubeletExtraArgs: { 'tls-min-version': 'VersionTLS12', 'tls-cipher-suites': TLS_CIPHERS },
      },
    },
  };
}
