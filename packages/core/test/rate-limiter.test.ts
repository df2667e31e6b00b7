import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/index.js';

describe('RateLimiter', () => {
  it('lets a burst through at once and then paces by the clock it is given', async () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    // The bucket is empty: the fourth caller must wait until the clock has moved on by a token.
    let granted = false;
    const fourth = limiter.acquire().then(() => {
      granted = true;
    });
    now = 100; // 10 per second: one token per 100 ms
    await fourth;
    expect(granted).toBe(true);
  });

  it('refuses a nonsensical rate', () => {
    expect(() => new RateLimiter(0, 1)).toThrow('rate limit needs qps > 0 and burst >= 1 (got 0, 1)');
  });
});
