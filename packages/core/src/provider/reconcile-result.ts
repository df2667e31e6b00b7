/**
 * What a hook (or one step of it) tells the host. A hook never waits on a long
 * platform operation: it records the platform's task id in status and returns
 * `requeue`, and the next reconcile picks the task up.
 */
export type StepResult =
  /** Finished; `recheckAfterMs` asks to look again later even without an event (e.g. to refresh platform state). */
  | { type: 'done'; recheckAfterMs?: number }
  | { type: 'requeue'; afterMs: number; reason: string }
  /** A problem no retry can fix (bad input, missing template); shown as the failure reason. */
  | { type: 'failed'; reason: string; message: string };

export const done = (options: { recheckAfterMs?: number } = {}): StepResult => ({ type: 'done', ...options });

export const requeue = (afterMs: number, reason: string): StepResult => ({
  type: 'requeue',
  afterMs,
  reason,
});

export const failed = (reason: string, message: string): StepResult => ({ type: 'failed', reason, message });

/** One named step of a reconcile. Steps run in order; the first that is not `done` ends the run. */
export interface Step<Context> {
  name: string;
  run(context: Context): Promise<StepResult>;
}

/** Runs steps in order and reports which one stopped the run. Errors thrown propagate to the host's backoff. */
export async function runSteps<Context>(
  context: Context,
  steps: readonly Step<Context>[],
): Promise<StepResult & { step?: string }> {
  for (const step of steps) {
    const result = await step.run(context);
    if (result.type !== 'done') return { ...result, step: step.name };
  }
  return done();
}
