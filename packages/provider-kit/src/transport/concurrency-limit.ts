/**
 * At most `limit` holders at a time, served in arrival order. Requests to one platform endpoint
 * go through one limit, so a relist after a restart cannot open hundreds of connections to a
 * management node that serves the whole site.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new Error(`concurrency limit must be >= 1 (got ${limit})`);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next();
      else this.active -= 1;
    }
  }

  /** Holders right now, for tests and metrics. */
  get inUse(): number {
    return this.active;
  }
}
