/**
 * The kubeadm configuration of a DCS cluster's control plane and worker pools, as the product
 * documentation's manifests have it: the wizard's objects (manifests.ts) and the clusterctl cluster
 * template (scripts/cluster-template.ts) are built from it. No relative imports: the generate
 * script loads it as TypeScript source.
 */

import {
  AUDIT_LOG_RETENTION,
  hardenedControlPlaneComponents,
  TLS_CIPHER_SUITES,
  VOLUME_PLUGIN_DIR,
} from '@immutable-infra/ui-kit';

// The values below are the product documentation's manifests, which the DCS
// VM images are built to boot with; keep them in step with it.
const PRE_KUBEADM = [
  'while ! ip route | grep -q "default via"; do sleep 1; done; echo "NetworkManager started"',
  'mkdir -p /run/cluster-api && restorecon -Rv /run/cluster-api',
  'if [ -f /etc/disk-setup.sh ]; then bash /etc/disk-setup.sh; fi',
];
const POST_KUBEADM = ['chmod 600 /var/lib/kubelet/config.yaml'];
const IMAGE_REPOSITORY = 'cloud.alauda.io/alauda';
function fileFromSecret(secret: string, key: string, path: string) {
  return { contentFrom: { secret: { key, name: secret } }, owner: 'root:root', path, permissions: '0644' };
}

function kubeletArgs(controlPlane: boolean, join: boolean): Record<string, string> {
  return {
    ...(join ? { 'node-ip': 'NODE_IP' } : {}),
    ...(controlPlane ? { 'node-labels': 'kube-ovn/role=master' } : {}),
    'provider-id': 'PROVIDER_ID',
    'volume-plugin-dir': VOLUME_PLUGIN_DIR,
    'protect-kernel-defaults': 'true',
  };
}

/**
 * The control plane's kubeadm configuration, as the documentation's KubeadmControlPlane has it:
 * the files from the Kubernetes minor's `dcs-kubernetes-<minor>-files` Secret, the documented
 * commands and API server, controller manager and scheduler flags, and the kubelet arguments the
 * provider fills in (PROVIDER_ID, NODE_IP).
 */
export function controlPlaneKubeadmConfig(input: {
  filesSecret: string;
  corednsTag: string;
  etcdTag: string;
  sshAuthorizedKeys: readonly string[];
}) {
  return {
    users: [{ name: 'boot', sshAuthorizedKeys: [...input.sshAuthorizedKeys] }],
    format: 'ignition',
    files: [
      fileFromSecret(input.filesSecret, 'psa-config.yaml', '/etc/kubernetes/admission/psa-config.yaml'),
      fileFromSecret(
        input.filesSecret,
        'control-plane-kubelet-patch.json',
        '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
      ),
      fileFromSecret(input.filesSecret, 'audit-policy.yaml', '/etc/kubernetes/audit/policy.yaml'),
    ],
    preKubeadmCommands: [...PRE_KUBEADM],
    postKubeadmCommands: [...POST_KUBEADM],
    clusterConfiguration: {
      imageRepository: IMAGE_REPOSITORY,
      dns: { imageTag: input.corednsTag },
      etcd: { local: { imageTag: input.etcdTag } },
      ...hardenedControlPlaneComponents({
        apiServer: { ...AUDIT_LOG_RETENTION, 'tls-cipher-suites': TLS_CIPHER_SUITES },
      }),
    },
    initConfiguration: {
      patches: { directory: '/etc/kubernetes/patches' },
      nodeRegistration: { kubeletExtraArgs: kubeletArgs(true, false) },
    },
    joinConfiguration: {
      patches: { directory: '/etc/kubernetes/patches' },
      nodeRegistration: { kubeletExtraArgs: kubeletArgs(true, true) },
    },
  };
}

/** A worker pool's kubeadm configuration (its KubeadmConfigTemplate's spec), as the documentation has it. */
export function workerKubeadmConfig(input: { filesSecret: string; sshAuthorizedKeys: readonly string[] }) {
  return {
    format: 'ignition',
    users: [{ name: 'boot', sshAuthorizedKeys: [...input.sshAuthorizedKeys] }],
    files: [
      fileFromSecret(
        input.filesSecret,
        'worker-kubelet-patch.json',
        '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
      ),
    ],
    preKubeadmCommands: [...PRE_KUBEADM],
    postKubeadmCommands: [...POST_KUBEADM],
    joinConfiguration: {
      patches: { directory: '/etc/kubernetes/patches' },
      nodeRegistration: { kubeletExtraArgs: kubeletArgs(false, true) },
    },
  };
}
