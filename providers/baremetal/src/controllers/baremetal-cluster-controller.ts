import {
  clusterProvisioned,
  done,
  type InfraClusterContext,
  type InfraClusterHooks,
  type Step,
} from '@immutable-infra/core';
import { aliveModuleStep, clusterStepHooks } from '@immutable-infra/provider-kit';
import { BaremetalCluster } from '../api/baremetal-cluster.js';
import { ENDPOINT_READY, selfBuiltVip } from './self-built-vip.js';

type Ctx = InfraClusterContext<typeof BaremetalCluster>;

class ClusterRun {
  /** Sooner than never while the alive ModuleInfo is still coming (nodes, the platform's objects, its rollout). */
  recheckAfterMs: number | undefined;

  constructor(
    readonly ctx: Ctx,
    /** The provider's alive version override (`BAREMETAL_PLUGIN_ALIVE_VERSION`). */
    readonly aliveVersion: string | undefined,
  ) {}
}

/**
 * The documented Internal VIP's cluster half: the platform's alive ModuleInfo (the kit's
 * aliveModuleStep) once the control plane nodes registered, reported on EndpointReady only.
 * alive needs nodes, and nodes need this cluster ready, so the step never holds up the cluster's
 * readiness (the documentation lists "BaremetalCluster Ready, but the VIP is not reachable" as a
 * state to diagnose). The first node's VIP is in its reprovision plan (the machine controller).
 * External skips alive: the user's load balancer answers on host:port.
 */
const selfBuiltLoadBalancer = aliveModuleStep<ClusterRun>({
  balancer({ ctx }) {
    const balancer = selfBuiltVip(ctx.object);
    // The CRD requires a vrid for type Internal; bare metal has no interface field (alive picks the node IP's NIC).
    return balancer && { host: balancer.host, port: balancer.port, vrid: balancer.vrid ?? 0 };
  },
  versionOverride: (run) => run.aliveVersion,
  conditionType: ENDPOINT_READY,
});

const reconcilePlan: Step<ClusterRun>[] = [selfBuiltLoadBalancer];

/**
 * The BaremetalCluster: its endpoint is the one in the spec, else the load balancer's host and
 * port (the host backfills spec.controlPlaneEndpoint). Nothing is made on a platform for a cluster:
 * hosts are attached machine by machine; an Internal VIP's alive ModuleInfo is asked of the platform.
 */
export function baremetalClusterHooks(
  /** The alive version to deploy instead of the platform's choice (`BAREMETAL_PLUGIN_ALIVE_VERSION`). */
  aliveVersion?: string,
): InfraClusterHooks<typeof BaremetalCluster> {
  return clusterStepHooks({
    kind: BaremetalCluster,
    newRun: (ctx) => new ClusterRun(ctx, aliveVersion),
    reconcile: reconcilePlan,
    provisioned(run) {
      const { controlPlaneEndpoint, controlPlaneLoadBalancer } = run.ctx.object.spec;
      const endpoint =
        controlPlaneEndpoint?.host && controlPlaneEndpoint.port
          ? { host: controlPlaneEndpoint.host, port: controlPlaneEndpoint.port }
          : controlPlaneLoadBalancer
            ? { host: controlPlaneLoadBalancer.host, port: controlPlaneLoadBalancer.port }
            : undefined;
      if (!endpoint) return done(); // the CRD refuses a spec with neither
      return clusterProvisioned({
        controlPlaneEndpoint: endpoint,
        ...(run.recheckAfterMs ? { recheckAfterMs: run.recheckAfterMs } : {}),
      });
    },
    // Nothing belongs to the cluster itself: each machine gives its host back on delete, and the
    // platform collects the alive ModuleInfo with the cluster.
    delete: [],
  });
}
