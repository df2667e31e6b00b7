import type { KubernetesManifest } from '@immutable-infra/core';
import {
  clusterManifestSet,
  INFRASTRUCTURE_API_VERSION,
  platformAnnotations,
  platformClusterAnnotations,
  templateSourceOf,
} from '@immutable-infra/ui-kit';
import { releaseOf } from '../releases.js';
import { type HcsClusterDraft, ipList } from './draft.js';
import type { HcsClusterFacts } from './facts.js';
import { controlPlaneConfig, workerConfig } from './kubeadm-config.js';
import { objectNames } from './names.js';

export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

/** The documented `spec.controlPlaneLoadBalancer`: VIP, its subnet and domain, and the two fixed L4 and L7 IPs when given. */
export function controlPlaneLoadBalancer(draft: HcsClusterDraft): Record<string, unknown> {
  const backend = draft.elbSubnetName || draft.vipSubnetName;
  const l4 = ipList(draft.l4Ips);
  const l7 = ipList(draft.l7Ips);
  return {
    vipAddress: draft.vipAddress,
    vipSubnetName: draft.vipSubnetName,
    ...(draft.vipDomainName ? { vipDomainName: draft.vipDomainName } : {}),
    ...(l4.length > 0 ? { elbVirsubnetL4Ips: [{ subnetName: backend, ips: l4 }] } : {}),
    ...(l7.length > 0 ? { elbVirsubnetL7Ips: [{ subnetName: backend, ips: l7 }] } : {}),
  };
}

/**
 * The objects the workflow creates (the kit's set, in its creation order) in
 * the documented v1beta1 shape: the HCSCluster (ELB, kube-ovn, VPC, subnets,
 * security group, the credential Secret as identityRef; no
 * controlPlaneEndpoint: the controller derives it from the ELB), the control
 * plane's HCSMachineTemplate and the KubeadmControlPlane named after the
 * cluster, each worker pool's HCSMachineTemplate, MachineDeployment and
 * KubeadmConfigTemplate, and the Cluster last. The chosen machine templates
 * are copied per cluster (their config pool reference included).
 */
export function buildManifests(draft: HcsClusterDraft, facts: HcsClusterFacts): KubernetesManifest[] {
  const namespace = facts.namespace;
  const names = objectNames(draft);
  const labels = { [CLUSTER_NAME_LABEL]: draft.name };
  const global = platformAnnotations(facts.globalCluster);

  return clusterManifestSet({
    scope: { name: draft.name, namespace, labels },
    names,
    kinds: { cluster: 'HCSCluster', machineTemplate: 'HCSMachineTemplate' },
    infrastructureCluster: {
      apiVersion: INFRASTRUCTURE_API_VERSION,
      kind: 'HCSCluster',
      metadata: { name: names.cluster, namespace, labels },
      spec: {
        controlPlaneLoadBalancer: controlPlaneLoadBalancer(draft),
        networkType: 'kube-ovn',
        network: {
          vpc: { name: draft.vpc },
          subnets: draft.subnets.map((name) => ({ name })),
          securityGroup: { name: draft.securityGroup },
        },
        identityRef: { name: draft.credential },
      },
    },
    version: draft.kubernetesVersion,
    controlPlane: {
      replicas: draft.controlPlane.replicas,
      source: templateSourceOf(facts.machineTemplates, draft.controlPlane.machineTemplate),
      kubeadmConfigSpec: controlPlaneConfig({
        namespace,
        sshAuthorizedKeys: draft.controlPlane.sshAuthorizedKeys,
        registry: global['cpaas.io/registry-address'],
        tags: releaseOf(facts.releases ?? [], draft.kubernetesVersion),
      }),
    },
    workers: draft.workers.map((pool) => ({
      pool,
      source: templateSourceOf(facts.machineTemplates, pool.machineTemplate),
      bootstrap: workerConfig({ sshAuthorizedKeys: pool.sshAuthorizedKeys }),
    })),
    cluster: {
      podsCidr: draft.networking.podsCidr,
      servicesCidr: draft.networking.servicesCidr,
      annotations: platformClusterAnnotations(draft, facts.globalCluster),
      labels: { ...labels, 'cluster-type': 'HCS' },
    },
  });
}
