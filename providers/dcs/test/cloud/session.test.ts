import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { PlatformFailure } from '@immutable-infra/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  classifyDcsFailure,
  DcsClient,
  DcsSessionPool,
  isAccountLocked,
  isBadCredentials,
} from '../../src/cloud/index.js';
import { credentialFor, failureOf, type Simulator, startSimulator } from './simulator.js';

const WRONG_KEY = 'Wrong-Key-7f3a9c';
const WRONG_KEY_HASH = createHash('sha256').update(WRONG_KEY).digest('hex');

/** A login the kit's back-off held back: the refusal's failure, with when the next login may be tried. */
function expectSuppressed(error: unknown): void {
  expect(error).toBeInstanceOf(PlatformFailure);
  expect((error as PlatformFailure).details.retryAfter).toBeInstanceOf(Date);
  expect((error as PlatformFailure).message).toMatch(/^login not tried until /);
}

describe('DcsSession against the simulator', () => {
  let sim: Simulator;
  let pool: DcsSessionPool;

  beforeEach(async () => {
    sim = await startSimulator();
    pool = new DcsSessionPool();
  });

  afterEach(async () => {
    await pool.closeAll();
    await sim.close();
  });

  it('shares one login among ten concurrent calls', async () => {
    const client = new DcsClient(pool.session(credentialFor(sim)));
    const results = await Promise.all(Array.from({ length: 10 }, () => client.listSites()));
    expect(results.every((sites) => sites.length === 1)).toBe(true);
    const state = sim.state();
    expect(state.logins.total).toBe(1);
    expect(state.sessions).toHaveLength(1);
  });

  it('hands every reconcile the same session for a credential, and a new one when the key changes', async () => {
    const credential = credentialFor(sim);
    const first = pool.session(credential);
    expect(pool.session({ ...credential })).toBe(first);
    await new DcsClient(first).listSites();
    await new DcsClient(pool.session({ ...credential })).resolveSite();
    expect(sim.state().logins.total).toBe(1);

    const replaced = pool.session({ ...credential, key: 'another-key' });
    expect(replaced).not.toBe(first);
    expect(pool.size).toBe(1);
  });

  it('logs in again once after the session expired, and retries the calls', async () => {
    const client = new DcsClient(pool.session(credentialFor(sim)));
    await client.listSites();
    sim.setFaults({ expireSessions: true });
    const results = await Promise.all(Array.from({ length: 5 }, () => client.listSites()));
    expect(results).toHaveLength(5);
    expect(sim.state().logins.total).toBe(2);
  });

  it('tries a wrong key once, then stops logging in for that credential', async () => {
    const client = new DcsClient(pool.session(credentialFor(sim, { key: WRONG_KEY })));
    const first = await failureOf(client.listSites());
    expect(first).toMatchObject({
      kind: 'LoginRefused',
      details: { httpStatus: 401, platformCode: '10000003' },
    });
    expect((first as PlatformFailure).details.retryAfter).toBeUndefined();
    expect(isBadCredentials(first)).toBe(true);
    expect(classifyDcsFailure(first)).toEqual({
      kind: 'bad-credentials',
      reason: 'wrong user or key for DCS',
    });

    const later = await Promise.all(
      [client.listSites(), client.resolveCluster('ComputeCluster'), client.findVmByName('x')].map(failureOf),
    );
    for (const error of later) {
      expectSuppressed(error);
      expect(classifyDcsFailure(error).kind).toBe('bad-credentials');
    }
    // Another reconcile that asks the pool gets the same paused session.
    await failureOf(new DcsClient(pool.session(credentialFor(sim, { key: WRONG_KEY }))).listSites());

    const state = sim.state();
    expect(state.logins.total).toBe(1);
    expect(state.logins.failed).toBe(1);
  });

  it('logs in again after the back-off, once', async () => {
    let now = 1_000_000;
    const clocked = new DcsSessionPool({ loginBackoffMs: 60_000, now: () => now });
    try {
      const client = new DcsClient(clocked.session(credentialFor(sim, { key: WRONG_KEY })));
      await failureOf(client.listSites());
      now += 59_000;
      expectSuppressed(await failureOf(client.listSites()));
      now += 2_000;
      expect(isBadCredentials(await failureOf(client.listSites()))).toBe(true);
      expectSuppressed(await failureOf(client.listSites()));
      expect(sim.state().logins.failed).toBe(2);
    } finally {
      await clocked.closeAll();
    }
  });

  it('reports a locked account, and does not knock on it again', async () => {
    sim.setFaults({ lockAfterFailures: 1 });
    await failureOf(new DcsClient(pool.session(credentialFor(sim, { key: WRONG_KEY }))).listSites());

    // The operator fixes the key; the account is still locked.
    const client = new DcsClient(pool.session(credentialFor(sim)));
    const locked = await failureOf(client.listSites());
    expect(isAccountLocked(locked)).toBe(true);
    expect(classifyDcsFailure(locked)).toEqual({
      kind: 'account-locked',
      reason: 'DCS account locked after failed logins; wait for it to unlock',
    });
    const paused = await failureOf(client.listSites());
    expectSuppressed(paused);
    expect(isAccountLocked(paused)).toBe(true);
    expect(sim.state().logins.total).toBe(2);
  });

  it('never puts the key (or its hash) in an error, a reason or the session', async () => {
    sim.setFaults({ lockAfterFailures: 1 });
    const session = pool.session(credentialFor(sim, { key: WRONG_KEY }));
    const client = new DcsClient(session);
    const other = new DcsSessionPool();
    const errors = [
      await failureOf(client.listSites()),
      await failureOf(client.listSites()),
      // The first failure locked the account (the second call was not sent): a fresh session meets the lock.
      await failureOf(new DcsClient(other.session(credentialFor(sim, { key: WRONG_KEY }))).listSites()),
    ];
    await other.closeAll();
    expect(isAccountLocked(errors[2])).toBe(true);
    for (const error of errors) {
      const texts = [
        String(error),
        (error as Error).stack ?? '',
        inspect(error, { depth: 10, showHidden: true }),
        JSON.stringify(error),
        JSON.stringify(classifyDcsFailure(error)),
      ];
      for (const text of texts) {
        expect(text).not.toContain(WRONG_KEY);
        expect(text).not.toContain(WRONG_KEY_HASH);
      }
    }
    expect(inspect(session, { depth: 10, showHidden: true })).not.toContain(WRONG_KEY);
    expect(JSON.stringify(session)).not.toContain(WRONG_KEY);
  });

  it('records logins and logouts as platform calls', async () => {
    const operations: string[] = [];
    const recorder = {
      record: <T>(operation: string, call: () => Promise<T>) => {
        operations.push(operation);
        return call();
      },
    };
    const recorded = new DcsSessionPool({ recorder });
    await new DcsClient(recorded.session(credentialFor(sim)), { recorder }).listSites();
    await recorded.closeAll();
    expect(operations).toEqual(['ListSites', 'Login', 'Logout']);
  });

  it('logs out when the pool closes', async () => {
    await new DcsClient(pool.session(credentialFor(sim))).listSites();
    expect(sim.state().sessions).toHaveLength(1);
    await pool.closeAll();
    expect(sim.state().sessions).toHaveLength(0);
    expect(pool.size).toBe(0);
  });
});

describe('DcsSession limits', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(async () => {
    await sim.close();
  });

  it("keeps to the credential's limits, else the pool's options, and a changed limit makes a new session", async () => {
    const pool = new DcsSessionPool({ qps: 5, burst: 10 });
    try {
      const plain = pool.session(credentialFor(sim));
      expect(plain.limits).toEqual({ requestsPerSecond: 5, burst: 10, maxConcurrentRequests: 16 });
      const limited = pool.session({
        ...credentialFor(sim),
        limits: { requestsPerSecond: 50, maxConcurrentRequests: 4 },
      });
      expect(limited.limits).toEqual({ requestsPerSecond: 50, burst: 10, maxConcurrentRequests: 4 });
      expect(limited).not.toBe(plain);
      // The same credential and limits again: the account's session is reused.
      expect(
        pool.session({ ...credentialFor(sim), limits: { requestsPerSecond: 50, maxConcurrentRequests: 4 } }),
      ).toBe(limited);
    } finally {
      await pool.closeAll();
    }
  });
});
