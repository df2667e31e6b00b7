import { describe, expect, it } from 'vitest';
import { checkTask, interpretTask } from '../../src/cloud/index.js';

describe('interpretTask', () => {
  it('reads waiting and running tasks as running, with their progress', () => {
    expect(interpretTask({ status: 'waiting' })).toEqual({ state: 'running', progress: 0 });
    expect(interpretTask({ status: 'running', progress: 42 })).toEqual({ state: 'running', progress: 42 });
    expect(interpretTask({ status: 'cancelling', progress: 150 })).toEqual({
      state: 'running',
      progress: 100,
    });
  });

  it('reads success as done', () => {
    expect(interpretTask({ status: 'success', progress: 100 })).toEqual({ state: 'success' });
  });

  it('gives a failed task the DCS code and description as its reason', () => {
    expect(interpretTask({ status: 'failed', reason: '10300100', reasonDes: 'the VM is busy' })).toEqual({
      state: 'failed',
      reason: 'DCS error 10300100: the VM is busy',
    });
    expect(interpretTask({ status: 'failed' })).toEqual({ state: 'failed', reason: 'DCS task failed' });
  });

  it('checkTask reads the task through anything that implements getTask', async () => {
    const cloud = {
      getTask: async (uri: string) => ({ uri, status: 'success', progress: 100 }),
    };
    await expect(checkTask(cloud, '/service/sites/3CD306E7/tasks/1')).resolves.toEqual({ state: 'success' });
  });
});
