import { waitingMessage } from '@immutable-infra/provider-kit';
import { describe, expect, it } from 'vitest';
import { dcsTaskState } from '../../src/cloud/index.js';

describe('dcsTaskState', () => {
  it('reads waiting and running tasks as running, with their progress', () => {
    expect(dcsTaskState({ status: 'waiting' })).toEqual({ state: 'running', progress: 0 });
    expect(dcsTaskState({ status: 'running', progress: 42 })).toEqual({ state: 'running', progress: 42 });
    const cancelling = dcsTaskState({ status: 'cancelling', progress: 150 });
    expect(cancelling.state).toBe('running');
    // The step's waiting message never shows more than 100 %.
    expect(
      waitingMessage('DCS task', 't1', cancelling.state === 'running' ? cancelling.progress : undefined),
    ).toBe('waiting for DCS task t1 at 100 %');
  });

  it('reads success as done', () => {
    expect(dcsTaskState({ status: 'success', progress: 100 })).toEqual({ state: 'succeeded' });
  });

  it('gives a failed task the DCS code and description as its message', () => {
    expect(dcsTaskState({ status: 'failed', reason: '10300100', reasonDes: 'the VM is busy' })).toEqual({
      state: 'failed',
      message: 'DCS error 10300100: the VM is busy',
      platformCode: '10300100',
    });
    expect(dcsTaskState({ status: 'failed' })).toMatchObject({ state: 'failed', message: 'DCS task failed' });
    expect(dcsTaskState({ status: 'cancelled', reasonDes: 'by admin' })).toMatchObject({
      state: 'failed',
      message: 'cancelled: by admin',
    });
  });
});
