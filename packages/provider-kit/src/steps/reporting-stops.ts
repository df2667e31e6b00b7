import type { Step, StepResult } from '@immutable-infra/core';

/**
 * The same steps (names and `when` kept), each calling `report` whenever it stops the plan: it
 * waits (any result but `done`) or throws. For a provider that mirrors the object's state onto a
 * record of its own (CAPV's VSphereVM, say), so the record shows why the reconcile stopped. A
 * `report` that fails after the step threw is ignored: the step's error is the one the host shows.
 */
export function reportingStops<Run>(
  steps: readonly Step<Run>[],
  report: (run: Run) => Promise<void>,
): Step<Run>[] {
  return steps.map((step) => ({
    ...step,
    async run(run) {
      let result: StepResult;
      try {
        result = await step.run(run);
      } catch (error) {
        await report(run).catch(() => undefined);
        throw error;
      }
      if (result.type !== 'done') await report(run);
      return result;
    },
  }));
}
