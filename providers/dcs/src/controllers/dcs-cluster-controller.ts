import {
  clusterProvisioned,
  done,
  type InfraClusterContext,
  type InfraClusterHooks,
  requeue,
  type Step,
} from '@immutable-infra/core';
import {
  aliveModuleStep,
  clusterStepHooks,
  connectStep,
  followTaskStep,
  infraClusterSteps,
  logInStep,
  type ProviderSettings,
  RecordedFactChecks,
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
import { type CloudLookup, cloudForCluster } from './cloud-for-cluster.js';
import { HA_RECHECK_MS, reconcileControlPlaneHA } from './control-plane-ha.js';

type Ctx = InfraClusterContext<typeof DCSCluster>;

const RULE_POLL_MS = 1_000;

/**
 * A self-built VIP (`controlPlaneLoadBalancer.type: internal`) in two halves, as documented: the first
 * control plane node's Ignition holds the VIP (dcs-bootstrap-vip.service, see guest-files.ts), then
 * the `alive` ModuleInfo (the provider kit's aliveModuleStep) moves it between control plane nodes
 * with keepalived (`vrid`, `interface`), reported on SelfBuiltVIPReady only.
 */
const selfBuiltVip = aliveModuleStep<ClusterRun>({
  name: 'SelfBuiltVIP',
  balancer({ ctx }) {
    const balancer = ctx.object.spec.controlPlaneLoadBalancer;
    if (balancer.type !== 'internal' || balancer.vrid === undefined) return undefined;
    return { host: balancer.host, port: balancer.port, vrid: balancer.vrid, interface: balancer.interface };
  },
  versionOverride: (run) => run.aliveVersion,
});

/** What the steps of one cluster reconcile share. */
class ClusterRun {
  /** Set by the Connect step, which runs before every step that calls DCS. */
  cloud!: DcsCloud;
  site: string | undefined;
  /** The credential's endpoint is http:// (which it may only be with allowPlainHTTP). */
  plainHttp = false;
  /** How soon a step wants the cluster looked at again without an event (the alive ModuleInfo). */
  recheckAfterMs: number | undefined;

  constructor(
    readonly ctx: Ctx,
    readonly sessions: DcsSessionPool,
    /** What this process saw hold on DCS recently (the DRS rule), per cluster. */
    readonly checks: RecordedFactChecks,
    /** The provider's alive version override (`DCS_PLUGIN_ALIVE_VERSION`). */
    readonly aliveVersion?: string | undefined,
  ) {}
}

/** On reconcile, a credential problem is reported on CredentialsReady and as an Event. */
const connect = (announce: boolean) =>
  connectStep<ClusterRun, CloudLookup>({
    announce,
    lookup: ({ ctx, sessions }) => cloudForCluster(ctx, sessions, ctx.object),
    connected(run, lookup) {
      run.cloud = lookup.cloud;
      run.site = lookup.site;
      run.plainHttp = isPlainHttpEndpoint(lookup.endpoint);
    },
  });

const sharedSteps = (finalizer: string) =>
  infraClusterSteps<ClusterRun>({
    finalizer,
    apiVersion: DCS_API_VERSION,
    clusterKind: 'DCSCluster',
    machineKind: 'DCSMachine',
    secretNameOf: (cluster) => (cluster as Partial<DCSClusterObject>).spec?.credentialSecretRef?.name,
  });

const reconcileSteps = (finalizer: string): Step<ClusterRun>[] => [
  connect(true),
  // Before any VM exists, so deleting the namespace cannot take the credential from under them.
  sharedSteps(finalizer).holdCredential,
  logInStep<ClusterRun>({
    async logIn({ ctx, cloud, site, plainHttp }) {
      ctx.setCondition(secureConnectionCondition(plainHttp));
      await cloud.resolveSite(site);
    },
    describe: describeDcsFailure,
  }),
  {
    name: 'ControlPlaneHA',
    async run({ ctx, cloud, checks }) {
      await reconcileControlPlaneHA(ctx, cloud, checks);
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
  { ...connect(false), when: hasRule },
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

/**
 * The DCSCluster's hooks. `settings` are the provider's: the finalizer that keeps the credential
 * Secret while a cluster uses it, and the alive version to deploy instead of the platform's choice
 * (`DCS_PLUGIN_ALIVE_VERSION`).
 */
export function dcsClusterHooks(
  sessions: DcsSessionPool,
  settings: Pick<ProviderSettings, 'credentialFinalizer' | 'aliveVersion'>,
): InfraClusterHooks<typeof DCSCluster> {
  const { credentialFinalizer, aliveVersion } = settings;
  const checks = new RecordedFactChecks();
  return clusterStepHooks({
    kind: DCSCluster,
    newRun: (ctx) => new ClusterRun(ctx, sessions, checks, aliveVersion),
    reconcile: reconcileSteps(credentialFinalizer),
    provisioned(run) {
      const { ctx } = run;
      const lb = ctx.object.spec.controlPlaneLoadBalancer;
      // Control plane machines come and go, and the platform rolls alive out, without touching
      // this object: look again regularly.
      const recheck = Math.min(
        ctx.object.spec.controlPlaneHA?.enabled ? HA_RECHECK_MS : Number.POSITIVE_INFINITY,
        run.recheckAfterMs ?? Number.POSITIVE_INFINITY,
      );
      return clusterProvisioned({
        controlPlaneEndpoint: ctx.object.spec.controlPlaneEndpoint ?? { host: lb.host, port: lb.port },
        ...(Number.isFinite(recheck) ? { recheckAfterMs: recheck } : {}),
      });
    },
    delete: deleteSteps(credentialFinalizer),
  });
}
