import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../src/index.js';

describe('RateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a burst through at once, then holds the next caller until the clock has earned a token', async () => {
    vi.useFakeTimers();
    const limiter = new RateLimiter(10, 3, () => Date.now());
    for (let i = 0; i < 3; i++) await limiter.acquire();
    let granted = false;
    const fourth = limiter.acquire().then(() => {
      granted = true;
    });
    // 10 per second is one token per 100 ms: half of that is not enough.
    await vi.advanceTimersByTimeAsync(50);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    await fourth;
    expect(granted).toBe(true);
  });

  it('grants callers in order, one per token, however many wait', async () => {
    vi.useFakeTimers();
    const limiter = new RateLimiter(4, 1, () => Date.now());
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n)));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([1]);
    await vi.advanceTimersByTimeAsync(250);
    expect(order).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(250);
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it('earns tokens by its clock: a caller beyond the burst waits while the clock stands still, however often timers fire', async () => {
    vi.useFakeTimers();
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    let granted = 0;
    const callers = Array.from({ length: 8 }, () => limiter.acquire().then(() => granted++));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(granted).toBe(3);
    // Two per second: one second of the clock lets exactly two more through.
    now += 1_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(granted).toBe(5);
    // Ten seconds earn at most the burst.
    now += 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(granted).toBe(8);
    await Promise.all(callers);
  });

  it('refuses a nonsensical rate', () => {
    expect(() => new RateLimiter(0, 1)).toThrow('rate limit needs qps > 0 and burst >= 1 (got 0, 1)');
  });
});
