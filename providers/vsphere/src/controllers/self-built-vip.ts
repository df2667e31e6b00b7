import type { KubeClient } from '@immutable-infra/core';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import type { VSphereMachineConfigPoolObject } from '../api/vsphere-machine-config-pool.js';

/**
 * The vSphere parts of the documented Self-built VIP (`controlPlaneLoadBalancer.type: internal`):
 * its condition, the first node's unit, and the rules CEL cannot check because they span objects.
 * The rest (the first node's unit itself, the alive ModuleInfo) is the provider kit's.
 */

/** The condition the documentation names for the VIP chain; it never holds up `status.ready`. */
export const SELF_BUILT_LOAD_BALANCER_READY = 'SelfBuiltLoadBalancerReady';
/** The unit that holds the VIP on the first control plane node until alive takes it over. */
export const BOOTSTRAP_VIP_UNIT = 'capv-bootstrap-vip.service';

type Balancer = NonNullable<VSphereClusterObject['spec']['controlPlaneLoadBalancer']>;

/** The cluster's self-built VIP, or undefined when an external load balancer (or none is named) fronts it. */
export function selfBuiltVip(cluster: Pick<VSphereClusterObject, 'spec'> | undefined): Balancer | undefined {
  const balancer = cluster?.spec.controlPlaneLoadBalancer;
  return balancer?.type === 'internal' ? balancer : undefined;
}

/** A slot address equal to the VIP: the node holding it and the VIP would answer for the same address. */
export interface VipSlotConflict {
  pool: string;
  hostname: string;
  field: 'network.primary.ip' | `network.additional[${number}].ip`;
}

const addressOf = (withPrefix: string | undefined) => withPrefix?.split('/')[0];

/** Every slot of the cluster's config pools whose address is the VIP. */
export function vipSlotConflicts(
  pools: readonly VSphereMachineConfigPoolObject[],
  clusterName: string,
  vip: string,
): VipSlotConflict[] {
  return pools
    .filter((pool) => pool.spec.clusterRef?.name === clusterName)
    .flatMap((pool) =>
      pool.spec.configs.flatMap((slot) => {
        const nics: [VipSlotConflict['field'], string | undefined][] = [
          ['network.primary.ip', slot.network?.primary.ip],
          ...(slot.network?.additional ?? []).map(
            (nic, i): [VipSlotConflict['field'], string | undefined] => [
              `network.additional[${i}].ip`,
              nic.ip,
            ],
          ),
        ];
        return nics
          .filter(([, ip]) => addressOf(ip) === vip)
          .map(([field]) => ({ pool: pool.metadata.name, hostname: slot.hostname, field }));
      }),
    );
}

/** The config pools of `namespace`, read now (pools change without touching the cluster). */
export function readConfigPools(
  kube: KubeClient,
  namespace: string,
): Promise<VSphereMachineConfigPoolObject[]> {
  return kube.list<VSphereMachineConfigPoolObject>(VSPHERE_API_VERSION, 'VSphereMachineConfigPool', {
    namespace,
  });
}

/**
 * The first slot of the cluster's pools with more than one NIC: there the VIP's interface is better
 * named than found from the node IP, as the documentation asks (it cannot be changed later).
 */
export function multiNicSlot(
  pools: readonly VSphereMachineConfigPoolObject[],
  clusterName: string,
): { pool: string; hostname: string } | undefined {
  for (const pool of pools.filter((p) => p.spec.clusterRef?.name === clusterName))
    for (const slot of pool.spec.configs)
      if ((slot.network?.additional ?? []).length > 0)
        return { pool: pool.metadata.name, hostname: slot.hostname };
  return undefined;
}

/** One sentence naming every conflicting pool and slot, and what to do. */
export function describeVipSlotConflicts(vip: string, conflicts: readonly VipSlotConflict[]): string {
  const where = conflicts
    .map((c) => `slot ${c.hostname} (${c.field}) of VSphereMachineConfigPool ${c.pool}`)
    .join(', ');
  return `the control plane VIP ${vip} (spec.controlPlaneLoadBalancer.host) is also the address of ${where}: a node with that address would take the VIP's traffic; give the slot another address (the VIP cannot change), and no VM is created until then`;
}

/** Why the endpoint and the load balancer disagree (the kit's rule, shared by every provider). */
export { endpointMismatch } from '@immutable-infra/provider-kit';
