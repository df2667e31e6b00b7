import type { ObjectReference } from './context.js';
import type { PlatformFailure, PlatformFailureKind } from './platform-failure.js';

/**
 * What a requeued step waits on, so the host's Ready condition can name it: a Kubernetes object
 * (a pool, a secret, another machine) or a task running on the platform.
 */
export type WaitingOn =
  | { object: ObjectReference }
  | {
      /** The platform's task id or URN, e.g. `urn:sites:1:tasks:17`. */
      task: string;
      /** Who runs the task, e.g. `DCS`; "platform" when omitted. */
      platform?: string;
      /** What the task does, e.g. `clone VM m1`. */
      name?: string;
      /** Percent done, when the platform reports it. */
      progress?: number;
    };

/**
 * What a hook (or one step of it) tells the host. A hook never waits on a long
 * platform operation: it records the platform's task id in status and returns
 * `requeue`, and the next reconcile picks the task up.
 */
export type StepResult =
  /**
   * Finished; `recheckAfterMs` asks to look again later even without an event (e.g. to refresh
   * platform state); `finishEarly` says the steps after this one have nothing to do (see `finishEarly`).
   */
  | { type: 'done'; recheckAfterMs?: number; finishEarly?: true }
  | {
      type: 'requeue';
      afterMs: number;
      reason: string;
      waitingOn?: WaitingOn;
      /**
       * The reference of a platform task a step before this one started and this one follows (the
       * provider kit's `followTaskStep` sets it). While the Ready condition names that reference,
       * the host keeps its reason, the step that started the task and so says what the task does,
       * and takes only this step's newer words about the task (a percentage) into the message: a
       * task followed to its end writes no status of its own.
       */
      follows?: string;
    }
  /** A problem no retry can fix (bad input, missing template); shown as the failure reason. */
  | { type: 'failed'; reason: string; message: string }
  /**
   * A classified platform failure, the same as throwing a `PlatformFailure` from a step: the host
   * retries with a per-object exponential back-off instead of the step's own requeue interval.
   */
  | { type: 'platformFailure'; kind: PlatformFailureKind; message: string; retryAfter?: Date };

export const done = (options: { recheckAfterMs?: number } = {}): StepResult => ({ type: 'done', ...options });

/**
 * Done, and the rest of the plan has nothing to do: the steps after this one are skipped and the
 * plan finishes. For a decision that ends the work, such as a delete that keeps the VM.
 */
export const finishEarly = (): StepResult => ({ type: 'done', finishEarly: true });

export const requeue = (afterMs: number, reason: string, waitingOn?: WaitingOn): StepResult => ({
  type: 'requeue',
  afterMs,
  reason,
  ...(waitingOn ? { waitingOn } : {}),
});

export const failed = (reason: string, message: string): StepResult => ({ type: 'failed', reason, message });

/** The result form of a thrown `PlatformFailure`, for a step that catches its client's error itself. */
export const platformFailed = (failure: PlatformFailure): StepResult => ({
  type: 'platformFailure',
  kind: failure.kind,
  message: failure.message,
  ...(failure.details.retryAfter ? { retryAfter: failure.details.retryAfter } : {}),
});

/** The words for a `WaitingOn`, e.g. `DCS task urn:...:task-17 at 40 %` or `IPAddressClaim ns/m1-ip`. */
export function describeWaitingOn(waitingOn: WaitingOn): string {
  if ('object' in waitingOn) {
    const { kind, name, namespace } = waitingOn.object;
    return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
  }
  const task = waitingOn.name ? `${waitingOn.name} (${waitingOn.task})` : waitingOn.task;
  const progress = waitingOn.progress === undefined ? '' : ` at ${waitingOn.progress} %`;
  return `${waitingOn.platform ?? 'platform'} task ${task}${progress}`;
}

/** One named step of a reconcile. Steps run in order; the first that is not `done` ends the run. */
export interface Step<Context> {
  /** CamelCase, e.g. `CloneVM`: the host uses it as the Ready condition's reason while the step waits. */
  name: string;
  /** When given and false, the step is skipped (it counts as done): e.g. "only while there is no server". */
  when?(context: Context): boolean;
  run(context: Context): Promise<StepResult>;
}

/** A step's result, or `done()` without running it when its `when` says it does not apply. */
export function runStep<Context>(step: Step<Context>, context: Context): Promise<StepResult> {
  return step.when && !step.when(context) ? Promise.resolve(done()) : step.run(context);
}

/**
 * Runs steps in order (skipping those whose `when` is false, and the rest after a `finishEarly`)
 * and reports which one stopped the run. Errors thrown propagate to the host's backoff. */
export async function runSteps<Context>(
  context: Context,
  steps: readonly Step<Context>[],
): Promise<StepResult & { step?: string }> {
  for (const step of steps) {
    const result = await runStep(step, context);
    if (result.type !== 'done') return { ...result, step: step.name };
    if (result.finishEarly) break;
  }
  return done();
}
