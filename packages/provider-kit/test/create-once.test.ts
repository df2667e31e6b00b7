import { describe, expect, it } from 'vitest';
import { type CreateRequests, createOnce, mayBeUnlisted } from '../src/index.js';

const LAG_MS = 30_000;
const T0 = new Date('2026-12-03T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A status draft and what the host persisted of it, in order. */
function draft() {
  const status: { createRequestedAt: CreateRequests } = { createRequestedAt: {} };
  const persisted: CreateRequests[] = [];
  const options = (now: Date) => ({
    requests: status.createRequestedAt,
    key: 'vm',
    what: 'VM demo-1',
    now,
    listingLagMs: LAG_MS,
    saveStatus: async () => {
      persisted.push(structuredClone(status.createRequestedAt));
    },
  });
  return { status, persisted, options };
}

describe('createOnce', () => {
  it('persists the request before it is sent, and sends it', async () => {
    const { persisted, options } = draft();
    const seenBySend: CreateRequests[][] = [];
    const outcome = await createOnce(options(T0), async () => {
      seenBySend.push(structuredClone(persisted));
      return 'task-1';
    });
    expect(outcome).toEqual({ sent: true, result: 'task-1' });
    expect(seenBySend).toEqual([[{ vm: T0.toISOString() }]]);
  });

  it('does not ask again while the platform may not list the first yet, and says until when', async () => {
    const { options } = draft();
    await createOnce(options(T0), async () => 'task-1');
    let sends = 0;
    const outcome = await createOnce(options(at(12_000)), async () => {
      sends += 1;
    });
    expect(sends).toBe(0);
    expect(outcome.sent).toBe(false);
    if (outcome.sent) return;
    expect(outcome.wait).toMatchObject({ type: 'requeue', afterMs: 5_000 });
    expect(outcome.wait.type === 'requeue' && outcome.wait.reason).toBe(
      `VM demo-1 was asked for at ${T0.toISOString()} and is not listed yet; not asked again for 18 s`,
    );
  });

  it('asks again once the lag is over: what was asked for was never made, or was deleted since', async () => {
    const { status, options } = draft();
    await createOnce(options(T0), async () => 'task-1');
    const outcome = await createOnce(options(at(LAG_MS)), async () => 'task-2');
    expect(outcome).toEqual({ sent: true, result: 'task-2' });
    expect(status.createRequestedAt.vm).toBe(at(LAG_MS).toISOString());
  });

  it('sends nothing when the record cannot be persisted', async () => {
    const { options } = draft();
    let sends = 0;
    const failing = {
      ...options(T0),
      saveStatus: async () => {
        throw new Error('409 Conflict, five times');
      },
    };
    await expect(createOnce(failing, async () => (sends += 1))).rejects.toThrow('409 Conflict');
    expect(sends).toBe(0);
  });

  it('keeps each thing apart: a volume asked for does not hold back the VM', async () => {
    const { options } = draft();
    await createOnce({ ...options(T0), key: 'volume/data-1' }, async () => 'volume');
    expect(await createOnce(options(at(1_000)), async () => 'vm')).toEqual({ sent: true, result: 'vm' });
  });
});

describe('mayBeUnlisted', () => {
  it('is true only within the lag after a recorded request', () => {
    const requests = { vm: T0.toISOString() };
    expect(mayBeUnlisted(requests, 'vm', at(LAG_MS - 1), LAG_MS)).toBe(true);
    expect(mayBeUnlisted(requests, 'vm', at(LAG_MS), LAG_MS)).toBe(false);
    expect(mayBeUnlisted(requests, 'server', T0, LAG_MS)).toBe(false);
    expect(mayBeUnlisted(undefined, 'vm', T0, LAG_MS)).toBe(false);
  });
});
