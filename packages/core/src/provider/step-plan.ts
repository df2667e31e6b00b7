import { done, runStep, type Step, type StepResult } from './reconcile-result.js';

/**
 * Named steps the host runs in order for a hook, and what the hook reports once all are done.
 * The host stops at the first step that is not `done`, names it in the Ready condition, and
 * backs off per object when a step fails with a `PlatformFailure`. Build one with `stepPlan`.
 */
export interface StepPlan<Finish> {
  readonly type: 'plan';
  /** The steps, already bound to the value they share. */
  readonly steps: readonly Step<void>[];
  /** Called once every step is `done`: the `provisioned` result of a reconcile, or `done()`. */
  finish(): Promise<Finish>;
}

/**
 * A step plan over `run`, the value the provider builds for one reconcile (its platform client,
 * what the steps find out, such as the VM) and hands to every step and to `finish`.
 * Without `finish` the plan reports `done()`, as a delete or an extra kind's reconcile wants.
 *
 * ```ts
 * return stepPlan({ ctx, cloud, vm: undefined as Vm | undefined }, [findVm, cloneVm, powerOn], (run) =>
 *   machineProvisioned({ providerID: `acme://${run.vm?.id}` }),
 * );
 * ```
 */
export function stepPlan<Run>(run: Run, steps: readonly Step<Run>[]): StepPlan<StepResult>;
export function stepPlan<Run, Finish>(
  run: Run,
  steps: readonly Step<Run>[],
  finish: (run: Run) => Finish | Promise<Finish>,
): StepPlan<Finish>;
export function stepPlan<Run, Finish>(
  run: Run,
  steps: readonly Step<Run>[],
  finish?: (run: Run) => Finish | Promise<Finish>,
): StepPlan<Finish | StepResult> {
  const names = new Set<string>();
  for (const step of steps) {
    // The host tells steps apart by name in conditions and by position in its back-off.
    if (!step.name) throw new Error('every step of a plan needs a name');
    if (names.has(step.name)) throw new Error(`step ${step.name} appears twice in one plan`);
    names.add(step.name);
  }
  // Skipping is decided here, in the provider's copy of core, not by the host: a host built on an
  // older core that does not know `when` or `finishEarly` still runs the plan as meant.
  let finishedEarly = false;
  return {
    type: 'plan',
    steps: steps.map((step) => ({
      name: step.name,
      run: async () => {
        if (finishedEarly) return done();
        const result = await runStep(step, run);
        if (result.type === 'done' && result.finishEarly) finishedEarly = true;
        return result;
      },
    })),
    finish: async () => (finish ? finish(run) : done()),
  };
}

/** True for a plan made by `stepPlan` (of any copy of core: it checks the shape). */
export function isStepPlan(value: unknown): value is StepPlan<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'plan' &&
    Array.isArray((value as { steps?: unknown }).steps) &&
    typeof (value as { finish?: unknown }).finish === 'function'
  );
}
