import { describe, expect, it } from 'vitest';
import { type CreateRequests, foundOrCreatedOnce } from '../src/index.js';

const T0 = new Date('2026-12-03T10:00:00.000Z');
const LISTENER = { key: 'listener', what: 'listener demo-6443', listingLagMs: 30_000 };

function reconcile() {
  const status: { createRequestedAt?: CreateRequests } = {};
  return { status, clock: { now: () => T0 }, saveStatus: async () => {} };
}

describe('foundOrCreatedOnce', () => {
  it('answers what the lookup found without asking the platform or recording anything', async () => {
    const run = reconcile();
    let creates = 0;
    const answer = await foundOrCreatedOnce(run, LISTENER, { id: 'l-1' }, async () => {
      creates += 1;
      return { id: 'l-2' };
    });
    expect(answer).toEqual({ ready: true, thing: { id: 'l-1' } });
    expect(creates).toBe(0);
    expect(run.status.createRequestedAt).toBeUndefined();
  });

  it('creates what was not found, once: the next miss within the listing lag waits', async () => {
    const run = reconcile();
    expect(await foundOrCreatedOnce(run, LISTENER, undefined, async () => ({ id: 'l-1' }))).toEqual({
      ready: true,
      thing: { id: 'l-1' },
    });
    const again = await foundOrCreatedOnce(run, LISTENER, undefined, async () => ({ id: 'l-2' }));
    expect(again.ready).toBe(false);
    expect(again.ready ? '' : again.message).toMatch(
      /^listener demo-6443 was asked for at .* and is not listed yet/,
    );
  });
});
