/**
 * The kubeadm configuration the product documentation gives for vSphere
 * clusters (control plane and workers): the files kubeadm needs on each node,
 * the commands around it, and the API server's hardening flags. The VM images
 * are built to boot with exactly this; keep it in step with the documentation.
 */
import {
  AUDIT_LOG_RETENTION,
  AUDIT_POLICY,
  hardenedControlPlaneComponents,
  KUBELET_PATCH_PATH,
  kubeletPatch,
  podSecurityAdmissionConfig,
  switchKubeletPatch,
  TLS_CIPHER_SUITES,
  VOLUME_PLUGIN_DIR,
} from '@immutable-infra/ui-kit';

// Where the documented files live now; re-exported for this provider's own callers and tests.
export { AUDIT_POLICY, KUBELET_PATCH_PATH, switchKubeletPatch };

type Json = Record<string, unknown>;

// The provider kit's ENCRYPTION_CONFIG_PATH and ENCRYPTION_CONFIG_KEY, spelled out: the kit's entry
// point is for Node, not for a browser bundle (a test holds them equal).
export const ENCRYPTION_CONFIG_PATH = '/etc/kubernetes/encryption-provider.conf';
export const ENCRYPTION_CONFIG_KEY = 'encryption-provider.conf';

// cloud-init sets the hostname from the slot; kubeadm's node name and /etc/hosts follow it.
const PRE_KUBEADM = [
  'hostnamectl set-hostname "{{ ds.meta_data.hostname }}"',
  'echo "::1         ipv6-localhost ipv6-loopback localhost6 localhost6.localdomain6" >/etc/hosts',
  'echo "127.0.0.1   {{ ds.meta_data.hostname }} {{ local_hostname }} localhost localhost.localdomain localhost4 localhost4.localdomain4" >>/etc/hosts',
  'while ! ip route | grep -q "default via"; do sleep 1; done; echo "NetworkManager started"',
  '/usr/local/bin/capv-load-local-images.sh',
];
const POST_KUBEADM = ['chmod 600 /var/lib/kubelet/config.yaml'];

/** Imports the images the VM template carries, so bootstrap pulls nothing. */
const LOAD_LOCAL_IMAGES = `#!/bin/bash
set -euo pipefail
until mountpoint -q /var/lib/containerd; do
  echo "waiting for /var/lib/containerd mount"
  sleep 1
done
systemctl restart containerd
until systemctl is-active --quiet containerd; do
  echo "waiting for containerd"
  sleep 1
done
if [ ! -d "/root/images" ]; then
  echo "ERROR: /root/images directory not found" >&2
  exit 1
fi
image_count=0
for image_file in /root/images/*.tar; do
  if [ -f "$image_file" ]; then
    echo "importing image: $image_file"
    ctr -n k8s.io images import "$image_file"
    image_count=$((image_count + 1))
  fi
done
if [ "$image_count" -eq 0 ]; then
  echo "ERROR: no tar files found in /root/images" >&2
  exit 1
fi
echo "imported $image_count images"
`;

function file(path: string, content: string, permissions = '0644', append?: false): Json {
  return { path, owner: 'root:root', permissions, ...(append === false ? { append } : {}), content };
}

/** resolv.conf from the slot pool's DNS servers (the pool's DNS does not always reach the guest). */
function resolvConf(dns: readonly string[]): Json[] {
  return dns.length === 0
    ? []
    : [file('/etc/resolv.conf', dns.map((server) => `nameserver ${server}\n`).join(''), '0644', false)];
}

function nodeRegistration(controlPlane: boolean): Json {
  return {
    criSocket: '/var/run/containerd/containerd.sock',
    ignorePreflightErrors: ['ImagePull'],
    kubeletExtraArgs: {
      'cloud-provider': 'external',
      ...(controlPlane ? { 'node-labels': 'kube-ovn/role=master' } : {}),
      'volume-plugin-dir': VOLUME_PLUGIN_DIR,
    },
    name: '{{ local_hostname }}',
  };
}

const bootUser = (keys: readonly string[]) => [
  { name: 'boot', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: [...keys] },
];

export interface ControlPlaneConfigInput {
  namespace: string;
  kubernetesVersion: string;
  sshAuthorizedKeys: readonly string[];
  dns: readonly string[];
  /** The Secret with the API server's EncryptionConfiguration (the provider makes it; see `encryptionConfigSecretName`). */
  encryptionConfigSecret: string;
  /** The platform registry (`host:port`); kubeadm's default registry when unknown. */
  registry: string | undefined;
}

/** KubeadmControlPlane spec.kubeadmConfigSpec. */
export function controlPlaneConfig(input: ControlPlaneConfigInput): Json {
  const psa = podSecurityAdmissionConfig([input.namespace]);
  return {
    users: bootUser(input.sshAuthorizedKeys),
    files: [
      ...resolvConf(input.dns),
      file('/etc/kubernetes/admission/psa-config.yaml', `${JSON.stringify(psa, null, 2)}\n`),
      file(KUBELET_PATCH_PATH, kubeletPatch(input.kubernetesVersion, false)),
      // By reference: the key stays in its Secret, out of this object and the KubeadmConfigs made from it.
      {
        path: ENCRYPTION_CONFIG_PATH,
        owner: 'root:root',
        permissions: '0600',
        contentFrom: { secret: { name: input.encryptionConfigSecret, key: ENCRYPTION_CONFIG_KEY } },
      },
      file('/etc/kubernetes/audit/policy.yaml', `${JSON.stringify(AUDIT_POLICY, null, 2)}\n`, '0644', false),
      file('/usr/local/bin/capv-load-local-images.sh', LOAD_LOCAL_IMAGES, '0755'),
    ],
    preKubeadmCommands: [...PRE_KUBEADM],
    postKubeadmCommands: [...POST_KUBEADM],
    clusterConfiguration: {
      ...(input.registry ? { imageRepository: `${input.registry}/tkestack` } : {}),
      ...hardenedControlPlaneComponents({
        apiServer: { ...AUDIT_LOG_RETENTION, 'tls-cipher-suites': TLS_CIPHER_SUITES },
        controllerManager: { 'cloud-provider': 'external' },
      }),
    },
    initConfiguration: {
      nodeRegistration: nodeRegistration(true),
      patches: { directory: '/etc/kubernetes/patches' },
    },
    joinConfiguration: {
      nodeRegistration: nodeRegistration(true),
      patches: { directory: '/etc/kubernetes/patches' },
    },
  };
}

/** A worker pool's KubeadmConfigTemplate spec.template.spec. */
export function workerConfig(input: {
  kubernetesVersion: string;
  sshAuthorizedKeys: readonly string[];
  dns: readonly string[];
}): Json {
  return {
    files: [
      ...resolvConf(input.dns),
      file(KUBELET_PATCH_PATH, kubeletPatch(input.kubernetesVersion, true)),
      file('/usr/local/bin/capv-load-local-images.sh', LOAD_LOCAL_IMAGES, '0755'),
    ],
    joinConfiguration: {
      nodeRegistration: nodeRegistration(false),
      patches: { directory: '/etc/kubernetes/patches' },
    },
    preKubeadmCommands: [...PRE_KUBEADM],
    postKubeadmCommands: [...POST_KUBEADM],
    users: bootUser(input.sshAuthorizedKeys),
  };
}
