import {
  done,
  failed,
  PlatformFailure,
  type PlatformFailureKind,
  requeue,
  type Step,
  type StepResult,
} from '@immutable-infra/core';

/** Where an asynchronous platform task stands, as the provider reads it. */
export type TaskState =
  | { state: 'running' /** 0 to 100, when the platform says. */; progress?: number | undefined }
  | { state: 'succeeded' }
  | {
      state: 'failed';
      /** The platform's words, e.g. `DCS error 10300041: the datastore is full`. */
      message: string;
      platformCode?: string | undefined;
      /** The provider's classification of the task's error (a quota code, say); `PlatformError` by default. */
      kind?: PlatformFailureKind | undefined;
      /** No retry can fix it (a missing template, say): the step reports `failed` instead of throwing. */
      permanent?: boolean | undefined;
      /** The failure reason shown when permanent; `TaskFailed` by default. */
      reason?: string | undefined;
    };

/**
 * The status field that holds the reference of the task under way (a DCS task URI, an HCS job id,
 * a vSphere task moref). It is written into the reconcile's status draft; the host persists it.
 */
export interface TaskReferenceField<Context> {
  read(context: Context): string | undefined;
  write(context: Context, reference: string | undefined): void;
}

/** A {@link TaskReferenceField} at `status[field]` of the object the host's draft holds. */
export function taskReferenceAt<Context>(
  statusOf: (context: Context) => Record<string, unknown>,
  field: string,
): TaskReferenceField<Context> {
  return {
    read: (context) => {
      const value = statusOf(context)[field];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
    write: (context, reference) => {
      const status = statusOf(context);
      // The host writes a field deleted from the draft as removed; null would fail a string schema.
      if (reference === undefined) delete status[field];
      else status[field] = reference;
    },
  };
}

export interface TaskFollowing<Context, Task> {
  /** The step's name, e.g. `wait-for-clone`. */
  name: string;
  /** How the task is named in messages, e.g. `DCS task`, `ECS job`, `vSphere task`. */
  taskNoun: string;
  reference: TaskReferenceField<Context>;
  /** Reads the task by its reference (for a link, through the transport's origin pinning). */
  read(context: Context, reference: string): Promise<Task>;
  interpret(task: Task): TaskState;
  /** Whether reading failed because the platform no longer knows the task: it then counts as finished. */
  isNotFound(error: unknown): boolean;
  /** Runs after success (or a forgotten task), before the reference is cleared: take the new VM's id from the task, say. */
  onFinished?(context: Context, task: Task | undefined): void | Promise<void>;
  /**
   * Called with the failure of a task that failed (and is not permanent), after its reference is
   * cleared: returns what the step answers instead of throwing the failure (`done()` for a delete
   * that goes on), or nothing to throw it. The place to announce the failure as an Event.
   */
  onFailed?(context: Context, failure: PlatformFailure): StepResult | undefined;
  /** How long to wait before looking again; 5 s by default. */
  pollAfterMs?: number | undefined;
}

const DEFAULT_POLL_MS = 5_000;

/**
 * A step that follows the task whose reference is in status, without blocking: `requeue` with
 * "waiting for <noun> <ref> at <n> %" while it runs, `done` (reference cleared) once it succeeded
 * or the platform forgot it, and on failure the reference is cleared and the failure reported: a
 * thrown PlatformFailure (of the task's kind, PlatformError by default; the host backs off) or
 * `failed` when the provider says it is permanent. With no reference in status the step is `done` at once.
 */
export function followTaskStep<Context, Task>(following: TaskFollowing<Context, Task>): Step<Context> {
  const pollAfterMs = following.pollAfterMs ?? DEFAULT_POLL_MS;
  return {
    name: following.name,
    async run(context): Promise<StepResult> {
      const reference = following.reference.read(context);
      if (reference === undefined) return done();
      let task: Task;
      try {
        task = await following.read(context, reference);
      } catch (error) {
        if (!following.isNotFound(error)) throw error;
        await following.onFinished?.(context, undefined);
        following.reference.write(context, undefined);
        return done();
      }
      const state = following.interpret(task);
      switch (state.state) {
        case 'running':
          // The step that started the task has said what it does on Ready: the host keeps that.
          return {
            type: 'requeue',
            afterMs: pollAfterMs,
            reason: waitingMessage(following.taskNoun, reference, state.progress),
            follows: reference,
          };
        case 'succeeded':
          await following.onFinished?.(context, task);
          following.reference.write(context, undefined);
          return done();
        case 'failed': {
          following.reference.write(context, undefined);
          const message = `${following.taskNoun} ${reference} failed: ${state.message}`;
          if (state.permanent) return failed(state.reason ?? 'TaskFailed', message);
          const failure = new PlatformFailure(state.kind ?? 'PlatformError', message, {
            operation: `${following.taskNoun} ${reference}`,
            ...(state.platformCode ? { platformCode: state.platformCode } : {}),
          });
          const instead = following.onFailed?.(context, failure);
          if (instead) return instead;
          throw failure;
        }
      }
    },
  };
}

/**
 * Starts a platform task and records its reference in the status draft in the same breath, so a
 * crash after the platform accepted the call finds the task on the next reconcile instead of
 * starting it again. Returns the `requeue` that hands over to {@link followTaskStep}.
 */
export async function startTask<Context>(
  context: Context,
  reference: TaskReferenceField<Context>,
  start: () => Promise<string>,
  options: { taskNoun: string; what: string; pollAfterMs?: number | undefined },
): Promise<StepResult> {
  const started = await start();
  reference.write(context, started);
  return requeue(
    options.pollAfterMs ?? DEFAULT_POLL_MS,
    `${options.what}: waiting for ${options.taskNoun} ${started}`,
  );
}

export function waitingMessage(taskNoun: string, reference: string, progress: number | undefined): string {
  if (progress === undefined || !Number.isFinite(progress)) return `waiting for ${taskNoun} ${reference}`;
  const percent = Math.min(100, Math.max(0, Math.round(progress)));
  return `waiting for ${taskNoun} ${reference} at ${percent} %`;
}
