import { isPlatformFailure, type PlatformFailure } from '@immutable-infra/core';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialPool, type JsonTransport } from '../src/index.js';
import {
  type DcsTestCredential,
  type DcsTestSession,
  dcsCredential,
  dcsPoolOptions,
  dcsTransport,
  listSites,
} from './dcs-account.js';

async function failureOf(promise: Promise<unknown>): Promise<PlatformFailure> {
  try {
    await promise;
  } catch (error) {
    if (isPlatformFailure(error)) return error;
    throw error;
  }
  throw new Error('expected a PlatformFailure');
}

describe('CredentialPool against dcs-sim', () => {
  let sim: DcsSimulator;
  let transport: JsonTransport;
  let pool: CredentialPool<DcsTestCredential, DcsTestSession>;
  let now: number;

  beforeEach(async () => {
    // The platform locks the account after 3 refused logins in a row, for 10 minutes.
    sim = await startDcsSimulator({ tls: true, faults: { lockAfterFailures: 3, lockSeconds: 600 } });
    transport = dcsTransport(sim);
    now = Date.parse('2026-12-02T10:00:00Z');
    pool = new CredentialPool(
      dcsPoolOptions(transport, { loginBackoff: { maxRefusals: 2, windowMs: 600_000 }, now: () => now }),
    );
  });

  afterEach(async () => {
    await pool.close();
    await transport.close();
    await sim.close();
  });

  it('makes exactly one login for many concurrent reconciles on one account', async () => {
    const credential = dcsCredential(sim);
    // Each reconcile reads the Secret afresh: equal content, different objects.
    const results = await Promise.all(
      Array.from({ length: 25 }, () => listSites(transport, pool, { ...credential })),
    );
    expect(results.every((r) => r.body.sites.length === 1)).toBe(true);
    expect(sim.state().logins.total).toBe(1);
    expect(sim.state().sessions).toHaveLength(1);
    await pool.verify({ ...credential });
    expect(sim.state().logins.total).toBe(1);
  });

  it('logs in again once when the platform expired the session, and retries the calls', async () => {
    const credential = dcsCredential(sim);
    await listSites(transport, pool, credential);
    sim.setFaults({ expireSessions: true, lockAfterFailures: 3, lockSeconds: 600 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => listSites(transport, pool, credential)),
    );
    expect(results).toHaveLength(5);
    expect(sim.state().logins.total).toBe(2);
  });

  it('never lets wrong keys from Secrets and connection tests lock the account; the right key then works', async () => {
    const wrongKeys = Array.from({ length: 12 }, (_, i) => `Wrong-Key-${i}-7f3a9c`);
    const attempts = wrongKeys.flatMap((key, i) => {
      const credential = dcsCredential(sim, key);
      // Every wrong key is used by several reconciles, and half of them by the UI's connection test too.
      return [
        listSites(transport, pool, credential),
        listSites(transport, pool, { ...credential }),
        ...(i % 2 === 0 ? [pool.verify(credential)] : []),
      ];
    });
    const failures = await Promise.all(attempts.map(failureOf));
    expect(failures.every((f) => f.kind === 'LoginRefused')).toBe(true);
    expect(sim.state().logins.failed).toBeLessThanOrEqual(2);
    const suppressed = failures.filter((f) => f.details.retryAfter !== undefined);
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed[0]?.message).toMatch(/^login not tried until 2026-12-02T10:10:00.000Z/);
    for (const failure of failures) for (const key of wrongKeys) expect(failure.message).not.toContain(key);

    // The right key waits for the window like any other; the platform then takes it.
    const right = dcsCredential(sim);
    expect((await failureOf(listSites(transport, pool, right))).details.retryAfter).toBeDefined();
    expect(sim.state().logins.failed).toBeLessThanOrEqual(2);
    now += 600_000;
    expect((await listSites(transport, pool, right)).body.sites).toHaveLength(1);
    expect(sim.state().logins.failed).toBeLessThanOrEqual(2);
  });

  it('uses a rotated Secret on the next call', async () => {
    const wrong = dcsCredential(sim, 'Stale-Key-1');
    expect((await failureOf(listSites(transport, pool, wrong))).kind).toBe('LoginRefused');
    // The operator fixes the Secret: the new content is tried at once, not held back with the old.
    const fixed = dcsCredential(sim);
    expect((await listSites(transport, pool, fixed)).status).toBe(200);
    expect(sim.state().logins.total).toBe(2);

    // A further rotation replaces the working session on the next call (and logs the old one out).
    const rotated = dcsCredential(sim, 'Rotated-Key-2');
    expect((await failureOf(listSites(transport, pool, rotated))).kind).toBe('LoginRefused');
    expect(sim.state().logins.total).toBe(3);
    await expect.poll(() => sim.state().sessions.length).toBe(0);
  });

  it('keeps a working session when a connection test tries another key for the account', async () => {
    const credential = dcsCredential(sim);
    await listSites(transport, pool, credential);
    expect((await failureOf(pool.verify(dcsCredential(sim, 'Typo-Key')))).kind).toBe('LoginRefused');
    await listSites(transport, pool, credential);
    expect(sim.state().logins.total).toBe(2);
    expect(sim.state().sessions).toHaveLength(1);
  });
});
