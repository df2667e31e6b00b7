import {
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterHooks,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import {
  CREDENTIALS_READY_CONDITION,
  clusterNameOf,
  clusterStepHooks,
  connectStep,
  controlPlaneMachines,
  failureKind,
  foundOrCreatedOnce,
  infraClusterSteps,
  mayBeUnlisted,
  reportingFailures,
  secureConnectionCondition,
  tolerating,
} from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import { HCSCluster, type HCSClusterObject } from '../api/hcs-cluster.js';
import type { HCSMachineObject } from '../api/hcs-machine.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import { describeHcsFailure, hcsFailureReason } from '../cloud/hcs-failures.js';
import { type CloudLookup, cloudForCluster } from './cloud-for-cluster.js';
import { resolveClusterNetwork } from './cluster-network.js';
import { type ClusterCtx, type ClusterRun, LOAD_BALANCER_READY, namespaceOf } from './cluster-run.js';
import {
  API_SERVER_PORT,
  deleteLoadBalancer,
  ensureLoadBalancer,
  type LoadBalancerChecks,
  newLoadBalancerChecks,
  syncLoadBalancerMembers,
} from './control-plane-load-balancer.js';
import { ensureEncryptionSecret } from './encryption-provider.js';
import { LISTING_LAG_MS } from './machine-run.js';
import { serverGroupName } from './names.js';
import { notConnected } from './not-connected.js';

type Ctx = ClusterCtx;

const NETWORK_READY = 'NetworkReady';
const HA_READY = 'ControlPlaneHAReady';
// Control plane machines come and go without an event here: look at them regularly. This costs
// the platform nothing while they match the members recorded in status (LOAD_BALANCER_RECHECK_MS).
const MEMBER_RECHECK_MS = 10_000;

/** Finds the cloud of the cluster's credential; a Secret problem is shown (and announced) when `announce`. */
const connect = (announce: boolean) =>
  connectStep<ClusterRun, CloudLookup>({
    announce,
    lookup: ({ ctx, connections }) => cloudForCluster(ctx, connections, ctx.object),
    connected(run, lookup) {
      run.cloud = lookup.cloud;
      run.plainHttp = lookup.plainHttp;
    },
  });

const resolveNetwork: Step<ClusterRun> = {
  name: 'ResolveNetwork',
  async run(run) {
    const { ctx } = run;
    const network = await resolveClusterNetwork(run.cloud, ctx.object.spec);
    ctx.setCondition(trueCondition(CREDENTIALS_READY_CONDITION, 'Authenticated'));
    ctx.setCondition(secureConnectionCondition(run.plainHttp === true));
    if (!network.ok) {
      ctx.setCondition(falseCondition(NETWORK_READY, network.reason, network.message, 'Error'));
      ctx.events.warning(network.reason, network.message);
      return requeue(30_000, network.message);
    }
    ctx.setCondition(trueCondition(NETWORK_READY, 'Resolved', `VPC ${network.network.vpc.name}`));
    run.network = network.network;
    return done();
  },
};

const ensureEncryption: Step<ClusterRun> = {
  name: 'EnsureEncryptionSecret',
  async run({ ctx }) {
    await ensureEncryptionSecret(ctx, ctx.object, ctx.cluster.metadata.name);
    return done();
  },
};

const ensureServerGroup: Step<ClusterRun> = {
  name: 'EnsureServerGroup',
  async run({ ctx, cloud, listingLagMs }) {
    const ha = ctx.object.spec.controlPlaneHA;
    if (!ha?.enabled) return done();
    const name = serverGroupName(namespaceOf(ctx), ctx.cluster.metadata.name);
    // Asked for once per listing lag, like the ELB's parts: a lost answer never makes a second group.
    const asked = await foundOrCreatedOnce(
      ctx,
      { key: 'serverGroup', what: `server group ${name}`, listingLagMs },
      (await cloud.listServerGroups()).find((g) => g.name === name),
      () => cloud.createServerGroup(name, ha.policy),
    );
    if (!asked.ready) return asked.wait;
    const group = asked.thing;
    ctx.status.controlPlaneHA = {
      id: group.id,
      name: group.name,
      policy: group.policies[0] ?? ha.policy,
      members: group.members.map((serverID) => ({ serverID })),
    };
    ctx.setCondition(await serverGroupMembership(ctx, name, ha.policy, group.members));
    return done();
  },
};

/**
 * Control plane HA holds once every control plane server is in the group (HCS places a server in its
 * group when it is created with the group as a scheduler hint), not merely once the group exists.
 * The cluster's recheck looks again as control plane machines come and go.
 */
async function serverGroupMembership(
  ctx: ClusterCtx,
  name: string,
  policy: string,
  members: readonly string[],
) {
  const machines = await controlPlaneMachines<HCSMachineObject>(
    ctx.kube,
    { apiVersion: HCS_API_VERSION, kind: 'HCSMachine' },
    { namespace: namespaceOf(ctx), cluster: ctx.cluster.metadata.name },
  );
  const servers = machines.flatMap((m) =>
    m.status?.serverId ? [{ machine: m.metadata.name, serverId: m.status.serverId }] : [],
  );
  if (servers.length === 0)
    return falseCondition(
      HA_READY,
      'WaitingForControlPlaneServers',
      `server group ${name} (${policy}) exists; no control plane server has been created in it yet`,
      'Info',
    );
  const outside = servers.filter((s) => !members.includes(s.serverId));
  if (outside.length > 0)
    return falseCondition(
      HA_READY,
      'WaitingForMembers',
      `${outside.map((s) => `${s.machine} (server ${s.serverId})`).join(', ')} not in server group ${name} (${policy}) yet; ${servers.length - outside.length} of ${servers.length} control plane servers are`,
      'Warning',
    );
  return trueCondition(
    HA_READY,
    'ServerGroupReady',
    `all ${servers.length} control plane servers in server group ${name} (${policy})`,
  );
}

// Availability zones are the cluster's failure domains: the control plane provider spreads over them.
const listFailureDomains: Step<ClusterRun> = {
  name: 'ListFailureDomains',
  async run(run) {
    run.zones = await run.cloud.listAvailabilityZones();
    return done();
  },
};

/**
 * An HCS failure shown on the condition of the part it stopped too (a refused key on
 * CredentialsReady); the host sets Ready, announces it and backs off.
 */
function showOnPartCondition(run: ClusterRun, error: unknown, step: string): void {
  const network = step === resolveNetwork.name;
  const refused = network && failureKind(error) === 'LoginRefused';
  const type = refused ? CREDENTIALS_READY_CONDITION : network ? NETWORK_READY : LOAD_BALANCER_READY;
  const reason = refused ? 'AuthenticationFailed' : hcsFailureReason(error);
  run.ctx.setCondition(
    falseCondition(type, reason, describeHcsFailure(error), refused ? 'Error' : 'Warning'),
  );
}

const sharedSteps = (finalizer: string) =>
  infraClusterSteps<ClusterRun>({
    finalizer,
    apiVersion: HCS_API_VERSION,
    clusterKind: 'HCSCluster',
    machineKind: 'HCSMachine',
    secretNameOf: (cluster) => (cluster as Partial<HCSClusterObject>).spec?.identityRef?.name,
  });

const reconcileSteps = (finalizer: string) =>
  reportingFailures(
    [
      connect(true),
      // Before any server exists, so deleting the namespace cannot take the identity from under them.
      sharedSteps(finalizer).holdCredential,
      resolveNetwork,
      ensureEncryption,
      ensureServerGroup,
      ensureLoadBalancer,
      syncLoadBalancerMembers,
      listFailureDomains,
    ],
    showOnPartCondition,
  );

const deleteServerGroup: Step<ClusterRun> = {
  name: 'DeleteServerGroup',
  async run({ ctx, cloud, listingLagMs }) {
    const name = serverGroupName(namespaceOf(ctx), clusterNameOf(ctx.object, ctx.cluster));
    const groups = (await cloud.listServerGroups()).filter((g) => g.name === name);
    // A group asked for a moment ago may not be listed yet: left now, it would be an orphan.
    if (groups.length === 0 && mayBeUnlisted(ctx, 'serverGroup', listingLagMs))
      return requeue(1_000, `server group ${name} was asked for recently and is not listed yet`);
    for (const group of groups) {
      if (group.members.length > 0) return requeue(5_000, `server group ${name} still has servers`);
      await tolerating(cloud.deleteServerGroup(group.id), 'NotFound');
    }
    delete ctx.status.controlPlaneHA;
    return done();
  },
};

/** A cluster deleted and made again under the same name starts with nothing trusted. */
const forgetLoadBalancerChecks: Step<ClusterRun> = {
  name: 'ForgetLoadBalancerChecks',
  async run({ ctx, loadBalancerChecks }) {
    loadBalancerChecks.forgetUnder(ctx.object.metadata.uid ?? ctx.object.metadata.name);
    return done();
  },
};

// The machines go first (a deleted namespace takes the cluster with them): the ELB, the server
// group and the identity Secret must outlive every server and member.
const deleteSteps = (finalizer: string) => [
  forgetLoadBalancerChecks,
  sharedSteps(finalizer).waitForMachines,
  ...reportingFailures([connect(false), deleteLoadBalancer, deleteServerGroup], showOnPartCondition),
  sharedSteps(finalizer).releaseCredential,
];

/** What the steps share before the first runs; Connect finds the cloud. */
const clusterRun = (
  ctx: Ctx,
  connections: HcsConnections,
  listingLagMs: number,
  loadBalancerChecks: LoadBalancerChecks,
): ClusterRun => ({
  ctx,
  connections,
  cloud: notConnected,
  zones: [],
  listingLagMs,
  loadBalancerChecks,
});

export function hcsClusterHooks(
  connections: HcsConnections,
  /** The finalizer that keeps the identity Secret while a cluster uses it (`credentialFinalizerName`). */
  credentialFinalizer: string,
  listingLagMs = LISTING_LAG_MS,
  loadBalancerChecks = newLoadBalancerChecks(),
): InfraClusterHooks<typeof HCSCluster> {
  return clusterStepHooks({
    kind: HCSCluster,
    newRun: (ctx) => clusterRun(ctx, connections, listingLagMs, loadBalancerChecks),
    reconcile: reconcileSteps(credentialFinalizer),
    provisioned(run) {
      // In status as the v1beta2 contract has them (a list); the host's failureDomains would be the v1beta1 map.
      run.ctx.status.failureDomains = run.zones.map((name) => ({ name, controlPlane: true }));
      return clusterProvisioned({
        controlPlaneEndpoint: run.ctx.object.spec.controlPlaneEndpoint ?? {
          host: run.endpointHost ?? '',
          port: API_SERVER_PORT,
        },
        recheckAfterMs: MEMBER_RECHECK_MS,
      });
    },
    delete: deleteSteps(credentialFinalizer),
  });
}
