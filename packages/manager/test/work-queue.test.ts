import { afterEach, describe, expect, it, vi } from 'vitest';
import { type WorkOutcome, WorkQueue } from '../src/queue/work-queue.js';

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

  describe('work in progress before new work', () => {
    /**
     * A one-worker queue that records each key it runs; `hold` keeps the worker busy until
     * released, so keys can be added while it waits and their order seen.
     */
    function orderedQueue(then: (key: string) => WorkOutcome = () => undefined) {
      const runs: string[] = [];
      let release = () => {};
      const queue: WorkQueue = new WorkQueue({ concurrency: 1 }, async (key) => {
        runs.push(key);
        if (key === 'hold') await new Promise<void>((resolve) => (release = resolve));
        return then(key);
      });
      const held = (keys: string[]) => {
        queue.add('hold');
        for (const key of keys) queue.add(key);
        release();
      };
      return { queue, runs, held };
    }

    it('runs a key it has worked on before keys it never has', async () => {
      const { queue, runs } = orderedQueue((key) => {
        // The first machine's step wants it again at once (a task started, its state to read).
        if (key === 'm1' && runs.filter((r) => r === 'm1').length < 3) queue.add('m1');
        return undefined;
      });
      for (const key of ['m1', 'm2', 'm3', 'm4']) queue.add(key);
      await vi.waitFor(() => expect(runs).toHaveLength(6));
      // Without the two lanes: m1 m2 m3 m4 m1 m1. m1 finishes before anything new starts.
      expect(runs).toEqual(['m1', 'm1', 'm1', 'm2', 'm3', 'm4']);
      await queue.shutdown();
    });

    it('keeps first-come order within each lane, and runs new keys when nothing started waits', async () => {
      const { queue, runs, held } = orderedQueue();
      held(['a', 'b', 'c']);
      await vi.waitFor(() => expect(runs).toEqual(['hold', 'a', 'b', 'c']));
      held(['d', 'c', 'e', 'a']);
      await vi.waitFor(() => expect(runs).toHaveLength(9));
      expect(runs.slice(5)).toEqual(['c', 'a', 'd', 'e']);
      await queue.shutdown();
    });

    it('forgets a key whose object is gone: if it comes back, it is new work again', async () => {
      let gone = true;
      const { queue, runs, held } = orderedQueue((key) =>
        key === 'm1' && gone ? { gone: true } : undefined,
      );
      held(['m1', 'm2']);
      await vi.waitFor(() => expect(runs).toEqual(['hold', 'm1', 'm2']));
      gone = false;
      // m2 has been worked on, m1 was forgotten: m2 goes first though m1 was added first.
      held(['m1', 'm2']);
      await vi.waitFor(() => expect(runs).toHaveLength(6));
      expect(runs.slice(4)).toEqual(['m2', 'm1']);
      await queue.shutdown();
    });
  });
});
