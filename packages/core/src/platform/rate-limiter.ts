/**
 * Token bucket for client-side request rate limiting: `qps` tokens per
 * second, up to `burst` saved; callers wait in FIFO order. The host uses it in
 * front of the Kubernetes API (client-node has none) and providers in front
 * of their platform's API, which serves every client of the site and must not
 * be flooded by a controller that relists after a restart.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(qps > 0) || !(burst >= 1))
      throw new Error(`rate limit needs qps > 0 and burst >= 1 (got ${qps}, ${burst})`);
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when the caller may send one request. */
  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.take());
    this.tail = turn;
    return turn;
  }

  private async take(): Promise<void> {
    this.refill();
    // The clock, not the timer, says when a token is earned: a timer that fires early (or a clock
    // that has not moved) sends the caller back to wait instead of letting it through on credit.
    while (this.tokens < 1) {
      const waitMs = ((1 - this.tokens) / this.qps) * 1000;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
