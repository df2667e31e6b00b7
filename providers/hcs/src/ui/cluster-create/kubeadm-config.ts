/**
 * The kubeadm configuration the product documentation gives for HCS clusters:
 * the files kubeadm needs on each node, the command after it, and the
 * control plane's hardening flags. The HCS controller writes the kubelet's
 * serving certificate and the encryption configuration itself while
 * resolving cloud-init; the encryption file here is the documented
 * placeholder the controller's copy replaces.
 */
import {
  AUDIT_POLICY,
  hardenedControlPlaneComponents,
  KUBELET_PATCH_PATH,
  podSecurityAdmissionConfig,
  VOLUME_PLUGIN_DIR,
} from '@immutable-infra/ui-kit';

type Json = Record<string, unknown>;

const PATCHES = { directory: '/etc/kubernetes/patches' };
const POST_KUBEADM = ['chmod 600 /var/lib/kubelet/config.yaml'];

/** The documented placeholder; the controller's generated or synchronized file takes precedence. */
const ENCRYPTION_PLACEHOLDER = {
  apiVersion: 'apiserver.config.k8s.io/v1',
  kind: 'EncryptionConfiguration',
  resources: [
    {
      resources: ['secrets'],
      providers: [{ aescbc: { keys: [{ name: 'key1', secret: 'bootstrap-placeholder' }] } }],
    },
  ],
};

/** The documented kubelet patch (the kubelet's serving certificate is the one the controller writes). */
const KUBELET_PATCH = {
  apiVersion: 'kubelet.config.k8s.io/v1beta1',
  kind: 'KubeletConfiguration',
  protectKernelDefaults: true,
  tlsCertFile: '/etc/kubernetes/pki/kubelet.crt',
  tlsPrivateKeyFile: '/etc/kubernetes/pki/kubelet.key',
  streamingConnectionIdleTimeout: '5m',
  clientCAFile: '/etc/kubernetes/pki/ca.crt',
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function file(path: string, content: string, permissions = '0644'): Json {
  return { path, owner: 'root:root', permissions, content };
}

const bootUser = (keys: readonly string[]) =>
  keys.length === 0
    ? {}
    : { users: [{ name: 'boot', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: [...keys] }] };

export interface ControlPlaneConfigInput {
  namespace: string;
  sshAuthorizedKeys: readonly string[];
  /** The platform registry (`host:port`); kubeadm's default registry when unknown. */
  registry: string | undefined;
  /** The CoreDNS and etcd image tags of the version's release; kubeadm's defaults when unknown. */
  tags?: { corednsTag: string; etcdTag: string } | undefined;
}

/** KubeadmControlPlane spec.kubeadmConfigSpec, as documented. */
export function controlPlaneConfig(input: ControlPlaneConfigInput): Json {
  return {
    ...bootUser(input.sshAuthorizedKeys),
    files: [
      file('/etc/kubernetes/admission/psa-config.yaml', json(podSecurityAdmissionConfig([input.namespace]))),
      file(KUBELET_PATCH_PATH, json(KUBELET_PATCH)),
      file('/etc/kubernetes/encryption-provider.conf', json(ENCRYPTION_PLACEHOLDER), '0600'),
      file('/etc/kubernetes/audit/policy.yaml', json(AUDIT_POLICY)),
    ],
    clusterConfiguration: {
      ...(input.registry ? { imageRepository: `${input.registry}/tkestack` } : {}),
      ...(input.tags
        ? { dns: { imageTag: input.tags.corednsTag }, etcd: { local: { imageTag: input.tags.etcdTag } } }
        : {}),
      ...hardenedControlPlaneComponents(),
    },
    postKubeadmCommands: [...POST_KUBEADM],
    initConfiguration: {
      patches: PATCHES,
      nodeRegistration: {
        kubeletExtraArgs: {
          'node-labels': 'kube-ovn/role=master',
          'protect-kernel-defaults': 'true',
          'volume-plugin-dir': VOLUME_PLUGIN_DIR,
        },
      },
    },
    joinConfiguration: {
      patches: PATCHES,
      nodeRegistration: {
        kubeletExtraArgs: { 'node-labels': 'kube-ovn/role=master', 'volume-plugin-dir': VOLUME_PLUGIN_DIR },
      },
    },
  };
}

/** A worker pool's KubeadmConfigTemplate spec.template.spec: the same kubelet patch, joined as a worker. */
export function workerConfig(input: { sshAuthorizedKeys: readonly string[] }): Json {
  return {
    ...bootUser(input.sshAuthorizedKeys),
    files: [file(KUBELET_PATCH_PATH, json(KUBELET_PATCH))],
    postKubeadmCommands: [...POST_KUBEADM],
    joinConfiguration: {
      patches: PATCHES,
      nodeRegistration: {
        kubeletExtraArgs: { 'protect-kernel-defaults': 'true', 'volume-plugin-dir': VOLUME_PLUGIN_DIR },
      },
    },
  };
}
