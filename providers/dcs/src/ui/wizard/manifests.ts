import type { KubernetesManifest } from '@immutable-infra/core';
import { CLUSTER_NAME_LABEL, DISPLAY_NAME_ANNOTATION, kubernetesFilesSecret } from '../catalog/labels.js';
import type { MachineTemplateRecord } from '../catalog/resources.js';
import type { DcsClusterDraft } from './draft.js';
import { objectNames } from './draft.js';
import type { ClusterFacts } from './facts.js';
import { parseApiServerAddress, templateVersion } from './validate.js';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const CAPI = 'cluster.x-k8s.io/v1beta1';
const CONTROL_PLANE = 'controlplane.cluster.x-k8s.io/v1beta1';
const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io/v1beta1';

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

/** A copy of a chosen machine template for one node pool, labelled with the cluster it serves. */
function machineTemplateCopy(
  name: string,
  namespace: string,
  clusterName: string,
  source: MachineTemplateRecord | undefined,
): KubernetesManifest {
  return {
    apiVersion: INFRA,
    kind: 'DCSMachineTemplate',
    metadata: { name, namespace, labels: { ...(source?.labels ?? {}), [CLUSTER_NAME_LABEL]: clusterName } },
    spec: { template: { spec: structuredClone(source?.machineSpec ?? {}) } },
  };
}

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
  const clusterLabel = { [CLUSTER_NAME_LABEL]: draft.name };

  const dcsCluster: KubernetesManifest = {
    apiVersion: INFRA,
    kind: 'DCSCluster',
    metadata: { name: names.cluster, namespace, labels: clusterLabel },
    spec: {
      controlPlaneLoadBalancer: { host: endpoint.host, port: endpoint.port, type: 'external' },
      credentialSecretRef: { name: draft.credential },
      controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port },
      ...(draft.controlPlaneHA ? { controlPlaneHA: { enabled: true } } : {}),
      networkType: 'kube-ovn',
      ...(site ? { site } : {}),
    },
  };

  const kubeadmControlPlane: KubernetesManifest = {
    apiVersion: CONTROL_PLANE,
    kind: 'KubeadmControlPlane',
    metadata: {
      name: names.controlPlane,
      namespace,
      labels: clusterLabel,
      annotations: {
        'controlplane.cluster.x-k8s.io/skip-coredns': '',
        'controlplane.cluster.x-k8s.io/skip-kube-proxy': '',
      },
    },
    spec: {
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } },
      kubeadmConfigSpec: {
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
      },
      machineTemplate: {
        nodeDrainTimeout: '1m',
        nodeDeletionTimeout: '5m',
        infrastructureRef: {
          apiVersion: INFRA,
          kind: 'DCSMachineTemplate',
          name: names.controlPlaneTemplate,
        },
      },
      replicas: draft.controlPlane.replicas,
      version: draft.kubernetesVersion,
    },
  };

  const workerTemplates: KubernetesManifest[] = [];
  const machineDeployments: KubernetesManifest[] = [];
  const bootstrapTemplates: KubernetesManifest[] = [];
  draft.workers.forEach((pool, i) => {
    const workerNames = names.workers[i];
    if (!workerNames) return;
    const source = facts.machineTemplates.find((t) => t.name === pool.machineTemplate);
    workerTemplates.push(machineTemplateCopy(workerNames.machineTemplate, namespace, draft.name, source));
    const labels = { [CLUSTER_NAME_LABEL]: draft.name, 'pool.name': pool.name };
    machineDeployments.push({
      apiVersion: CAPI,
      kind: 'MachineDeployment',
      metadata: { name: workerNames.machineDeployment, namespace, labels: clusterLabel },
      spec: {
        strategy: {
          rollingUpdate: { maxSurge: pool.maxSurge, maxUnavailable: pool.maxUnavailable },
          type: 'RollingUpdate',
        },
        clusterName: draft.name,
        replicas: pool.replicas,
        // The documentation leaves the selector to Cluster API's defaulting; it is spelt out
        // here so the object reads back as it was written with or without that webhook.
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            nodeDrainTimeout: '1m',
            nodeDeletionTimeout: '5m',
            bootstrap: {
              configRef: {
                apiVersion: BOOTSTRAP,
                kind: 'KubeadmConfigTemplate',
                name: workerNames.bootstrapTemplate,
                namespace,
              },
            },
            clusterName: draft.name,
            infrastructureRef: {
              apiVersion: INFRA,
              kind: 'DCSMachineTemplate',
              name: workerNames.machineTemplate,
              namespace,
            },
            version: draft.kubernetesVersion,
          },
        },
      },
    });
    bootstrapTemplates.push({
      apiVersion: BOOTSTRAP,
      kind: 'KubeadmConfigTemplate',
      metadata: { name: workerNames.bootstrapTemplate, namespace, labels: clusterLabel },
      spec: {
        template: {
          spec: {
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
        },
      },
    });
  });

  const global = facts.globalCluster ?? {};
  const cluster: KubernetesManifest = {
    apiVersion: CAPI,
    kind: 'Cluster',
    metadata: {
      name: names.cluster,
      namespace,
      annotations: {
        'capi.cpaas.io/resource-group-version': INFRA,
        'capi.cpaas.io/resource-kind': 'DCSCluster',
        'capi.cpaas.io/kubernetes': draft.kubernetesVersion,
        'cpaas.io/kube-ovn-join-cidr': draft.networking.joinCidr,
        ...(global['cpaas.io/kube-ovn-version']
          ? { 'cpaas.io/kube-ovn-version': global['cpaas.io/kube-ovn-version'] }
          : {}),
        ...(global['cpaas.io/registry-address']
          ? { 'cpaas.io/registry-address': global['cpaas.io/registry-address'] }
          : {}),
        'cpaas.io/nodes-mode': 'self-managed',
        ...(draft.displayName ? { [DISPLAY_NAME_ANNOTATION]: draft.displayName } : {}),
      },
      labels: { 'cluster-type': 'DCS' },
    },
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: [draft.networking.podsCidr] },
        services: { cidrBlocks: [draft.networking.servicesCidr] },
      },
      controlPlaneRef: { apiVersion: CONTROL_PLANE, kind: 'KubeadmControlPlane', name: names.controlPlane },
      infrastructureRef: { apiVersion: INFRA, kind: 'DCSCluster', name: names.cluster },
    },
  };

  return [
    dcsCluster,
    machineTemplateCopy(names.controlPlaneTemplate, namespace, draft.name, cpTemplate),
    kubeadmControlPlane,
    ...workerTemplates.flatMap((template, i) => [template, machineDeployments[i] as KubernetesManifest]),
    ...bootstrapTemplates,
    cluster,
  ];
}
