import {
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
  trueCondition,
} from '@immutable-infra/core';
import { HCS_API_VERSION } from '../api/common.js';
import { HCSCluster } from '../api/hcs-cluster.js';
import type { HCSMachineObject } from '../api/hcs-machine.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import { describeHcsFailure, hcsFailureKind, isAuthFailure, isNotFound } from '../cloud/hcs-errors.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { resolveClusterNetwork } from './cluster-network.js';
import {
  API_SERVER_PORT,
  ensureLoadBalancer,
  removeLoadBalancer,
  syncMembers,
  type WantedMember,
} from './control-plane-load-balancer.js';
import { ensureEncryptionSecret } from './encryption-provider.js';
import { serverGroupName } from './names.js';

type Ctx = InfraClusterContext<typeof HCSCluster>;

const CREDENTIALS_READY = 'CredentialsReady';
const NETWORK_READY = 'NetworkReady';
const LOAD_BALANCER_READY = 'LoadBalancerReady';
const HA_READY = 'ControlPlaneHAReady';
// A wrong key stays wrong until someone edits the Secret: asking again soon only adds failures.
const CREDENTIAL_RETRY_MS = 60_000;
// Control plane machines come and go without an event here: look at the members regularly.
const MEMBER_RECHECK_MS = 10_000;

/** The control plane HCSMachines of the cluster that should be in the ELB pool (not being deleted, address known). */
export async function wantedMembers(ctx: Pick<Ctx, 'kube' | 'object' | 'cluster'>): Promise<WantedMember[]> {
  const machines = await ctx.kube.list<HCSMachineObject>(HCS_API_VERSION, 'HCSMachine', {
    namespace: ctx.object.metadata.namespace ?? 'default',
    labelSelector: `cluster.x-k8s.io/cluster-name=${ctx.cluster.metadata.name},cluster.x-k8s.io/control-plane`,
  });
  return machines.flatMap((machine) => {
    if (machine.metadata.deletionTimestamp) return [];
    const address = machine.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return address ? [{ machineName: machine.metadata.name, address }] : [];
  });
}

async function ensureServerGroup(ctx: Ctx, cloud: HcsCloud): Promise<void> {
  const ha = ctx.object.spec.controlPlaneHA;
  if (!ha?.enabled) return;
  const name = serverGroupName(ctx.object.metadata.namespace ?? 'default', ctx.cluster.metadata.name);
  const group =
    (await cloud.listServerGroups()).find((g) => g.name === name) ??
    (await cloud.createServerGroup(name, ha.policy));
  ctx.status.controlPlaneHA = {
    id: group.id,
    name: group.name,
    policy: group.policies[0] ?? ha.policy,
    members: group.members.map((serverID) => ({ serverID })),
  };
  ctx.setCondition(trueCondition(HA_READY, 'ServerGroupReady', `server group ${name} (${ha.policy})`));
}

function failureCondition(ctx: Ctx, type: string, error: unknown) {
  const message = describeHcsFailure(error);
  const reason = hcsFailureKind(error) ?? 'HCSError';
  ctx.setCondition(falseCondition(type, reason, message, 'Warning'));
  ctx.events.warning(reason, message);
  return requeue(reason === 'QuotaExceeded' ? 60_000 : 2_000, message);
}

export function hcsClusterHooks(connections: HcsConnections): InfraClusterHooks<typeof HCSCluster> {
  return {
    kind: HCSCluster,
    async reconcile(ctx) {
      const lookup = await cloudForCluster(ctx, connections, ctx.object);
      if (!lookup.ok) {
        ctx.setCondition(falseCondition(CREDENTIALS_READY, lookup.reason, lookup.message, 'Error'));
        ctx.events.warning(lookup.reason, lookup.message);
        return requeue(CREDENTIAL_RETRY_MS, lookup.message);
      }
      const { cloud } = lookup;
      let network: Awaited<ReturnType<typeof resolveClusterNetwork>>;
      try {
        network = await resolveClusterNetwork(cloud, ctx.object.spec);
      } catch (error) {
        if (isAuthFailure(error)) {
          const message = describeHcsFailure(error);
          ctx.setCondition(falseCondition(CREDENTIALS_READY, 'AuthenticationFailed', message, 'Error'));
          ctx.events.warning('AuthenticationFailed', message);
          return requeue(CREDENTIAL_RETRY_MS, message);
        }
        return failureCondition(ctx, NETWORK_READY, error);
      }
      ctx.setCondition(trueCondition(CREDENTIALS_READY, 'Authenticated'));
      if (!network.ok) {
        ctx.setCondition(falseCondition(NETWORK_READY, network.reason, network.message, 'Error'));
        ctx.events.warning(network.reason, network.message);
        return requeue(30_000, network.message);
      }
      ctx.setCondition(trueCondition(NETWORK_READY, 'Resolved', `VPC ${network.network.vpc.name}`));
      try {
        await ensureEncryptionSecret(ctx, ctx.object, ctx.cluster.metadata.name);
        await ensureServerGroup(ctx, cloud);
        const progress = await ensureLoadBalancer(
          cloud,
          ctx.object,
          ctx.cluster.metadata.name,
          network.network,
          ctx.status.loadBalancer ?? ctx.object.status?.loadBalancer,
        );
        ctx.status.loadBalancer = progress.status;
        if (progress.state === 'waiting') {
          ctx.setCondition(falseCondition(LOAD_BALANCER_READY, 'Provisioning', progress.message));
          return requeue(1_000, progress.message);
        }
        const members = await syncMembers(cloud, progress.status.poolId as string, await wantedMembers(ctx));
        ctx.status.loadBalancer = {
          ...progress.status,
          members: members.map((m) => ({ machineName: m.name, address: m.address, memberId: m.id })),
        };
        ctx.setCondition(
          trueCondition(
            LOAD_BALANCER_READY,
            'Active',
            `${progress.endpointHost}:${API_SERVER_PORT}, ${members.length} control plane members`,
          ),
        );
        // Availability zones are the cluster's failure domains: the control plane provider spreads over them.
        const zones = await cloud.listAvailabilityZones();
        return clusterProvisioned({
          controlPlaneEndpoint: ctx.object.spec.controlPlaneEndpoint ?? {
            host: progress.endpointHost,
            port: API_SERVER_PORT,
          },
          failureDomains: Object.fromEntries(zones.map((zone) => [zone, { controlPlane: true }])),
          recheckAfterMs: MEMBER_RECHECK_MS,
        });
      } catch (error) {
        return failureCondition(ctx, LOAD_BALANCER_READY, error);
      }
    },
    async delete(ctx) {
      const lookup = await cloudForCluster(ctx, connections, ctx.object);
      if (!lookup.ok) return requeue(CREDENTIAL_RETRY_MS, lookup.message);
      const { cloud } = lookup;
      const namespace = ctx.object.metadata.namespace ?? 'default';
      try {
        const gone = await removeLoadBalancer(
          cloud,
          namespace,
          ctx.cluster.metadata.name,
          ctx.object.status?.loadBalancer?.id,
        );
        if (!gone) return requeue(1_000, 'removing the control plane ELB');
        delete ctx.status.loadBalancer;
        const name = serverGroupName(namespace, ctx.cluster.metadata.name);
        for (const group of (await cloud.listServerGroups()).filter((g) => g.name === name)) {
          if (group.members.length > 0) return requeue(5_000, `server group ${name} still has servers`);
          await cloud.deleteServerGroup(group.id).catch((error: unknown) => {
            if (!isNotFound(error)) throw error;
          });
        }
        delete ctx.status.controlPlaneHA;
        return done();
      } catch (error) {
        const message = describeHcsFailure(error);
        ctx.setCondition(
          falseCondition(LOAD_BALANCER_READY, hcsFailureKind(error) ?? 'HCSError', message, 'Warning'),
        );
        return requeue(2_000, message);
      }
    },
  };
}
