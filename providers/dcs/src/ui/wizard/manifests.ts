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
import { controlPlaneKubeadmConfig, workerKubeadmConfig } from './kubeadm-config.js';
import { templateVersion } from './validate.js';

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
  const kubeadmConfigSpec = controlPlaneKubeadmConfig({
    filesSecret: files,
    corednsTag: version?.corednsTag ?? '',
    etcdTag: version?.etcdTag ?? '',
    sshAuthorizedKeys: draft.controlPlane.sshAuthorizedKeys,
  });
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
      bootstrap: workerKubeadmConfig({ filesSecret: files, sshAuthorizedKeys: pool.sshAuthorizedKeys }),
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
