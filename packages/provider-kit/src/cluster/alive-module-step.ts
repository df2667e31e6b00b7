import type { ConditionInput, KubeClient, ObjectMeta, Step } from '@immutable-infra/core';
import { done } from '@immutable-infra/core';
import {
  type AliveModuleOutcome,
  reconcileAliveModule,
  SELF_BUILT_VIP_READY,
  type SelfBuiltLoadBalancer,
} from './alive-module.js';
import { reconciledClusterName } from './cluster-steps.js';

/** What the alive step needs of a cluster reconcile's run. */
export interface AliveModuleRun {
  ctx: {
    kube: KubeClient;
    object: { metadata: ObjectMeta };
    cluster?: { metadata?: { name?: string } } | undefined;
    setCondition(condition: ConditionInput): void;
  };
  /** How soon the cluster wants to be looked at again without an event; the step only lowers it. */
  recheckAfterMs?: number | undefined;
}

export interface AliveModuleStepOptions<Run> {
  /** The step's name in the plan; `SelfBuiltLoadBalancer` by default. */
  name?: string | undefined;
  /** The cluster's self-built load balancer, or undefined when it has none (the step is skipped). */
  balancer(run: Run): SelfBuiltLoadBalancer | undefined;
  /** The provider's alive version override (e.g. `DCS_PLUGIN_ALIVE_VERSION`). */
  versionOverride?(run: Run): string | undefined;
  /** The condition reported on, as the provider's documentation names it; SelfBuiltVIPReady by default. */
  conditionType?: string | undefined;
  /**
   * The provider's own check before alive (e.g. a machine slot holding the VIP's address): an
   * outcome returned is reported instead, and alive is not asked for.
   */
  precheck?(run: Run, balancer: SelfBuiltLoadBalancer): Promise<AliveModuleOutcome | undefined>;
}

/**
 * The cluster step of a self-built VIP (`controlPlaneLoadBalancer.type: internal`): the platform's
 * alive ModuleInfo ({@link reconcileAliveModule}) once the control plane nodes registered. alive
 * needs the nodes and the nodes need the cluster ready, so the step only reports on its condition
 * and lowers `run.recheckAfterMs`: it never holds up the steps after it or the cluster's readiness.
 */
export function aliveModuleStep<Run extends AliveModuleRun>(options: AliveModuleStepOptions<Run>): Step<Run> {
  return {
    name: options.name ?? 'SelfBuiltLoadBalancer',
    when: (run) => options.balancer(run) !== undefined,
    async run(run) {
      const { ctx } = run;
      const balancer = options.balancer(run) as SelfBuiltLoadBalancer;
      const outcome =
        (await options.precheck?.(run, balancer)) ??
        (await reconcileAliveModule({
          kube: ctx.kube,
          namespace: ctx.object.metadata.namespace ?? 'default',
          cluster: reconciledClusterName(ctx),
          balancer,
          versionOverride: options.versionOverride?.(run),
          conditionType: options.conditionType ?? SELF_BUILT_VIP_READY,
        }));
      ctx.setCondition(outcome.condition);
      run.recheckAfterMs = Math.min(run.recheckAfterMs ?? Number.POSITIVE_INFINITY, outcome.recheckAfterMs);
      return done();
    },
  };
}
