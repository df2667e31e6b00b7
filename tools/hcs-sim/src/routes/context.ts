import type { CreationLag } from '@immutable-infra/simulator-kit';
import type { Identity } from '../auth/identity.js';
import type { Cloud } from '../model/cloud.js';
import type { ResolvedFaults } from '../model/faults.js';
import type { ResolvedQuotas } from '../model/inventory.js';
import type { JobBook, JobRecord } from '../model/jobs.js';
import type { SimState } from '../model/sim-state.js';
import type { RouteAnswer } from '../server/router.js';

/** What route handlers work on. */
export interface SimContext {
  cloud: Cloud;
  jobs: JobBook;
  identity: Identity;
  /** The `createLagSeconds` fault: which created resources (by id) reads may show yet. */
  createLag: CreationLag;
  /** The URL clients reach the simulator at (known once it listens); used in the IAM catalog. */
  baseUrl(): string;
  faults(): ResolvedFaults;
  /** Validates (400 on a bad key) and applies new fault settings, as sent to `/_sim/faults`. */
  setFaults(faults: unknown): ResolvedFaults;
  /** Validates and applies new quota limits (unset keys keep their value), as sent to `/_sim/quotas`. */
  setQuotas(quotas: unknown): ResolvedQuotas;
  state(): SimState;
}

/** Whether `GET` by its id may show a resource (the `createLagHidesGet` side of the fault). */
export function readableById(ctx: SimContext, id: string): boolean {
  return !ctx.faults().createLagHidesGet || ctx.createLag.visible(id);
}

/** The answer to an asynchronous ECS or EVS change. */
export function jobAnswer(job: JobRecord, extra: Record<string, unknown> = {}): RouteAnswer {
  return { body: { job_id: job.id, ...extra } };
}

/** The current time in the form the APIs answer. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
