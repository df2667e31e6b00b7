/**
 * What a worker tells the queue about one key: when to look again, or that its object is gone (the
 * queue then forgets it ever worked on the key).
 */
export type WorkOutcome = { requeueAfterMs?: number; gone?: true } | undefined;

export interface WorkQueueOptions {
  /** How many keys are worked on at once. */
  concurrency: number;
  /** First retry delay after an error; doubles per consecutive failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A rate-limited work queue with per-key serialisation: a key is never worked
 * on by two workers at once; adding a key while it is being worked on marks it
 * to run once more afterwards. Errors retry with per-key exponential backoff;
 * a worker can ask for a requeue after a delay.
 *
 * Keys the queue has worked on before go ahead of keys it has never worked on, as
 * controller-runtime's priority queue puts its initial list behind everything else: when a
 * thousand machines arrive at once, the ones already in progress (a task to follow, a VM to power
 * on) finish before the next new one starts, instead of every machine's first step running before
 * any machine's second and nobody getting a node for many minutes. New keys still run whenever no
 * started one is waiting, and work in progress waits on timers most of the time.
 */
export class WorkQueue {
  /** Keys worked on before, in the order they were added. */
  private readonly queue: string[] = [];
  /** Keys never worked on, in the order they were added: taken only when `queue` is empty. */
  private readonly fresh: string[] = [];
  private readonly started = new Set<string>();
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; dueAt: number }>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly options: WorkQueueOptions,
    private readonly worker: (key: string) => Promise<WorkOutcome>,
    private readonly onError: (key: string, error: unknown, retryInMs: number) => void = () => {},
  ) {
    if (!(options.concurrency >= 1)) throw new Error('concurrency must be at least 1');
  }

  get depth(): number {
    return this.queue.length + this.fresh.length;
  }

  get inFlight(): number {
    return this.active.size;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    (this.started.has(key) ? this.queue : this.fresh).push(key);
    this.pump();
  }

  /**
   * Adds the key after a delay. When the key is already due sooner, the sooner time stays: a
   * later request (a long recheck, a back-off) must not postpone work someone needs earlier.
   * When the new time is sooner, it replaces the pending one.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueAt = performance.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending) {
      if (pending.dueAt <= dueAt) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { timer, dueAt });
  }

  /** When a delayed add of the key is due (`performance.now()` time), if one is pending. */
  dueAt(key: string): number | undefined {
    return this.timers.get(key)?.dueAt;
  }

  private backoff(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const base = this.options.baseDelayMs ?? 50;
    return Math.min(this.options.maxDelayMs ?? 300_000, base * 2 ** (failures - 1));
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.options.concurrency && this.depth > 0) {
      const key = (this.queue.length > 0 ? this.queue.shift() : this.fresh.shift()) as string;
      this.queued.delete(key);
      this.active.add(key);
      this.started.add(key);
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const outcome = await this.worker(key);
      this.failures.delete(key);
      if (outcome?.gone) this.started.delete(key);
      if (outcome?.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } catch (error) {
      const delay = this.backoff(key);
      this.onError(key, error, delay);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
      if (this.active.size === 0 && this.depth === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    }
  }

  /** Stops taking work and resolves when the keys in flight are done. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.fresh.length = 0;
    this.queued.clear();
    if (this.active.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
