import type { Scheduler } from '@immutable-infra/simulator-kit';
import type { JobFailure, ResolvedFaults } from './faults.js';
import { HcsError } from './hcs-error.js';
import { newHexId } from './ids.js';

export type JobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';

export interface SubJobRecord {
  type: string;
  /** e.g. `{ server_id }` or `{ volume_id }`. */
  entities: Record<string, unknown>;
}

export interface JobRecord {
  id: string;
  type: string;
  status: JobStatus;
  /** ISO times, as the job API answers them. */
  beginTime: string;
  endTime: string | undefined;
  entities: Record<string, unknown>;
  subJobs: SubJobRecord[];
  errorCode: string | undefined;
  failReason: string | undefined;
}

export interface JobWork {
  entities?: Record<string, unknown>;
  subJobs?: SubJobRecord[];
  /** Applies the finished change; an HcsError thrown here ends the job in FAIL with its code. */
  complete(): void;
  /** Undoes what was reserved when the job was accepted; runs when the job fails. */
  rollback(): void;
}

/**
 * Asynchronous jobs of the ECS and EVS APIs: accepted RUNNING, then after `jobSeconds` either
 * SUCCESS (the change applied) or FAIL (the change rolled back, `error_code`/`fail_reason` set).
 * Faults can fail a job type or leave it RUNNING for ever.
 */
export class JobBook {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly failuresUsed = new Map<JobFailure, number>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly faults: () => ResolvedFaults,
  ) {}

  start(type: string, work: JobWork): JobRecord {
    const job: JobRecord = {
      id: newHexId(),
      type,
      status: 'RUNNING',
      beginTime: new Date().toISOString(),
      endTime: undefined,
      entities: work.entities ?? {},
      subJobs: work.subJobs ?? [],
      errorCode: undefined,
      failReason: undefined,
    };
    this.jobs.set(job.id, job);
    this.scheduler.after(this.faults().jobSeconds * 1000, () => this.finish(job, work));
    return job;
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  list(): JobRecord[] {
    return [...this.jobs.values()];
  }

  private finish(job: JobRecord, work: JobWork): void {
    const faults = this.faults();
    if (faults.stuckJobs.includes('*') || faults.stuckJobs.includes(job.type)) return;
    const failure = this.takeFailure(job.type);
    try {
      if (failure) throw new HcsError(500, failure.code, failure.message);
      work.complete();
      job.status = 'SUCCESS';
    } catch (error) {
      work.rollback();
      job.status = 'FAIL';
      job.errorCode = error instanceof HcsError ? error.code : 'Ecs.0002';
      job.failReason = error instanceof HcsError ? error.detail : String(error);
    }
    job.endTime = new Date().toISOString();
  }

  /** The first configured failure for this job type that still has uses left, consuming one. */
  private takeFailure(type: string): JobFailure | undefined {
    for (const failure of this.faults().jobFailures) {
      if (failure.jobType !== '*' && failure.jobType !== type) continue;
      const used = this.failuresUsed.get(failure) ?? 0;
      if (failure.times !== undefined && used >= failure.times) continue;
      this.failuresUsed.set(failure, used + 1);
      return failure;
    }
    return undefined;
  }
}

/** A job as `GET /v1/{project_id}/jobs/{job_id}` answers it. */
export function jobView(job: JobRecord) {
  const sub = (s: SubJobRecord, index: number) => ({
    job_id: `${job.id}-${index}`,
    job_type: s.type,
    status: job.status,
    begin_time: job.beginTime,
    end_time: job.endTime ?? '',
    entities: s.entities,
    ...(job.errorCode ? { error_code: job.errorCode, fail_reason: job.failReason } : {}),
  });
  return {
    job_id: job.id,
    job_type: job.type,
    status: job.status,
    begin_time: job.beginTime,
    end_time: job.endTime ?? '',
    entities: {
      ...job.entities,
      ...(job.subJobs.length > 0
        ? { sub_jobs_total: job.subJobs.length, sub_jobs: job.subJobs.map(sub) }
        : {}),
    },
    error_code: job.errorCode ?? null,
    fail_reason: job.failReason ?? null,
  };
}
