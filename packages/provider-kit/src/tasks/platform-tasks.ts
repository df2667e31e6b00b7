import type { Step, StepResult } from '@immutable-infra/core';
import { followTaskStep, startTask, type TaskFollowing } from './follow-task.js';

/** The two halves of one task reference in status: the step that follows it, and what starts one. */
export interface PlatformTasks<Context> {
  /** The step that follows the task recorded in status (see {@link followTaskStep}). */
  follow: Step<Context>;
  /**
   * Starts a task and records its reference in the same breath (see {@link startTask}); `start`
   * answers the platform's reference of the task (a DCS task URI, a vSphere task moref).
   */
  start(context: Context, what: string, start: () => Promise<string>): Promise<StepResult>;
}

/**
 * Following and starting tasks under one reference field, noun and poll interval, written once: a
 * machine starts its clone, power-on, attach and delete tasks with `start` and lets `follow` (its
 * first step) wait for each, so a crash at any point finds the task in status instead of starting
 * another.
 */
export function platformTasks<Context, Task>(
  following: TaskFollowing<Context, Task>,
): PlatformTasks<Context> {
  const options = { taskNoun: following.taskNoun, pollAfterMs: following.pollAfterMs };
  return {
    follow: followTaskStep(following),
    start: (context, what, start) => startTask(context, following.reference, start, { ...options, what }),
  };
}
