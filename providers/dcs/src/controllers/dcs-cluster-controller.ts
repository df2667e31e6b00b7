import {
  clusterProvisioned,
  done,
  falseCondition,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
  type Step,
  stepPlan,
  trueCondition,
} from '@immutable-infra/core';
import {
  followTaskStep,
  infraClusterSteps,
  secureConnectionCondition,
  taskReferenceAt,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import { isPlainHttpEndpoint } from '../api/credentials.js';
import { DCSCluster, type DCSClusterObject } from '../api/dcs-cluster.js';
import { describeDcsFailure, isNotFound } from '../cloud/dcs-api-error.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import { urnToUri } from '../cloud/dcs-ids.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import { dcsTaskState } from '../cloud/dcs-types.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { reconcileControlPlaneHA } from './control-plane-ha.js';

type Ctx = InfraClusterContext<typeof DCSCluster>;

const CREDENTIALS_READY = 'CredentialsReady';
// A wrong key stays wrong until someone edits the Secret; asking again soon only risks a lock.
const CREDENTIAL_RETRY_MS = 60_000;
const HA_RECHECK_MS = 15_000;
const RULE_POLL_MS = 1_000;

const SELF_BUILT_VIP = 'SelfBuiltVIPReady';

/**
 * A self-built VIP (`controlPlaneLoadBalancer.type: internal`) in two halves, as documented: the first
 * control plane node's Ignition holds the VIP (dcs-bootstrap-vip.service, see guest-files.ts), then
 * the `alive` ModuleInfo moves it between control plane nodes with keepalived (`vrid`, `interface`).
 * This provider does only the first half; the condition says so, naming the fields left unused, so
 * nobody takes a VIP that cannot fail over for a highly available one.
 */
const selfBuiltVip: Step<ClusterRun> = {
  name: 'SelfBuiltVIP',
  async run({ ctx }) {
    const balancer = ctx.object.spec.controlPlaneLoadBalancer;
    if (balancer.type !== 'internal') return done();
    ctx.setCondition(
      falseCondition(
        SELF_BUILT_VIP,
        'AliveModuleNotManaged',
        `controlPlaneLoadBalancer.type internal: the first control plane node holds ${balancer.host} (dcs-bootstrap-vip.service), but this provider does not create the alive ModuleInfo, so controlPlaneLoadBalancer.vrid ${balancer.vrid ?? ''} is not used and the VIP does not fail over to another control plane node; install alive on the workload cluster, or use type external`,
        'Warning',
      ),
    );
    return done();
  },
};

/** What the steps of one cluster reconcile share. */
class ClusterRun {
  /** Set by the Connect step, which runs before every step that calls DCS. */
  cloud!: DcsCloud;
  site: string | undefined;
  /** The credential's endpoint is http:// (which it may only be with allowPlainHTTP). */
  plainHttp = false;

  constructor(
    readonly ctx: Ctx,
    readonly sessions: DcsSessionPool,
    /** On reconcile, a credential problem is reported on CredentialsReady and as an Event. */
    readonly reportsCredentials: boolean,
  ) {}
}

const connect: Step<ClusterRun> = {
  name: 'Connect',
  async run(run) {
    const { ctx } = run;
    const lookup = await cloudForCluster(ctx, run.sessions, ctx.object);
    if (!lookup.ok) {
      if (run.reportsCredentials) {
        ctx.setCondition(falseCondition(CREDENTIALS_READY, lookup.reason, lookup.message, 'Error'));
        ctx.events.warning(lookup.reason, lookup.message);
      }
      return requeue(CREDENTIAL_RETRY_MS, lookup.message);
    }
    run.cloud = lookup.cloud;
    run.site = lookup.site;
    run.plainHttp = isPlainHttpEndpoint(lookup.endpoint);
    return done();
  },
};

const sharedSteps = (finalizer: string) =>
  infraClusterSteps<ClusterRun>({
    finalizer,
    apiVersion: DCS_API_VERSION,
    clusterKind: 'DCSCluster',
    machineKind: 'DCSMachine',
    secretNameOf: (cluster) => (cluster as Partial<DCSClusterObject>).spec?.credentialSecretRef?.name,
  });

const reconcileSteps = (finalizer: string): Step<ClusterRun>[] => [
  connect,
  // Before any VM exists, so deleting the namespace cannot take the credential from under them.
  sharedSteps(finalizer).holdCredential,
  {
    name: 'LogIn',
    async run({ ctx, cloud, site, plainHttp }) {
      ctx.setCondition(secureConnectionCondition(plainHttp));
      try {
        await cloud.resolveSite(site);
      } catch (error) {
        const failure = describeDcsFailure(error);
        ctx.setCondition(falseCondition(CREDENTIALS_READY, 'LoginFailed', failure, 'Error'));
        ctx.events.warning('LoginFailed', failure);
        return requeue(CREDENTIAL_RETRY_MS, failure);
      }
      ctx.setCondition(trueCondition(CREDENTIALS_READY, 'LoggedIn'));
      return done();
    },
  },
  {
    name: 'ControlPlaneHA',
    async run({ ctx, cloud }) {
      await reconcileControlPlaneHA(ctx, cloud);
      return done();
    },
  },
  selfBuiltVip,
];

/** The DRS rule recorded in status; the task that removes it is kept there too. */
const recordedRule = (run: ClusterRun) => run.ctx.status.controlPlaneHA as Record<string, unknown>;

const hasRule = ({ ctx }: ClusterRun) =>
  Boolean(ctx.status.controlPlaneHA?.ruleName && ctx.status.controlPlaneHA.clusterUrn);

// The machines go first (the namespace's deletion takes the cluster with them); the rule must be
// gone from DCS, not just asked to go, before the credential and the finalizer are released.
const deleteSteps = (finalizer: string): Step<ClusterRun>[] => [
  sharedSteps(finalizer).waitForMachines,
  { ...connect, when: hasRule },
  {
    ...followTaskStep({
      name: 'FollowRuleTask',
      taskNoun: 'DCS task',
      reference: taskReferenceAt(recordedRule, 'taskUri'),
      read: (run, uri) => run.cloud.getTask(uri),
      interpret(task) {
        const state = dcsTaskState(task);
        // A removal that failed is seen in the next step: the rule is still there and asked to go again.
        return state.state === 'failed' ? { state: 'succeeded' } : state;
      },
      isNotFound,
      pollAfterMs: RULE_POLL_MS,
    }),
    when: hasRule,
  },
  {
    name: 'DeleteDRSRule',
    when: hasRule,
    async run({ ctx, cloud }) {
      const recorded = ctx.status.controlPlaneHA as {
        ruleName: string;
        clusterUrn: string;
        taskUri?: string;
      };
      const clusterUri = urnToUri(recorded.clusterUrn);
      const rules = (await cloud.getCluster(clusterUri)).drsSetting?.drsRules ?? [];
      if (!rules.some((rule) => rule.ruleName === recorded.ruleName)) {
        delete ctx.status.controlPlaneHA;
        return done();
      }
      const deletion = await cloud.deleteRule(clusterUri, recorded.ruleName);
      if (deletion.taskUri) recorded.taskUri = deletion.taskUri;
      return requeue(RULE_POLL_MS, 'removing the control plane DRS rule');
    },
  },
  sharedSteps(finalizer).releaseCredential,
];

export function dcsClusterHooks(
  sessions: DcsSessionPool,
  /** The finalizer that keeps the credential Secret while a cluster uses it (`credentialFinalizerName`). */
  credentialFinalizer: string,
): InfraClusterHooks<typeof DCSCluster> {
  const reconcilePlan = reconcileSteps(credentialFinalizer);
  const deletePlan = deleteSteps(credentialFinalizer);
  return {
    kind: DCSCluster,
    reconcile: async (ctx) =>
      stepPlan(new ClusterRun(ctx, sessions, true), reconcilePlan, () => {
        const lb = ctx.object.spec.controlPlaneLoadBalancer;
        return clusterProvisioned({
          controlPlaneEndpoint: ctx.object.spec.controlPlaneEndpoint ?? { host: lb.host, port: lb.port },
          // Control plane machines come and go without touching this object: look again regularly.
          ...(ctx.object.spec.controlPlaneHA?.enabled ? { recheckAfterMs: HA_RECHECK_MS } : {}),
        });
      }),
    delete: async (ctx) => stepPlan(new ClusterRun(ctx, sessions, false), deletePlan),
  };
}
