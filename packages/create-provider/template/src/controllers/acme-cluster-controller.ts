import {
  clusterProvisioned,
  done,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
} from '@immutable-infra/core';
import { AcmeCluster } from '../api/acme-cluster.js';
import type { AcmeClients } from './connect.js';

type Ctx = InfraClusterContext<typeof AcmeCluster>;

/**
 * The AcmeCluster: its endpoint is what the spec says (a VIP or a load balancer you manage), once
 * its credential Secret reads well. A platform load balancer would be made here, as steps.
 */
export function clusterHooks(clients: AcmeClients): InfraClusterHooks<typeof AcmeCluster> {
  return {
    kind: AcmeCluster,
    async reconcile(ctx: Ctx) {
      const { spec, metadata } = ctx.object;
      const connected = await clients.forSecret(
        ctx.secrets,
        metadata.namespace ?? '',
        spec.credentialSecretRef.name,
      );
      if (!connected.ok) return requeue(30_000, connected.message);
      return clusterProvisioned({
        controlPlaneEndpoint: { host: spec.controlPlaneHost, port: spec.controlPlanePort },
      });
    },
    // Nothing on the platform belongs to the cluster itself; its machines are deleted one by one.
    delete: async () => done(),
  };
}
