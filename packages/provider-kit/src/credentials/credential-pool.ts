import { createHash } from 'node:crypto';
import { isPlatformFailure, type PlatformCallRecorder } from '@immutable-infra/core';
import { DEFAULT_LOGIN_BACKOFF, LoginBackoff, type LoginBackoffPolicy } from './login-backoff.js';

/** Who a credential logs in as: the platform endpoint and the user (or access key id, or project). */
export interface PlatformAccount {
  endpoint: string;
  user: string;
}

export interface CredentialPoolOptions<Credential, Session> {
  /** The account a credential belongs to; sessions and login back-off are per account, not per Secret. */
  accountOf(credential: Credential): PlatformAccount;
  /**
   * Logs in and returns the session (a token holder, a signer, a SOAP cookie jar). A refusal must
   * throw a PlatformFailure of kind LoginRefused, a lockout one of kind AccountLocked. Platforms
   * without a login call (AK/SK signing) return the signer at once. The signal is the first
   * caller's: concurrent callers share that one login.
   */
  login(credential: Credential, signal?: AbortSignal): Promise<Session>;
  /** Ends a session that is replaced or closed; best effort, failures are ignored. */
  logout?(session: Session): Promise<void>;
  /** Whether a call failed because the platform no longer accepts the session (it is re-logged once). */
  isSessionExpired(error: unknown): boolean;
  /** The content a session was made from; by default a SHA-256 of the credential's JSON. */
  fingerprintOf?(credential: Credential): string;
  loginBackoff?: Partial<LoginBackoffPolicy> | undefined;
  /** Counts logins (`Login`) and logouts (`Logout`) for the host's metrics. */
  recorder?: PlatformCallRecorder | undefined;
  /** Milliseconds since the epoch; for the login back-off. */
  now?: (() => number) | undefined;
}

interface PooledSession<Session> {
  fingerprint: string;
  session: Promise<Session>;
}

/**
 * One platform session per account, shared by every reconcile and by the UI's connection test.
 * A session is made on first use (concurrent callers share the one login), replaced when the
 * credential's content changes (a rotated key is used on the next call), re-made once when the
 * platform says it expired, and logins are held back per account after refusals so that wrong
 * keys cannot make the platform lock the account.
 */
export class CredentialPool<Credential, Session> {
  private readonly sessions = new Map<string, PooledSession<Session>>();
  // One login at a time per account: two Secrets with different wrong keys must not both pass the
  // back-off check before either refusal is counted.
  private readonly loginQueues = new Map<string, Promise<unknown>>();
  private readonly backoff: LoginBackoff;
  private closed = false;

  constructor(private readonly options: CredentialPoolOptions<Credential, Session>) {
    this.backoff = new LoginBackoff(
      { ...DEFAULT_LOGIN_BACKOFF, ...options.loginBackoff },
      options.now ?? Date.now,
    );
  }

  /**
   * Runs a platform call with the account's session. When the platform says the session expired,
   * logs in once more and runs the call again (once).
   */
  async use<T>(
    credential: Credential,
    call: (session: Session) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const account = this.accountKey(credential);
    const entry = this.entry(account, credential, signal);
    const session = await entry.session;
    try {
      return await call(session);
    } catch (error) {
      if (!this.options.isSessionExpired(error)) throw error;
      // Only the first caller to see this session refused drops it; callers that saw the same
      // refusal then share the one login it starts.
      if (this.sessions.get(account) === entry) this.sessions.delete(account);
      return await call(await this.entry(account, credential, signal).session);
    }
  }

  /** The account's session for this credential content, logging in when there is none. */
  async session(credential: Credential, signal?: AbortSignal): Promise<Session> {
    return await this.entry(this.accountKey(credential), credential, signal).session;
  }

  private entry(account: string, credential: Credential, signal?: AbortSignal): PooledSession<Session> {
    if (this.closed) throw new Error('the credential pool is closed');
    const fingerprint = this.fingerprint(credential);
    const pooled = this.sessions.get(account);
    if (pooled?.fingerprint === fingerprint) return pooled;
    if (pooled) this.retire(pooled);
    const entry = { fingerprint, session: this.login(account, fingerprint, credential, signal) };
    this.sessions.set(account, entry);
    // A failed login leaves no session behind: the next call asks the back-off again.
    entry.session.catch(() => {
      if (this.sessions.get(account) === entry) this.sessions.delete(account);
    });
    return entry;
  }

  /**
   * The connection test of a credential form: succeeds when the credential logs in, through the
   * same back-off as every reconcile. It reuses the account's session when the content is the
   * same, and never replaces a working session with the tested one.
   */
  async verify(credential: Credential, signal?: AbortSignal): Promise<void> {
    const account = this.accountKey(credential);
    const fingerprint = this.fingerprint(credential);
    const pooled = this.sessions.get(account);
    if (pooled?.fingerprint === fingerprint) {
      await pooled.session;
      return;
    }
    if (!pooled) {
      await this.session(credential, signal);
      return;
    }
    const tested = await this.login(account, fingerprint, credential, signal);
    await this.logout(tested);
  }

  /** When the next login for this credential may be tried, if the back-off holds it now. */
  loginSuppressedUntil(credential: Credential): Date | undefined {
    return this.backoff.suppressedUntil(this.accountKey(credential), this.fingerprint(credential));
  }

  /** Accounts with a session (or a login under way). */
  get size(): number {
    return this.sessions.size;
  }

  /** Logs every session out and refuses further use. */
  async close(): Promise<void> {
    this.closed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      sessions.map((pooled) =>
        pooled.session.then(
          (s) => this.logout(s),
          () => undefined,
        ),
      ),
    );
  }

  private login(
    account: string,
    fingerprint: string,
    credential: Credential,
    signal?: AbortSignal,
  ): Promise<Session> {
    const previous = this.loginQueues.get(account) ?? Promise.resolve();
    const attempt = previous
      .catch(() => undefined)
      .then(async () => {
        this.backoff.check(account, fingerprint);
        try {
          const session = await this.record('Login', () => this.options.login(credential, signal));
          this.backoff.succeeded(account);
          return session;
        } catch (error) {
          if (isPlatformFailure(error) && (error.kind === 'LoginRefused' || error.kind === 'AccountLocked'))
            this.backoff.refused(account, fingerprint, error);
          // Unreachable, TLS, 5xx: the platform did not judge the key, so nothing is counted.
          throw error;
        }
      });
    this.loginQueues.set(account, attempt);
    void attempt.then(
      () => this.forgetQueue(account, attempt),
      () => this.forgetQueue(account, attempt),
    );
    return attempt;
  }

  private forgetQueue(account: string, attempt: Promise<unknown>): void {
    if (this.loginQueues.get(account) === attempt) this.loginQueues.delete(account);
  }

  private retire(pooled: PooledSession<Session>): void {
    void pooled.session.then(
      (session) => this.logout(session),
      () => undefined,
    );
  }

  private async logout(session: Session): Promise<void> {
    const logout = this.options.logout;
    if (!logout) return;
    await this.record('Logout', () => logout(session)).catch(() => undefined);
  }

  private record<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.options.recorder ? this.options.recorder.record(operation, call) : call();
  }

  private accountKey(credential: Credential): string {
    const { endpoint, user } = this.options.accountOf(credential);
    return `${new URL(endpoint).origin}\n${user}`;
  }

  private fingerprint(credential: Credential): string {
    if (this.options.fingerprintOf) return this.options.fingerprintOf(credential);
    return createHash('sha256').update(stableJson(credential)).digest('hex');
  }
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
