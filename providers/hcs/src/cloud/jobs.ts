import type { HcsCloud } from './hcs-client.js';
import { isNotFound } from './hcs-errors.js';
import type { HcsJob } from './hcs-types.js';

export type JobOutcome =
  | { state: 'running' }
  | { state: 'success'; job: HcsJob }
  | { state: 'failed'; code: string | undefined; reason: string }
  /** The cloud no longer knows the job (it keeps them for a limited time): look at the resource instead. */
  | { state: 'unknown' };

/** Where an asynchronous ECS or EVS job stands. */
export function interpretJob(job: HcsJob): JobOutcome {
  if (job.status === 'SUCCESS') return { state: 'success', job };
  if (job.status === 'FAIL')
    return {
      state: 'failed',
      code: job.error_code ?? undefined,
      reason: job.fail_reason ?? 'no reason given',
    };
  return { state: 'running' };
}

export async function checkJob(cloud: Pick<HcsCloud, 'getJob'>, jobId: string): Promise<JobOutcome> {
  try {
    return interpretJob(await cloud.getJob(jobId));
  } catch (error) {
    if (isNotFound(error)) return { state: 'unknown' };
    throw error;
  }
}
