import { createHash } from 'node:crypto';
import { isPlatformFailure, type PlatformCallRecorder } from '@immutable-infra/core';
import { CredentialPool } from '@immutable-infra/provider-kit';
import type { DcsCredentials } from '../api/credentials.js';
import { DcsApiError, DcsLoginSuppressedError, DcsResponseError, isSessionExpired } from './dcs-api-error.js';
import {
  DcsHttp,
  type DcsHttpOptions,
  type DcsHttpRequest,
  type DcsHttpResponse,
  type DcsTlsOptions,
} from './dcs-http.js';

const SESSION_PATH = '/service/session';
// DCS unlocks an account 5 minutes after the last failed login (the docs' fix for a lockout is
// "scale the manager to 0, wait 5 min"); pausing as long after a refusal keeps us from adding to it.
const DEFAULT_LOGIN_BACKOFF_MS = 5 * 60_000;
// DCS locks an account after 5 failed logins in a row: refused logins of one account, from
// Secrets and connection tests together, stop at 4 per back-off window. A repeated wrong key is
// tried only once in that window.
const MAX_REFUSALS = 4;

export type DcsUserType = 'interconnect' | 'domain';

/** Who logs in where. The key is the password as the operator typed it; only its SHA-256 is sent. */
export interface DcsCredential extends DcsTlsOptions {
  endpoint: string;
  user: string;
  key: string;
  /** Defaults to `interconnect` (a machine user), the kind the docs tell operators to create. */
  userType?: DcsUserType | undefined;
}

export interface DcsSessionOptions extends Omit<DcsHttpOptions, 'endpoint' | keyof DcsTlsOptions> {
  /** How long a refused credential (wrong key, locked account) is not tried again. */
  loginBackoffMs?: number | undefined;
  /** Counts logins and logouts ('Login', 'Logout'). */
  recorder?: PlatformCallRecorder | undefined;
  /** Milliseconds since the epoch; for the login back-off. */
  now?: (() => number) | undefined;
}

/** The Secret's keys (see parseCredentials) as a credential. */
export function credentialFromSecret(credentials: DcsCredentials, tls: DcsTlsOptions = {}): DcsCredential {
  return {
    endpoint: credentials.endpoint,
    user: credentials.authUser,
    key: credentials.authKey,
    userType: credentials.userType ?? 'interconnect',
    ...tls,
  };
}

type DcsPool = CredentialPool<DcsAccount, DcsToken>;

/** A session token and the transport it was issued on. */
interface DcsToken {
  token: string;
  http: DcsHttp;
}

/** A credential with the transport its content asks for (endpoint and TLS settings). */
interface DcsAccount {
  credential: DcsCredential;
  http: DcsHttp;
}

function credentialPool(options: DcsSessionOptions): DcsPool {
  const backoffMs = options.loginBackoffMs ?? DEFAULT_LOGIN_BACKOFF_MS;
  return new CredentialPool<DcsAccount, DcsToken>({
    // The user type is part of who logs in: an interconnect and a domain user are two accounts.
    accountOf: ({ credential }) => ({
      endpoint: credential.endpoint,
      user: `${credential.user}\n${credential.userType ?? 'interconnect'}`,
    }),
    fingerprintOf: ({ credential }) =>
      createHash('sha256')
        .update(
          JSON.stringify([
            credential.key,
            credential.userType ?? 'interconnect',
            credential.caCertificate ?? '',
            credential.insecureSkipVerify === true,
          ]),
        )
        .digest('hex'),
    login: ({ credential, http }) => login(http, credential),
    // A session is logged out when its content is replaced or the pool closes: its connections go too.
    logout: async ({ token, http }) => {
      try {
        await http.request({ method: 'DELETE', path: SESSION_PATH, headers: { 'X-Auth-Token': token } });
      } finally {
        http.close();
      }
    },
    isSessionExpired,
    loginBackoff: { maxRefusals: MAX_REFUSALS, windowMs: backoffMs, lockedMs: backoffMs },
    recorder: options.recorder,
    now: options.now,
  });
}

async function login(http: DcsHttp, credential: DcsCredential): Promise<DcsToken> {
  const response = await http.request({
    method: 'POST',
    path: SESSION_PATH,
    headers: {
      'X-Auth-User': credential.user,
      'X-Auth-Key': createHash('sha256').update(credential.key, 'utf8').digest('hex'),
      'X-Auth-UserType': credential.userType === 'domain' ? '0' : '2',
      'X-Auth-AuthType': '0',
    },
  });
  const token = response.headers['x-auth-token'];
  if (!token) throw new DcsResponseError('POST', SESSION_PATH, 'the login answer has no X-Auth-Token header');
  return { token, http };
}

/**
 * One credential's session on one VRM, through the kit's credential pool: it logs in on first
 * use, shares one login among concurrent callers, logs in again once when the VRM says the
 * session expired, and holds logins back after refusals (a wrong key is tried once per back-off
 * window), since every failed login counts towards locking the account for everyone.
 */
export class DcsSession {
  readonly endpoint: string;
  readonly user: string;
  readonly userType: DcsUserType;
  // Private fields stay out of util.inspect and JSON, so logging the session cannot leak the key.
  readonly #account: DcsAccount;
  readonly #pool: DcsPool;
  readonly #ownPool: boolean;

  /** Without a pool, the session has one of its own (a one-off connection test, say). */
  constructor(credential: DcsCredential, options: DcsSessionOptions = {}, pool?: DcsPool) {
    this.endpoint = new URL(credential.endpoint).origin;
    this.user = credential.user;
    this.userType = credential.userType ?? 'interconnect';
    const http = new DcsHttp({
      ...options,
      endpoint: this.endpoint,
      caCertificate: credential.caCertificate,
      insecureSkipVerify: credential.insecureSkipVerify,
      secrets: [credential.key, createHash('sha256').update(credential.key, 'utf8').digest('hex')],
    });
    this.#account = { credential, http };
    this.#pool = pool ?? credentialPool(options);
    this.#ownPool = pool === undefined;
  }

  /** Whether this session was made for exactly this credential: same key and TLS settings. */
  serves(credential: DcsCredential): boolean {
    const mine = this.#account.credential;
    return (
      new URL(credential.endpoint).origin === this.endpoint &&
      credential.user === this.user &&
      (credential.userType ?? 'interconnect') === this.userType &&
      credential.key === mine.key &&
      credential.caCertificate === mine.caCertificate &&
      credential.insecureSkipVerify === mine.insecureSkipVerify
    );
  }

  /** One JSON request with the session token. */
  request(spec: DcsHttpRequest): Promise<DcsHttpResponse> {
    return this.withToken((headers) =>
      this.#account.http.request({ ...spec, headers: { ...spec.headers, ...headers } }),
    );
  }

  /** A raw PUT of bytes with the session token (the second step of an upload). */
  putRaw(spec: Omit<DcsHttpRequest, 'method' | 'body'>, bytes: Uint8Array): Promise<DcsHttpResponse> {
    return this.withToken((headers) =>
      this.#account.http.putRaw({ ...spec, headers: { ...spec.headers, ...headers } }, bytes),
    );
  }

  /** The connection test: logs in through the same back-off as every reconcile. */
  async verify(): Promise<void> {
    await this.withToken(async () => undefined);
  }

  /** Logs out (best effort: the VRM expires the session anyway) when the session has its own pool. */
  async close(): Promise<void> {
    if (this.#ownPool) await this.#pool.close();
    this.#account.http.close();
  }

  private async withToken<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    try {
      return await this.#pool.use(this.#account, ({ token }) => send({ 'X-Auth-Token': token }));
    } catch (error) {
      // The kit's back-off held the login back: say which refusal started the pause.
      if (isPlatformFailure(error) && !(error instanceof DcsApiError) && error.cause instanceof DcsApiError)
        throw new DcsLoginSuppressedError(error.cause, error.details.retryAfter ?? new Date());
      throw error;
    }
  }
}

/**
 * Sessions shared by every reconcile, one per account (endpoint, user, user type): a session
 * per reconcile would log in for every object and leave sessions behind on the VRM (CAPV had
 * that leak). A changed key or TLS setting replaces the session.
 */
export class DcsSessionPool {
  private readonly sessions = new Map<string, DcsSession>();
  private readonly pool: DcsPool;

  constructor(private readonly options: DcsSessionOptions = {}) {
    this.pool = credentialPool(options);
  }

  session(credential: DcsCredential): DcsSession {
    const id = [
      new URL(credential.endpoint).origin,
      credential.user,
      credential.userType ?? 'interconnect',
    ].join('\n');
    const existing = this.sessions.get(id);
    if (existing?.serves(credential)) return existing;
    // The pool logs the old content's session out when the new one is first used.
    const session = new DcsSession(credential, this.options, this.pool);
    this.sessions.set(id, session);
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await this.pool.close();
    for (const session of sessions) await session.close();
  }
}
