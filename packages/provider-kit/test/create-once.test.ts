import { describe, expect, it } from 'vitest';
import { type CreateRequests, createOnce, mayBeUnlisted } from '../src/index.js';

const LAG_MS = 30_000;
const T0 = new Date('2026-12-03T10:00:00.000Z');
const VM = { key: 'vm', what: 'VM demo-1', listingLagMs: LAG_MS };

/** A reconcile's status draft, its clock, and what the host persisted of the draft, in order. */
function reconcileAt(startMs = 0) {
  const status: { createRequestedAt?: CreateRequests } = {};
  const persisted: (CreateRequests | undefined)[] = [];
  let nowMs = T0.getTime() + startMs;
  return {
    status,
    persisted,
    clock: { now: () => new Date(nowMs) },
    saveStatus: async () => {
      persisted.push(structuredClone(status.createRequestedAt));
    },
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

describe('createOnce', () => {
  it('persists the request before it is sent, and sends it', async () => {
    const run = reconcileAt();
    const seenBySend: (CreateRequests | undefined)[][] = [];
    const outcome = await createOnce(run, VM, async () => {
      seenBySend.push(structuredClone(run.persisted));
      return 'task-1';
    });
    expect(outcome).toEqual({ sent: true, result: 'task-1' });
    expect(seenBySend).toEqual([[{ vm: T0.toISOString() }]]);
  });

  it('does not ask again while the platform may not list the first yet, and says until when', async () => {
    const run = reconcileAt();
    await createOnce(run, VM, async () => 'task-1');
    run.advance(12_000);
    let sends = 0;
    const outcome = await createOnce(run, VM, async () => {
      sends += 1;
    });
    expect(sends).toBe(0);
    const message = `VM demo-1 was asked for at ${T0.toISOString()} and is not listed yet; not asked again for 18 s`;
    expect(outcome).toEqual({
      sent: false,
      wait: { type: 'requeue', afterMs: 5_000, reason: message },
      message,
    });
  });

  it('asks again once the lag is over: what was asked for was never made, or was deleted since', async () => {
    const run = reconcileAt();
    await createOnce(run, VM, async () => 'task-1');
    run.advance(LAG_MS);
    expect(await createOnce(run, VM, async () => 'task-2')).toEqual({ sent: true, result: 'task-2' });
    expect(run.status.createRequestedAt?.vm).toBe(new Date(T0.getTime() + LAG_MS).toISOString());
  });

  it('sends nothing when the record cannot be persisted', async () => {
    const run = reconcileAt();
    let sends = 0;
    const failing = {
      ...run,
      saveStatus: async () => {
        throw new Error('409 Conflict, five times');
      },
    };
    await expect(createOnce(failing, VM, async () => (sends += 1))).rejects.toThrow('409 Conflict');
    expect(sends).toBe(0);
  });

  it('keeps each thing apart: a volume asked for does not hold back the VM', async () => {
    const run = reconcileAt();
    await createOnce(run, { ...VM, key: 'volume/data-1' }, async () => 'volume');
    run.advance(1_000);
    expect(await createOnce(run, VM, async () => 'vm')).toEqual({ sent: true, result: 'vm' });
  });
});

describe('mayBeUnlisted', () => {
  it('is true only within the lag after a recorded request', () => {
    const run = reconcileAt(LAG_MS - 1);
    run.status.createRequestedAt = { vm: T0.toISOString() };
    expect(mayBeUnlisted(run, 'vm', LAG_MS)).toBe(true);
    expect(mayBeUnlisted(run, 'server', LAG_MS)).toBe(false);
    run.advance(1);
    expect(mayBeUnlisted(run, 'vm', LAG_MS)).toBe(false);
    expect(mayBeUnlisted(reconcileAt(), 'vm', LAG_MS)).toBe(false);
  });
});
