import type { Step } from '@immutable-infra/core';

/**
 * The same steps (names and `when` kept), each calling `report` with the error it throws before
 * the error goes on to the host. For a provider that shows a failure on a condition of its own,
 * the part that failed (`MachineReady`, `LoadBalancerReady`), besides the host's Ready and back-off.
 */
export function reportingFailures<Run>(
  steps: readonly Step<Run>[],
  report: (run: Run, error: unknown, step: string) => void,
): Step<Run>[] {
  return steps.map((step) => ({
    ...step,
    async run(run) {
      try {
        return await step.run(run);
      } catch (error) {
        report(run, error, step.name);
        throw error;
      }
    },
  }));
}
