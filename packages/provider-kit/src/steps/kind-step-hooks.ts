import { type Step, type StepResult, stepPlan } from '@immutable-infra/core';

/**
 * A provider's named steps of one infrastructure kind, its cluster's or its machine's: what
 * `clusterStepHooks` and `machineStepHooks` turn into the host's hooks.
 */
export interface KindSteps<Kind, Ctx, Run, Provisioned> {
  /** The kind whose hooks these are. */
  kind: Kind;
  /** What the steps of one reconcile or delete share, made afresh for each. */
  newRun(ctx: Ctx): Run;
  /** The reconcile path, in order. */
  reconcile: readonly Step<Run>[];
  /** Once every reconcile step is done: what the kind reports provisioned, or a wait. */
  provisioned(run: Run): Provisioned | StepResult | Promise<Provisioned | StepResult>;
  /** The delete path, in order. */
  delete: readonly Step<Run>[];
}

/**
 * Each reconcile and each delete is a fresh run through the steps (the host names the one that
 * waits, and backs off on a failure), progress living in status and on the platform, so the next
 * run picks up where this one stopped.
 */
export function kindStepHooks<Kind, Ctx, Run, Provisioned>(steps: KindSteps<Kind, Ctx, Run, Provisioned>) {
  return {
    kind: steps.kind,
    reconcile: async (ctx: Ctx) => stepPlan(steps.newRun(ctx), steps.reconcile, steps.provisioned),
    delete: async (ctx: Ctx) => stepPlan(steps.newRun(ctx), steps.delete),
  };
}
