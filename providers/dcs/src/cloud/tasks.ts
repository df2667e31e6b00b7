import type { TaskState } from '@immutable-infra/provider-kit';
import type { DcsCloud } from './dcs-client.js';
import type { DcsTask } from './dcs-types.js';

/**
 * Where a DCS task stands. The provider does not wait on tasks: it keeps the task URI in status,
 * requeues, and looks again with checkTask on the next reconcile.
 */
export type TaskOutcome =
  | { state: 'running'; progress: number }
  | { state: 'success' }
  | { state: 'failed'; reason: string };

/** What a task's fields mean; pure. */
export function interpretTask(
  task: Pick<DcsTask, 'status' | 'progress' | 'reason' | 'reasonDes'>,
): TaskOutcome {
  switch (task.status.toLowerCase()) {
    case 'success':
      return { state: 'success' };
    case 'failed':
      return { state: 'failed', reason: failureReason(task) };
    case 'cancelled':
    case 'canceled':
      return { state: 'failed', reason: task.reasonDes ? `cancelled: ${task.reasonDes}` : 'cancelled' };
    default:
      // waiting, running, cancelling, unknown: not finished, so look again later.
      return { state: 'running', progress: clampProgress(task.progress) };
  }
}

/** Reads the task and says where it stands. A task DCS no longer knows throws (isNotFound). */
export async function checkTask(cloud: Pick<DcsCloud, 'getTask'>, taskUri: string): Promise<TaskOutcome> {
  return interpretTask(await cloud.getTask(taskUri));
}

function failureReason(task: Pick<DcsTask, 'reason' | 'reasonDes'>): string {
  const code = task.reason ? `DCS error ${task.reason}` : 'DCS task failed';
  return task.reasonDes ? `${code}: ${task.reasonDes}` : code;
}

function clampProgress(progress: number | undefined): number {
  if (progress === undefined || !Number.isFinite(progress)) return 0;
  return Math.min(100, Math.max(0, Math.round(progress)));
}

/** The same reading in the provider kit's terms, for `followTaskStep`. */
export function dcsTaskState(task: Pick<DcsTask, 'status' | 'progress' | 'reason' | 'reasonDes'>): TaskState {
  const outcome = interpretTask(task);
  if (outcome.state === 'success') return { state: 'succeeded' };
  if (outcome.state === 'running') return outcome;
  return { state: 'failed', message: outcome.reason, platformCode: task.reason };
}
