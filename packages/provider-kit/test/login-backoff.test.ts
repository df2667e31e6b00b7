import { PlatformFailure } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { LoginBackoff } from '../src/index.js';

const refusal = new PlatformFailure(
  'LoginRefused',
  'POST /session: HTTP 401 10000003: wrong user or password',
  {
    httpStatus: 401,
    platformCode: '10000003',
  },
);

describe('LoginBackoff', () => {
  it('tries each credential content once per window and the account at most maxRefusals times', () => {
    let now = 0;
    const backoff = new LoginBackoff({ maxRefusals: 2, windowMs: 60_000, lockedMs: 300_000 }, () => now);
    backoff.check('acct', 'key-a');
    backoff.refused('acct', 'key-a', refusal);
    expect(() => backoff.check('acct', 'key-a')).toThrow(/this credential was refused/);
    backoff.check('acct', 'key-b');
    now = 10_000;
    backoff.refused('acct', 'key-b', refusal);
    expect(() => backoff.check('acct', 'key-c')).toThrow(/2 logins of this account were refused/);
    expect(backoff.suppressedUntil('acct', 'key-c')?.getTime()).toBe(60_000);
    // Another account on the same platform is not held back.
    backoff.check('other', 'key-a');
    now = 60_000;
    // The first refusal left the window: one attempt is free again; key-b's refusal still counts.
    backoff.check('acct', 'key-c');
    expect(() => backoff.check('acct', 'key-b')).toThrow(PlatformFailure);
    backoff.succeeded('acct');
    backoff.check('acct', 'key-b');
  });

  it("holds every login of a locked account until the platform's time, or lockedMs without one", () => {
    let now = 1_000;
    const backoff = new LoginBackoff({ maxRefusals: 5, windowMs: 60_000, lockedMs: 300_000 }, () => now);
    backoff.refused('acct', 'key-a', new PlatformFailure('AccountLocked', 'locked'));
    let suppressed: unknown;
    try {
      backoff.check('acct', 'key-right');
    } catch (error) {
      suppressed = error;
    }
    expect(suppressed).toMatchObject({ kind: 'AccountLocked', details: { retryAfter: new Date(301_000) } });
    now = 301_000;
    backoff.check('acct', 'key-right');

    backoff.refused(
      'acct',
      'key-b',
      new PlatformFailure('AccountLocked', 'locked', { retryAfter: new Date(400_000) }),
    );
    expect(backoff.suppressedUntil('acct', 'key-c')?.getTime()).toBe(400_000);
  });
});
