import type { Scheduler } from '@immutable-infra/simulator-kit';
import { DcsError, ErrorCode } from './dcs-error.js';
import type { SiteAddress } from './site-address.js';

/** How often a task held back by a fault checks whether the fault is still there. */
const STUCK_RECHECK_MS = 50;

export type TaskStatus = 'waiting' | 'running' | 'success' | 'failed';

export interface TaskRecord {
  id: string;
  urn: string;
  uri: string;
  type: string;
  entityUrn: string;
  status: TaskStatus;
  reason: string;
  reasonDes: string;
  startTime: string;
  finishTime: string;
  /** When the task went `running` (ms since epoch), for the progress figure. */
  runningSince: number | undefined;
  durationMs: number;
  /** Progress frozen at the end (100 on success). */
  finalProgress: number | undefined;
  /** Held back by a fault (`stuckCreating`) the last time it was due to finish. */
  stuck: boolean;
}

export interface WireTask {
  urn: string;
  uri: string;
  type: string;
  entityUrn: string;
  status: TaskStatus;
  progress: number;
  reason: string;
  reasonDes: string;
  startTime: string;
  finishTime: string;
}

/**
 * Asynchronous operations. A task is `waiting` when it is handed out, `running` on the next turn
 * of the event loop, and runs its work after `taskSeconds`: the work changes the platform and the
 * task ends `success`, or the work throws a DcsError and the task ends `failed` with its code.
 */
export class TaskBook {
  private readonly tasks = new Map<string, TaskRecord>();
  private nextId = 1;

  constructor(
    private readonly address: SiteAddress,
    private readonly scheduler: Scheduler,
    private readonly durationMs: () => number,
  ) {}

  /**
   * `stuck` is asked each time the task is due; while it answers true the task stays `running`
   * and asks again later, so lifting the fault lets the task finish.
   */
  start(
    type: string,
    entityUrn: string,
    work: () => void,
    options: { stuck?: () => boolean } = {},
  ): TaskRecord {
    const id = String(this.nextId++);
    const task: TaskRecord = {
      id,
      urn: this.address.urnOf('tasks', id),
      uri: this.address.uriOf('tasks', id),
      type,
      entityUrn,
      status: 'waiting',
      reason: '',
      reasonDes: '',
      startTime: new Date().toISOString(),
      finishTime: '',
      runningSince: undefined,
      durationMs: this.durationMs(),
      finalProgress: undefined,
      stuck: false,
    };
    const stuck = options.stuck ?? (() => false);
    const due = () => {
      task.stuck = !isFinished(task) && stuck();
      if (task.stuck) this.scheduler.after(Math.max(STUCK_RECHECK_MS, task.durationMs), due);
      else this.finish(task, work);
    };
    this.tasks.set(id, task);
    this.scheduler.after(0, () => {
      task.status = 'running';
      task.runningSince = Date.now();
      this.scheduler.after(task.durationMs, due);
    });
    return task;
  }

  get(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  /** Ends the stuck tasks of an object that went away (a VM deleted while its clone hung). */
  abandonStuck(entityUrn: string, reasonDes: string): void {
    for (const task of this.tasks.values())
      if (task.stuck && task.entityUrn === entityUrn && !isFinished(task))
        this.end(task, 'failed', ErrorCode.wrongState, reasonDes);
  }

  view(task: TaskRecord): WireTask {
    return {
      urn: task.urn,
      uri: task.uri,
      type: task.type,
      entityUrn: task.entityUrn,
      status: task.status,
      progress: this.progress(task),
      reason: task.reason,
      reasonDes: task.reasonDes,
      startTime: task.startTime,
      finishTime: task.finishTime,
    };
  }

  private progress(task: TaskRecord): number {
    if (task.finalProgress !== undefined) return task.finalProgress;
    if (task.runningSince === undefined) return 0;
    if (task.durationMs === 0 || task.stuck) return 50;
    return Math.min(99, Math.floor(((Date.now() - task.runningSince) / task.durationMs) * 100));
  }

  private finish(task: TaskRecord, work: () => void): void {
    if (isFinished(task)) return;
    try {
      work();
      this.end(task, 'success', '', '');
    } catch (error) {
      if (error instanceof DcsError) this.end(task, 'failed', error.errorCode, error.errorDes);
      else
        this.end(task, 'failed', ErrorCode.internal, error instanceof Error ? error.message : String(error));
    }
  }

  private end(task: TaskRecord, status: 'success' | 'failed', reason: string, reasonDes: string): void {
    task.finalProgress = status === 'success' ? 100 : this.progress(task);
    task.status = status;
    task.reason = reason;
    task.reasonDes = reasonDes;
    task.finishTime = new Date().toISOString();
  }
}

function isFinished(task: TaskRecord): boolean {
  return task.status === 'success' || task.status === 'failed';
}
