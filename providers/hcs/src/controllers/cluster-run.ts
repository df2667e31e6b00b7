import type { InfraClusterContext } from '@immutable-infra/core';
import type { HCSCluster } from '../api/hcs-cluster.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import type { ClusterNetwork } from './cluster-network.js';
import type { LoadBalancerChecks } from './control-plane-load-balancer.js';

export type ClusterCtx = InfraClusterContext<typeof HCSCluster>;

/** What the steps of one HCSCluster reconcile share. */
export interface ClusterRun {
  ctx: ClusterCtx;
  connections: HcsConnections;
  /** The cloud of the cluster's credential, from the Connect step on. */
  cloud: HcsCloud;
  /** The credential's `schema` is http (set by Connect; allowed only with allowPlainHTTP). */
  plainHttp?: boolean;
  network?: ClusterNetwork;
  /** Where the API server is reached once the ELB is active: `vipDomainName` or the VIP. */
  endpointHost?: string;
  /** The availability zones: the cluster's failure domains. */
  zones: string[];
  /** The longest HCS takes to list an ELB part it created. */
  listingLagMs: number;
  /** When the ELB's parts and members were last listed, so a reconcile can trust what status records. */
  loadBalancerChecks: LoadBalancerChecks;
}

export const LOAD_BALANCER_READY = 'LoadBalancerReady';

export const namespaceOf = (ctx: ClusterCtx) => ctx.object.metadata.namespace ?? 'default';
