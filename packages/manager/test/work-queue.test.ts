import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../src/queue/work-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('never works on one key twice at once, and reruns a key added while it was in flight', async () => {
    const gate = deferred();
    const calls: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const finished = deferred();
    const queue = new WorkQueue({ concurrency: 4 }, async (key) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push(key);
      if (calls.length === 1) await gate.promise;
      running--;
      if (calls.length === 2) finished.resolve();
      return undefined;
    });
    queue.add('a');
    queue.add('a'); // in flight: marks dirty
    queue.add('a'); // still one rerun
    gate.resolve();
    await finished.promise;
    await queue.shutdown();
    expect(calls).toEqual(['a', 'a']);
    expect(maxRunning).toBe(1);
  });

  it('retries failures with growing delays and reports each', async () => {
    const errors: number[] = [];
    const done = deferred();
    let attempts = 0;
    const queue = new WorkQueue(
      { concurrency: 1, baseDelayMs: 1 },
      async () => {
        attempts++;
        if (attempts < 4) throw new Error('platform busy');
        done.resolve();
        return undefined;
      },
      (_key, _error, retryInMs) => errors.push(retryInMs),
    );
    queue.add('vm-1');
    await done.promise;
    await queue.shutdown();
    expect(errors).toEqual([1, 2, 4]);
  });

  it('limits concurrency across keys', async () => {
    let running = 0;
    let maxRunning = 0;
    const all = deferred();
    let count = 0;
    const queue = new WorkQueue({ concurrency: 2 }, async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setImmediate(r));
      running--;
      if (++count === 6) all.resolve();
      return undefined;
    });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) queue.add(key);
    await all.promise;
    await queue.shutdown();
    expect(maxRunning).toBe(2);
  });

  describe('requeue after a delay', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    function recordingQueue() {
      const runs: string[] = [];
      const queue = new WorkQueue({ concurrency: 1 }, async (key) => {
        runs.push(key);
        return undefined;
      });
      return { queue, runs };
    }

    it('keeps the sooner time when a later requeue of the same key comes in', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const { queue, runs } = recordingQueue();
      queue.addAfter('m1', 1_000);
      const due = queue.dueAt('m1');
      queue.addAfter('m1', 300_000);
      expect(queue.dueAt('m1')).toBe(due);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).toEqual(['m1']);
      // The later request was dropped, not kept as a second timer.
      await vi.advanceTimersByTimeAsync(300_000);
      expect(runs).toEqual(['m1']);
      await queue.shutdown();
    });

    it('lets a sooner requeue replace a later pending one', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const { queue, runs } = recordingQueue();
      queue.addAfter('m1', 300_000);
      queue.addAfter('m1', 2_000);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(runs).toEqual(['m1']);
      await vi.advanceTimersByTimeAsync(300_000);
      expect(runs).toEqual(['m1']);
      await queue.shutdown();
    });

    it('keeps delays of different keys apart', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const { queue, runs } = recordingQueue();
      queue.addAfter('a', 5_000);
      queue.addAfter('b', 1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).toEqual(['b']);
      await vi.advanceTimersByTimeAsync(4_000);
      expect(runs).toEqual(['b', 'a']);
      await queue.shutdown();
    });
  });
});
