import type { KubernetesManifest } from '@immutable-infra/core';
import {
  clusterManifestSet,
  INFRASTRUCTURE_API_VERSION,
  parseApiServerAddress,
  platformAnnotations,
} from '@immutable-infra/ui-kit';
import { CLUSTER_NAME_LABEL, DISPLAY_NAME_ANNOTATION, kubernetesFilesSecret } from '../catalog/labels.js';
import type { MachineTemplateRecord } from '../catalog/resources.js';
import type { DcsClusterDraft } from './draft.js';
import { objectNames } from './draft.js';
import type { ClusterFacts } from './facts.js';
import { templateVersion } from './validate.js';

// The values below are the product documentation's manifests, which the DCS
// VM images are built to boot with; keep them in step with it.
const PRE_KUBEADM = [
  'while ! ip route | grep -q "default via"; do sleep 1; done; echo "NetworkManager started"',
  'mkdir -p /run/cluster-api && restorecon -Rv /run/cluster-api',
  'if [ -f /etc/disk-setup.sh ]; then bash /etc/disk-setup.sh; fi',
];
const POST_KUBEADM = ['chmod 600 /var/lib/kubelet/config.yaml'];
const VOLUME_PLUGIN_DIR = '/opt/libexec/kubernetes/kubelet-plugins/volume/exec/';
const IMAGE_REPOSITORY = 'cloud.alauda.io/alauda';
const TLS_CIPHERS =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';

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

/** A DCSMachineTemplate record as the kit copies it. */
const sourceOf = (record: MachineTemplateRecord | undefined) =>
  record && { labels: record.labels, spec: record.machineSpec };

/**
 * The objects the wizard creates, in creation order and in the documented
 * v1beta1 shape: DCSCluster (with the credential Secret's reference), the
 * control plane's DCSMachineTemplate and KubeadmControlPlane, each worker
 * pool's DCSMachineTemplate and MachineDeployment, their
 * KubeadmConfigTemplates, and the Cluster last, so Cluster API starts only
 * once everything it points at exists. Machine templates are copied per
 * cluster, so a later edit of the shared template cannot reach a running cluster.
 */
export function buildManifests(draft: DcsClusterDraft, facts: ClusterFacts): KubernetesManifest[] {
  const namespace = facts.namespace;
  const names = objectNames(draft);
  const address = parseApiServerAddress(draft.apiServerAddress);
  const endpoint = address.ok ? { host: address.host, port: address.port } : { host: '', port: 6443 };
  const cpTemplate = facts.machineTemplates.find((t) => t.name === draft.controlPlane.machineTemplate);
  const version = templateVersion(facts, cpTemplate);
  const files = kubernetesFilesSecret(draft.kubernetesVersion);
  // With the site in the credential Secret, spec.site stays empty and the controller reads it there.
  const site = facts.site && 'id' in facts.site ? facts.site.id : undefined;

  const dcsCluster: KubernetesManifest = {
    apiVersion: INFRASTRUCTURE_API_VERSION,
    kind: 'DCSCluster',
    metadata: { name: names.cluster, namespace, labels: { [CLUSTER_NAME_LABEL]: draft.name } },
    spec: {
      controlPlaneLoadBalancer: { host: endpoint.host, port: endpoint.port, type: 'external' },
      credentialSecretRef: { name: draft.credential },
      controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port },
      ...(draft.controlPlaneHA ? { controlPlaneHA: { enabled: true } } : {}),
      networkType: 'kube-ovn',
      ...(site ? { site } : {}),
    },
  };

  const clusterLabels = { [CLUSTER_NAME_LABEL]: draft.name };
  const kubeadmConfigSpec = {
    users: [{ name: 'boot', sshAuthorizedKeys: [...draft.controlPlane.sshAuthorizedKeys] }],
    format: 'ignition',
    files: [
      fileFromSecret(files, 'psa-config.yaml', '/etc/kubernetes/admission/psa-config.yaml'),
      fileFromSecret(
        files,
        'control-plane-kubelet-patch.json',
        '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
      ),
      fileFromSecret(files, 'audit-policy.yaml', '/etc/kubernetes/audit/policy.yaml'),
    ],
    preKubeadmCommands: [...PRE_KUBEADM],
    postKubeadmCommands: [...POST_KUBEADM],
    clusterConfiguration: {
      imageRepository: IMAGE_REPOSITORY,
      dns: { imageTag: version?.corednsTag ?? '' },
      etcd: { local: { imageTag: version?.etcdTag ?? '' } },
      apiServer: {
        extraArgs: {
          'audit-log-format': 'json',
          'audit-log-maxage': '30',
          'audit-log-maxbackup': '10',
          'audit-log-maxsize': '200',
          profiling: 'false',
          'audit-log-mode': 'batch',
          'audit-log-path': '/etc/kubernetes/audit/audit.log',
          'audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
          'tls-cipher-suites': TLS_CIPHERS,
          'encryption-provider-config': '/etc/kubernetes/encryption-provider.conf',
          'admission-control-config-file': '/etc/kubernetes/admission/psa-config.yaml',
          'tls-min-version': 'VersionTLS12',
          'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt',
        },
        extraVolumes: [
          {
            name: 'vol-dir-0',
            hostPath: '/etc/kubernetes',
            mountPath: '/etc/kubernetes',
            pathType: 'Directory',
          },
        ],
      },
      controllerManager: {
        extraArgs: {
          'bind-address': '::',
          profiling: 'false',
          'tls-min-version': 'VersionTLS12',
          'flex-volume-plugin-dir': VOLUME_PLUGIN_DIR,
        },
      },
      scheduler: {
        extraArgs: { 'bind-address': '::', 'tls-min-version': 'VersionTLS12', profiling: 'false' },
      },
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
  return clusterManifestSet({
    scope: { name: draft.name, namespace, labels: clusterLabels },
    names,
    kinds: { cluster: 'DCSCluster', machineTemplate: 'DCSMachineTemplate' },
    infrastructureCluster: dcsCluster,
    version: draft.kubernetesVersion,
    controlPlane: {
      replicas: draft.controlPlane.replicas,
      source: sourceOf(cpTemplate),
      kubeadmConfigSpec,
      annotations: {
        'controlplane.cluster.x-k8s.io/skip-coredns': '',
        'controlplane.cluster.x-k8s.io/skip-kube-proxy': '',
      },
    },
    workers: draft.workers.map((pool) => ({
      pool,
      source: sourceOf(facts.machineTemplates.find((t) => t.name === pool.machineTemplate)),
      bootstrap: {
        format: 'ignition',
        users: [{ name: 'boot', sshAuthorizedKeys: [...pool.sshAuthorizedKeys] }],
        files: [
          fileFromSecret(
            files,
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
      },
    })),
    cluster: {
      podsCidr: draft.networking.podsCidr,
      servicesCidr: draft.networking.servicesCidr,
      annotations: {
        'capi.cpaas.io/kubernetes': draft.kubernetesVersion,
        'cpaas.io/kube-ovn-join-cidr': draft.networking.joinCidr,
        ...platformAnnotations(facts.globalCluster),
        'cpaas.io/nodes-mode': 'self-managed',
        ...(draft.displayName ? { [DISPLAY_NAME_ANNOTATION]: draft.displayName } : {}),
      },
      labels: { 'cluster-type': 'DCS' },
    },
  });
}
