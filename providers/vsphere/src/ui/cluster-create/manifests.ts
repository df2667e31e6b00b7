import type { KubernetesManifest } from '@immutable-infra/core';
import {
  CLUSTER_NAME_LABEL,
  globalRegistryAddress,
  parseApiServerAddress,
  platformClusterManifests,
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

export { CLUSTER_NAME_LABEL, CPI_LABEL };

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
  const address = parseApiServerAddress(draft.apiServerAddress);
  const endpoint = address.ok ? { host: address.host, port: address.port } : { host: '', port: 6443 };
  const templateOf = (name: string) => facts.machineTemplates.find((t) => t.name === name);
  // The bootstrap writes resolv.conf from the slot pool's DNS servers.
  const dnsOf = (template: TemplateRecord | undefined) =>
    facts.configPools.find((p) => p.name === template?.configPool)?.dns ?? [];
  const registry = globalRegistryAddress(facts.globalCluster);

  const set = platformClusterManifests(draft, facts, {
    kinds: { cluster: 'VSphereCluster', machineTemplate: 'VSphereMachineTemplate' },
    names: objectNames(draft),
    clusterSpec: {
      controlPlaneEndpoint: endpoint,
      identityRef: { kind: 'Secret', name: draft.credential },
      server: draft.server,
      ...(draft.thumbprint ? { thumbprint: draft.thumbprint } : {}),
    },
    controlPlane: {
      machineLabels: { 'node-role.kubernetes.io/control-plane': '' },
      annotations: { 'controlplane.cluster.x-k8s.io/skip-kube-proxy': '' },
      kubeadmConfigSpec: controlPlaneConfig({
        namespace,
        kubernetesVersion: draft.kubernetesVersion,
        sshAuthorizedKeys: draft.controlPlane.sshAuthorizedKeys,
        dns: dnsOf(templateOf(draft.controlPlane.machineTemplate)),
        encryptionConfigSecret: encryptionConfigSecretName(draft.name),
        registry,
      }),
    },
    workerBootstrap: (pool) =>
      workerConfig({
        kubernetesVersion: draft.kubernetesVersion,
        sshAuthorizedKeys: pool.sshAuthorizedKeys,
        dns: dnsOf(templateOf(pool.machineTemplate)),
      }),
    clusterType: 'VSphere',
    clusterLabels: { [CPI_LABEL]: 'enabled' },
    clusterAnnotations: { 'cpaas.io/network-type': 'kube-ovn' },
  });
  // The documented CPI delivery, before the Cluster that its ClusterResourceSet selects. Its Secret
  // (the vCenter account) is made by the provider from the credential, never here in the browser.
  const cpi = [
    cpiConfigMap(draft.name, namespace, { server: draft.server, datacenters: [draft.datacenter] }),
    cpiManifestsConfigMap(draft.name, namespace, cpiImage(registry, cpiImageTag(draft.kubernetesVersion))),
    cpiResourceSet(draft.name, namespace),
  ] as KubernetesManifest[];
  const clusterAt = set.findIndex((o) => o.kind === 'Cluster');
  return clusterAt < 0 ? [...set, ...cpi] : [...set.slice(0, clusterAt), ...cpi, ...set.slice(clusterAt)];
}
