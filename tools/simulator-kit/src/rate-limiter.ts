export interface RateLimit {
  /** Sustained requests per second an account may make. */
  requestsPerSecond: number;
  /** Requests an idle account may make at once before the rate applies. */
  burst: number;
}

/**
 * A token bucket per account, the model API gateways throttle with: each account's bucket holds
 * up to `burst` tokens, refills at `requestsPerSecond`, and a call that finds it empty is refused
 * with the whole seconds until the next token (what a `Retry-After` header says).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a token for `account`: 0 when the call may go on, otherwise the seconds to wait (at least 1). */
  take(account: string, limit: RateLimit): number {
    const now = this.now();
    const bucket = this.buckets.get(account) ?? { tokens: limit.burst, at: now };
    const refilled = Math.min(
      limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * limit.requestsPerSecond,
    );
    if (refilled >= 1) {
      this.buckets.set(account, { tokens: refilled - 1, at: now });
      return 0;
    }
    this.buckets.set(account, { tokens: refilled, at: now });
    return Math.max(1, Math.ceil((1 - refilled) / limit.requestsPerSecond));
  }

  /** Every account starts again with a full bucket (new settings). */
  reset(): void {
    this.buckets.clear();
  }
}
