import type { TaskState } from '@immutable-infra/provider-kit';
import type { HcsJob } from './hcs-types.js';

/** Where an asynchronous ECS or EVS job stands, for the kit's followTaskStep. */
export function interpretJob(job: HcsJob): TaskState {
  if (job.status === 'SUCCESS') return { state: 'succeeded' };
  if (job.status === 'FAIL')
    return {
      state: 'failed',
      message: job.fail_reason ?? 'no reason given',
      platformCode: job.error_code ?? undefined,
    };
  return { state: 'running' };
}
