import type { KubernetesManifest } from '@immutable-infra/core';
import { CLUSTER_NAME_LABEL, globalRegistryAddress, platformClusterManifests } from '@immutable-infra/ui-kit';
import { releaseOf } from '../releases.js';
import { type HcsClusterDraft, ipList } from './draft.js';
import type { HcsClusterFacts } from './facts.js';
import { controlPlaneConfig, workerConfig } from './kubeadm-config.js';
import { objectNames } from './names.js';

export { CLUSTER_NAME_LABEL };

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
  return platformClusterManifests(draft, facts, {
    kinds: { cluster: 'HCSCluster', machineTemplate: 'HCSMachineTemplate' },
    names: objectNames(draft),
    clusterSpec: {
      controlPlaneLoadBalancer: controlPlaneLoadBalancer(draft),
      networkType: 'kube-ovn',
      network: {
        vpc: { name: draft.vpc },
        subnets: draft.subnets.map((name) => ({ name })),
        securityGroup: { name: draft.securityGroup },
      },
      identityRef: { name: draft.credential },
    },
    controlPlane: {
      kubeadmConfigSpec: controlPlaneConfig({
        namespace: facts.namespace,
        sshAuthorizedKeys: draft.controlPlane.sshAuthorizedKeys,
        registry: globalRegistryAddress(facts.globalCluster),
        tags: releaseOf(facts.releases ?? [], draft.kubernetesVersion),
      }),
    },
    workerBootstrap: (pool) => workerConfig({ sshAuthorizedKeys: pool.sshAuthorizedKeys }),
    clusterType: 'HCS',
  });
}
