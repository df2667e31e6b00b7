import type { CreationLag } from '@immutable-infra/simulator-kit';
import type { Faults, ResolvedFaults } from '../model/faults.js';
import type { Platform } from '../model/platform.js';
import type { SimState } from '../model/sim-state.js';
import type { TaskBook, TaskRecord } from '../model/tasks.js';
import type { RouteAnswer } from '../server/router.js';
import type { SessionStore } from '../server/session.js';

/** What route handlers work on. */
export interface SimContext {
  platform: Platform;
  tasks: TaskBook;
  sessions: SessionStore;
  /** The `createLagSeconds` fault: which VMs and volumes (by URN) reads may show yet. */
  createLag: CreationLag;
  faults(): ResolvedFaults;
  /** Validates (400 on a bad key) and applies new fault settings: a {@link Faults} object, as sent to `/_sim/faults`. */
  setFaults(faults: unknown): ResolvedFaults;
  state(): SimState;
}

/** Whether `GET` by its URI may show an object (the `createLagHidesGet` side of the fault). */
export function readableById(ctx: SimContext, urn: string): boolean {
  return !ctx.faults().createLagHidesGet || ctx.createLag.visible(urn);
}

/** The answer to every asynchronous change: the task, plus the created object when there is one. */
export function taskAnswer(task: TaskRecord, created?: { urn: string; uri: string }): RouteAnswer {
  const object = created ? { urn: created.urn, uri: created.uri } : {};
  return { body: { ...object, taskUrn: task.urn, taskUri: task.uri } };
}
