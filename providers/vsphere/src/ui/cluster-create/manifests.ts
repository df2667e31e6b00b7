import type { KubernetesManifest } from '@immutable-infra/core';
import {
  clusterManifestSet,
  INFRASTRUCTURE_API_VERSION,
  parseApiServerAddress,
  platformAnnotations,
  platformClusterAnnotations,
  templateSourceOf,
} from '@immutable-infra/ui-kit';
import { encryptionConfigSecretName } from '../../api/vsphere-cluster.js';
import {
  CPI_LABEL,
  cpiConfigMap,
  cpiImage,
  cpiImageTag,
  cpiManifestsConfigMap,
  cpiResourceSet,
} from '../../api/vsphere-cpi.js';
import type { VsphereClusterDraft } from './draft.js';
import type { TemplateRecord, VsphereClusterFacts } from './facts.js';
import { controlPlaneConfig, workerConfig } from './kubeadm-config.js';
import { objectNames } from './names.js';

export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export { CPI_LABEL };

/**
 * The objects the workflow creates (the kit's set, in its creation order) in
 * the documented v1beta1 shape: the VSphereCluster (vCenter, thumbprint, the credential
 * Secret as identityRef, the API server address as endpoint), the control
 * plane's VSphereMachineTemplate and KubeadmControlPlane, each worker pool's
 * VSphereMachineTemplate and MachineDeployment, their KubeadmConfigTemplates,
 * and the Cluster last. The chosen machine templates are copied per cluster
 * (their config pool reference included), so a later edit of a shared
 * template cannot reach a running cluster.
 */
export function buildManifests(draft: VsphereClusterDraft, facts: VsphereClusterFacts): KubernetesManifest[] {
  const namespace = facts.namespace;
  const names = objectNames(draft);
  const address = parseApiServerAddress(draft.apiServerAddress);
  const endpoint = address.ok ? { host: address.host, port: address.port } : { host: '', port: 6443 };
  const labels = { [CLUSTER_NAME_LABEL]: draft.name };
  const templateOf = (name: string) => facts.machineTemplates.find((t) => t.name === name);
  // The bootstrap writes resolv.conf from the slot pool's DNS servers.
  const dnsOf = (template: TemplateRecord | undefined) =>
    facts.configPools.find((p) => p.name === template?.configPool)?.dns ?? [];
  const global = platformAnnotations(facts.globalCluster);
  const cpTemplate = templateOf(draft.controlPlane.machineTemplate);

  const set = clusterManifestSet({
    scope: { name: draft.name, namespace, labels },
    names,
    kinds: { cluster: 'VSphereCluster', machineTemplate: 'VSphereMachineTemplate' },
    infrastructureCluster: {
      apiVersion: INFRASTRUCTURE_API_VERSION,
      kind: 'VSphereCluster',
      metadata: { name: names.cluster, namespace, labels },
      spec: {
        controlPlaneEndpoint: endpoint,
        identityRef: { kind: 'Secret', name: draft.credential },
        server: draft.server,
        ...(draft.thumbprint ? { thumbprint: draft.thumbprint } : {}),
      },
    },
    version: draft.kubernetesVersion,
    controlPlane: {
      replicas: draft.controlPlane.replicas,
      source: templateSourceOf(facts.machineTemplates, draft.controlPlane.machineTemplate),
      machineLabels: { 'node-role.kubernetes.io/control-plane': '' },
      annotations: { 'controlplane.cluster.x-k8s.io/skip-kube-proxy': '' },
      kubeadmConfigSpec: controlPlaneConfig({
        namespace,
        kubernetesVersion: draft.kubernetesVersion,
        sshAuthorizedKeys: draft.controlPlane.sshAuthorizedKeys,
        dns: dnsOf(cpTemplate),
        encryptionConfigSecret: encryptionConfigSecretName(draft.name),
        registry: global['cpaas.io/registry-address'],
      }),
    },
    workers: draft.workers.map((pool) => {
      const source = templateOf(pool.machineTemplate);
      return {
        pool,
        source: templateSourceOf(facts.machineTemplates, pool.machineTemplate),
        bootstrap: workerConfig({
          kubernetesVersion: draft.kubernetesVersion,
          sshAuthorizedKeys: pool.sshAuthorizedKeys,
          dns: dnsOf(source),
        }),
      };
    }),
    cluster: {
      podsCidr: draft.networking.podsCidr,
      servicesCidr: draft.networking.servicesCidr,
      annotations: platformClusterAnnotations(draft, facts.globalCluster, {
        'cpaas.io/network-type': 'kube-ovn',
      }),
      labels: { ...labels, 'cluster-type': 'VSphere', [CPI_LABEL]: 'enabled' },
    },
  });
  // The documented CPI delivery, before the Cluster that its ClusterResourceSet selects. Its Secret
  // (the vCenter account) is made by the provider from the credential, never here in the browser.
  const cpi = [
    cpiConfigMap(draft.name, namespace, { server: draft.server, datacenters: [draft.datacenter] }),
    cpiManifestsConfigMap(
      draft.name,
      namespace,
      cpiImage(global['cpaas.io/registry-address'], cpiImageTag(draft.kubernetesVersion)),
    ),
    cpiResourceSet(draft.name, namespace),
  ] as KubernetesManifest[];
  const clusterAt = set.findIndex((o) => o.kind === 'Cluster');
  return clusterAt < 0 ? [...set, ...cpi] : [...set.slice(0, clusterAt), ...cpi, ...set.slice(clusterAt)];
}
