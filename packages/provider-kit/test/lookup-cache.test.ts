import { describe, expect, it } from 'vitest';
import { LookupCache } from '../src/index.js';

describe('LookupCache', () => {
  it('reuses what was found until it is older than the TTL, and shares one load between callers', async () => {
    let now = 0;
    const cache = new LookupCache(30_000, () => now);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { urn: `urn:${loads}` };
    };
    const [a, b] = await Promise.all([cache.get('template:t', load), cache.get('template:t', load)]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    now = 29_999;
    expect(await cache.get('template:t', load)).toEqual({ urn: 'urn:1' });
    now = 30_000;
    expect(await cache.get('template:t', load)).toEqual({ urn: 'urn:2' });
    expect(loads).toBe(2);
  });

  it('keeps neither a failure nor a "not there" answer, and forgets a key on request', async () => {
    const cache = new LookupCache();
    let calls = 0;
    await expect(
      cache.get('site:x', async () => {
        calls += 1;
        throw new Error('unreachable');
      }),
    ).rejects.toThrow('unreachable');
    expect(await cache.get('site:x', async () => (calls += 1))).toBe(2);
    expect(await cache.get('template:missing', async () => undefined)).toBeUndefined();
    await Promise.resolve();
    expect(cache.size).toBe(1);
    expect(await cache.get('site:x', async () => 99)).toBe(2);
    cache.forget('site:x');
    expect(await cache.get('site:x', async () => 3)).toBe(3);
  });
});
