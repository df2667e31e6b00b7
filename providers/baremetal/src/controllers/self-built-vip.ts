import type { BootstrapData } from '@immutable-infra/core';
import {
  type CloudInitBootstrapVip,
  cloudInitBootstrapVip,
  runsKubeadmInit,
} from '@immutable-infra/provider-kit';
import type { BaremetalClusterObject } from '../api/baremetal-cluster.js';

/**
 * The bare-metal parts of the documented Internal (Self-built) VIP: its condition, the name of the
 * first node's unit and who gets it. The unit itself and the alive ModuleInfo are the provider kit's.
 */

/** The condition the bare-metal documentation names for the VIP; it never holds up `status.ready`. */
export const ENDPOINT_READY = 'EndpointReady';
/** The unit that holds the VIP on the first control plane node until alive takes it over. */
export const BOOTSTRAP_VIP_UNIT = 'baremetal-bootstrap-vip.service';

type Balancer = NonNullable<BaremetalClusterObject['spec']['controlPlaneLoadBalancer']>;

/** The cluster's Internal VIP, or undefined when an external load balancer (or only an endpoint) fronts it. */
export function selfBuiltVip(
  cluster: { spec?: Partial<Pick<BaremetalClusterObject['spec'], 'controlPlaneLoadBalancer'>> } | undefined,
): Balancer | undefined {
  const balancer = cluster?.spec?.controlPlaneLoadBalancer;
  // The CRD defaults the type to Internal; an object read past defaulting counts the same.
  return balancer && (balancer.type ?? 'Internal') === 'Internal' ? balancer : undefined;
}

/**
 * The first half of an Internal VIP, for the reprovision plan's cloud-config: only the control
 * plane node that runs `kubeadm init` holds the VIP from before kubeadm starts, so the endpoint
 * answers before alive is installed. Joining nodes and workers reach the VIP and hold nothing.
 */
export function bootstrapVipFor(input: {
  infraCluster: Record<string, unknown> | undefined;
  isControlPlane: boolean;
  bootstrap: BootstrapData;
  /** The host's address as elemental observed it: the VIP goes on the NIC holding it. */
  nodeIp: string | undefined;
}): CloudInitBootstrapVip | undefined {
  const balancer = selfBuiltVip(input.infraCluster as Parameters<typeof selfBuiltVip>[0]);
  if (!balancer || !input.isControlPlane || !runsKubeadmInit(input.bootstrap)) return undefined;
  return cloudInitBootstrapVip({ name: BOOTSTRAP_VIP_UNIT, vip: balancer.host, nodeIp: input.nodeIp });
}
