import {
  clusterProvisioned,
  done,
  type InfraClusterContext,
  type InfraClusterHooks,
} from '@immutable-infra/core';
import { BaremetalCluster } from '../api/baremetal-cluster.js';

type Ctx = InfraClusterContext<typeof BaremetalCluster>;

/**
 * The BaremetalCluster: its endpoint is the one in the spec, else the load balancer's host and
 * port (the host backfills spec.controlPlaneEndpoint). Nothing is made for a cluster: hosts are
 * attached machine by machine; the Internal VIP's keepalived (alive) is deployed on the workload
 * cluster, which this slice does not do yet.
 */
export function baremetalClusterHooks(): InfraClusterHooks<typeof BaremetalCluster> {
  return {
    kind: BaremetalCluster,
    async reconcile(ctx: Ctx) {
      const { controlPlaneEndpoint, controlPlaneLoadBalancer } = ctx.object.spec;
      const endpoint =
        controlPlaneEndpoint?.host && controlPlaneEndpoint.port
          ? { host: controlPlaneEndpoint.host, port: controlPlaneEndpoint.port }
          : controlPlaneLoadBalancer
            ? { host: controlPlaneLoadBalancer.host, port: controlPlaneLoadBalancer.port }
            : undefined;
      if (!endpoint) return done(); // the CRD refuses a spec with neither
      return clusterProvisioned({ controlPlaneEndpoint: endpoint });
    },
    // Nothing belongs to the cluster itself: each machine gives its host back on delete.
    delete: async () => done(),
  };
}
