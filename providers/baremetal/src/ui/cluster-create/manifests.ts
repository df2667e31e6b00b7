import type { KubernetesManifest } from '@immutable-infra/core';
import { CLUSTER_NAME_LABEL, globalRegistryAddress, platformClusterManifests } from '@immutable-infra/ui-kit';
import type { BaremetalClusterDraft, LoadBalancerDraft } from './draft.js';
import type { BaremetalClusterFacts } from './facts.js';
import { controlPlaneConfig, workerConfig } from './kubeadm-config.js';
import { objectNames } from './names.js';

export { CLUSTER_NAME_LABEL };

/** Bare metal drains and detaches volumes for 5 minutes (the documented machine timeouts). */
export const MACHINE_TIMEOUTS = { nodeDrainTimeout: '5m', nodeVolumeDetachTimeout: '5m' } as const;

type Json = Record<string, unknown>;

/** BaremetalCluster spec.controlPlaneLoadBalancer from the draft: vrid only for an Internal VIP. */
export function loadBalancerSpec(lb: LoadBalancerDraft): Json {
  return {
    type: lb.type,
    host: lb.host,
    port: Number(lb.port),
    ...(lb.type === 'Internal' ? { vrid: Number(lb.vrid) } : {}),
  };
}

/** The kit's machine timeouts replaced by bare metal's, in a KubeadmControlPlane or MachineDeployment. */
function withMachineTimeouts(manifest: KubernetesManifest): KubernetesManifest {
  const spec = manifest.spec as Json;
  const machine =
    manifest.kind === 'KubeadmControlPlane'
      ? (spec.machineTemplate as Json)
      : manifest.kind === 'MachineDeployment'
        ? ((spec.template as Json).spec as Json)
        : undefined;
  if (!machine) return manifest;
  delete machine.nodeDeletionTimeout;
  Object.assign(machine, MACHINE_TIMEOUTS);
  return manifest;
}

/**
 * The objects the workflow creates in the documented v1beta1 shape and order
 * (the kit's set): the BaremetalCluster with its load balancer, the control
 * plane's BaremetalMachineTemplate and KubeadmControlPlane, each worker pool's
 * BaremetalMachineTemplate and MachineDeployment, their KubeadmConfigTemplates,
 * and the Cluster last. Each node pool's template is a copy of the chosen one,
 * so it names the chosen template's MachineInventoryPool.
 */
export function buildManifests(
  draft: BaremetalClusterDraft,
  facts: BaremetalClusterFacts,
): KubernetesManifest[] {
  const tags = facts.releases.find((r) => r.kubernetesVersion === draft.kubernetesVersion);
  const set = platformClusterManifests(draft, facts, {
    kinds: { cluster: 'BaremetalCluster', machineTemplate: 'BaremetalMachineTemplate' },
    names: objectNames(draft),
    // No controlPlaneEndpoint: the provider fills it from the load balancer.
    clusterSpec: { controlPlaneLoadBalancer: loadBalancerSpec(draft.loadBalancer), networkType: 'kube-ovn' },
    controlPlane: {
      kubeadmConfigSpec: controlPlaneConfig({
        sshAuthorizedKeys: draft.controlPlane.sshAuthorizedKeys,
        registry: globalRegistryAddress(facts.globalCluster),
        corednsTag: tags?.corednsTag,
        etcdTag: tags?.etcdTag,
      }),
    },
    workerBootstrap: (pool) => workerConfig(pool.sshAuthorizedKeys, draft.kubernetesVersion),
    clusterType: 'ProviderBaremetal',
  });
  return set.map(withMachineTimeouts);
}
