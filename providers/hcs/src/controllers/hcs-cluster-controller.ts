import {
  type ClusterProvisioned,
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
  runSteps,
  type Step,
  type StepResult,
  trueCondition,
} from '@immutable-infra/core';
import { failureKind, tolerating } from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import { HCSCluster } from '../api/hcs-cluster.js';
import type { HCSMachineObject } from '../api/hcs-machine.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import { describeHcsFailure, hcsFailureReason } from '../cloud/hcs-failures.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { type ClusterNetwork, resolveClusterNetwork } from './cluster-network.js';
import {
  API_SERVER_PORT,
  ensureLoadBalancer,
  type LoadBalancerProgress,
  removeLoadBalancer,
  syncMembers,
  type WantedMember,
} from './control-plane-load-balancer.js';
import { ensureEncryptionSecret } from './encryption-provider.js';
import { serverGroupName } from './names.js';

type Ctx = InfraClusterContext<typeof HCSCluster>;

/** What the steps of one reconcile share. */
interface ClusterRun {
  ctx: Ctx;
  cloud: HcsCloud;
  network?: ClusterNetwork;
  loadBalancer?: Extract<LoadBalancerProgress, { state: 'ready' }>;
  /** The condition an HCS failure of the current step is shown on. */
  failureCondition: string;
}

const CREDENTIALS_READY = 'CredentialsReady';
const NETWORK_READY = 'NetworkReady';
const LOAD_BALANCER_READY = 'LoadBalancerReady';
const HA_READY = 'ControlPlaneHAReady';
// A Secret that cannot be read stays so until someone edits it: asking again soon only adds failures.
const CREDENTIAL_RETRY_MS = 60_000;
// Control plane machines come and go without an event here: look at the members regularly.
const MEMBER_RECHECK_MS = 10_000;

const namespaceOf = (ctx: Ctx) => ctx.object.metadata.namespace ?? 'default';

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

const resolveNetwork: Step<ClusterRun> = {
  name: 'ResolveNetwork',
  async run(run) {
    const { ctx } = run;
    run.failureCondition = NETWORK_READY;
    const network = await resolveClusterNetwork(run.cloud, ctx.object.spec);
    ctx.setCondition(trueCondition(CREDENTIALS_READY, 'Authenticated'));
    if (!network.ok) {
      ctx.setCondition(falseCondition(NETWORK_READY, network.reason, network.message, 'Error'));
      ctx.events.warning(network.reason, network.message);
      return requeue(30_000, network.message);
    }
    ctx.setCondition(trueCondition(NETWORK_READY, 'Resolved', `VPC ${network.network.vpc.name}`));
    run.network = network.network;
    run.failureCondition = LOAD_BALANCER_READY;
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
  async run({ ctx, cloud }) {
    const ha = ctx.object.spec.controlPlaneHA;
    if (!ha?.enabled) return done();
    const name = serverGroupName(namespaceOf(ctx), ctx.cluster.metadata.name);
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
    return done();
  },
};

const ensureElb: Step<ClusterRun> = {
  name: 'EnsureLoadBalancer',
  async run(run) {
    const { ctx } = run;
    const progress = await ensureLoadBalancer(
      run.cloud,
      ctx.object,
      ctx.cluster.metadata.name,
      run.network as ClusterNetwork,
      ctx.status.loadBalancer ?? ctx.object.status?.loadBalancer,
    );
    ctx.status.loadBalancer = progress.status;
    if (progress.state === 'waiting') {
      ctx.setCondition(falseCondition(LOAD_BALANCER_READY, 'Provisioning', progress.message));
      return requeue(1_000, progress.message);
    }
    run.loadBalancer = progress;
    return done();
  },
};

const syncElbMembers: Step<ClusterRun> = {
  name: 'SyncLoadBalancerMembers',
  async run(run) {
    const { ctx } = run;
    const progress = run.loadBalancer as NonNullable<ClusterRun['loadBalancer']>;
    const members = await syncMembers(run.cloud, progress.status.poolId as string, await wantedMembers(ctx));
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
    return done();
  },
};

const RECONCILE_STEPS = [resolveNetwork, ensureEncryption, ensureServerGroup, ensureElb, syncElbMembers];

const deleteElb: Step<ClusterRun> = {
  name: 'DeleteLoadBalancer',
  async run({ ctx, cloud }) {
    const gone = await removeLoadBalancer(
      cloud,
      namespaceOf(ctx),
      ctx.cluster.metadata.name,
      ctx.object.status?.loadBalancer?.id,
    );
    if (!gone) return requeue(1_000, 'removing the control plane ELB');
    delete ctx.status.loadBalancer;
    return done();
  },
};

const deleteServerGroup: Step<ClusterRun> = {
  name: 'DeleteServerGroup',
  async run({ ctx, cloud }) {
    const name = serverGroupName(namespaceOf(ctx), ctx.cluster.metadata.name);
    for (const group of (await cloud.listServerGroups()).filter((g) => g.name === name)) {
      if (group.members.length > 0) return requeue(5_000, `server group ${name} still has servers`);
      await tolerating(cloud.deleteServerGroup(group.id), 'NotFound');
    }
    delete ctx.status.controlPlaneHA;
    return done();
  },
};

const DELETE_STEPS = [deleteElb, deleteServerGroup];

/**
 * Runs the steps with the cluster's cloud, then `finish`. An HCS failure is shown on the condition
 * of the part it stopped (a refused key on CredentialsReady), announced as an Event while
 * reconciling, and passed to the host's back-off as a core PlatformFailure.
 */
async function withCloud(
  ctx: Ctx,
  connections: HcsConnections,
  steps: readonly Step<ClusterRun>[],
  finish?: (run: ClusterRun) => Promise<ClusterProvisioned>,
): Promise<ClusterProvisioned | StepResult> {
  const announce = finish !== undefined;
  const lookup = await cloudForCluster(ctx, connections, ctx.object);
  if (!lookup.ok) {
    if (announce) {
      ctx.setCondition(falseCondition(CREDENTIALS_READY, lookup.reason, lookup.message, 'Error'));
      ctx.events.warning(lookup.reason, lookup.message);
    }
    return requeue(CREDENTIAL_RETRY_MS, lookup.message);
  }
  const run: ClusterRun = { ctx, cloud: lookup.cloud, failureCondition: LOAD_BALANCER_READY };
  try {
    const result = await runSteps(run, steps);
    return result.type === 'done' && finish ? await finish(run) : result;
  } catch (error) {
    const message = describeHcsFailure(error);
    const refused = run.failureCondition === NETWORK_READY && failureKind(error) === 'LoginRefused';
    const reason = refused ? 'AuthenticationFailed' : hcsFailureReason(error);
    const type = refused ? CREDENTIALS_READY : run.failureCondition;
    ctx.setCondition(falseCondition(type, reason, message, refused ? 'Error' : 'Warning'));
    if (announce) ctx.events.warning(reason, message);
    throw error;
  }
}

export function hcsClusterHooks(connections: HcsConnections): InfraClusterHooks<typeof HCSCluster> {
  return {
    kind: HCSCluster,
    reconcile: (ctx) =>
      withCloud(ctx, connections, RECONCILE_STEPS, async (run) => {
        const endpointHost = run.loadBalancer?.endpointHost ?? '';
        // Availability zones are the cluster's failure domains: the control plane provider spreads over them.
        const zones = await run.cloud.listAvailabilityZones();
        return clusterProvisioned({
          controlPlaneEndpoint: ctx.object.spec.controlPlaneEndpoint ?? {
            host: endpointHost,
            port: API_SERVER_PORT,
          },
          failureDomains: Object.fromEntries(zones.map((zone) => [zone, { controlPlane: true }])),
          recheckAfterMs: MEMBER_RECHECK_MS,
        });
      }),
    delete: (ctx) => withCloud(ctx, connections, DELETE_STEPS) as Promise<StepResult>,
  };
}
