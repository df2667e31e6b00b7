import { PlatformFailure } from '@immutable-infra/core';

/**
 * How many refused logins one platform account may collect, and over how long. Set `maxRefusals`
 * below the platform's lockout threshold and `windowMs` to at least the window the platform counts
 * failures in (or its lock duration, for a platform that counts them until the next success), so
 * that no sequence of wrong keys makes the platform lock the account for everyone using it.
 */
export interface LoginBackoffPolicy {
  /** Refused logins allowed per account within `windowMs`; the next login waits. */
  maxRefusals: number;
  windowMs: number;
  /** How long no login is tried after the platform said the account is locked, when it did not say until when. */
  lockedMs: number;
}

/** Two refusals per 15 minutes: below the common lockout thresholds (DCS 5, Huawei IAM 5, vCenter 5). */
export const DEFAULT_LOGIN_BACKOFF: LoginBackoffPolicy = {
  maxRefusals: 2,
  windowMs: 15 * 60_000,
  lockedMs: 15 * 60_000,
};

interface Refusal {
  at: number;
  fingerprint: string;
  failure: PlatformFailure;
}

interface AccountRecord {
  refusals: Refusal[];
  locked?: { until: number; failure: PlatformFailure };
}

/**
 * Per-account memory of refused logins. A login is suppressed (a PlatformFailure of the refusal's
 * kind with `retryAfter`, and nothing sent) when the account is locked, when the same credential
 * content was already refused within the window (a wrong key is tried once, however many
 * reconciles use it), or when the account has used up its refusals for the window.
 */
export class LoginBackoff {
  private readonly accounts = new Map<string, AccountRecord>();

  constructor(
    private readonly policy: LoginBackoffPolicy,
    private readonly now: () => number,
  ) {
    if (!(Number.isInteger(policy.maxRefusals) && policy.maxRefusals >= 1))
      throw new Error(`login back-off needs maxRefusals >= 1 (got ${policy.maxRefusals})`);
  }

  /** Throws the suppression failure when a login for this account and content must not be tried now. */
  check(account: string, fingerprint: string): void {
    const record = this.accounts.get(account);
    if (!record) return;
    const now = this.now();
    if (record.locked && record.locked.until > now)
      throw suppressed(record.locked.failure, record.locked.until, 'the platform locked the account');
    record.refusals = record.refusals.filter((refusal) => refusal.at + this.policy.windowMs > now);
    const same = record.refusals.find((refusal) => refusal.fingerprint === fingerprint);
    if (same) throw suppressed(same.failure, same.at + this.policy.windowMs, 'this credential was refused');
    const oldest = record.refusals[0];
    if (oldest && record.refusals.length >= this.policy.maxRefusals)
      throw suppressed(
        oldest.failure,
        oldest.at + this.policy.windowMs,
        `${record.refusals.length} logins of this account were refused`,
      );
  }

  /** Records a login the platform refused (LoginRefused) or answered with a lock (AccountLocked). */
  refused(account: string, fingerprint: string, failure: PlatformFailure): void {
    const now = this.now();
    const record = this.accounts.get(account) ?? { refusals: [] };
    record.refusals.push({ at: now, fingerprint, failure });
    if (failure.kind === 'AccountLocked') {
      const until = failure.details.retryAfter?.getTime() ?? now + this.policy.lockedMs;
      record.locked = { until, failure };
    }
    this.accounts.set(account, record);
  }

  /** A login succeeded: the platform starts counting failures afresh, and so do we. */
  succeeded(account: string): void {
    this.accounts.delete(account);
  }

  /** When the next login of this account may be tried, if it is held back now. */
  suppressedUntil(account: string, fingerprint: string): Date | undefined {
    try {
      this.check(account, fingerprint);
      return undefined;
    } catch (error) {
      return (error as PlatformFailure).details.retryAfter;
    }
  }
}

function suppressed(refusal: PlatformFailure, until: number, why: string): PlatformFailure {
  const retryAfter = new Date(until);
  return new PlatformFailure(
    refusal.kind,
    `login not tried until ${retryAfter.toISOString()} (${why}, and each refused login counts towards locking the account): ${refusal.message}`,
    { ...refusal.details, retryAfter, cause: refusal },
  );
}
