import { createHash } from 'node:crypto';
import type { PlatformCallRecorder } from '@immutable-infra/core';
import type { DcsCredentials } from '../api/credentials.js';
import {
  DcsApiError,
  DcsLoginSuppressedError,
  DcsResponseError,
  isSessionExpired,
  maskSecrets,
} from './dcs-api-error.js';
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
  /** How long no login is attempted after one was refused (wrong key, locked account). */
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

/**
 * One logged-in session on one VRM for one credential. It logs in on first use, shares one
 * login among concurrent callers, logs in again once when the VRM says the session expired and
 * retries that call once, and never retries a refused login: a wrong key or a locked account is
 * reported, and no login is tried for that credential during the back-off, since every failed
 * login counts towards locking the account for everyone.
 */
export class DcsSession {
  readonly endpoint: string;
  readonly user: string;
  readonly userType: DcsUserType;
  // Private fields stay out of util.inspect and JSON, so logging the session cannot leak the key.
  readonly #key: string;
  readonly #keyHash: string;
  readonly #tls: DcsTlsOptions;
  readonly #http: DcsHttp;
  readonly #options: DcsSessionOptions;
  #token: string | undefined;
  #login: Promise<string> | undefined;
  #refusal: { error: DcsApiError; until: number } | undefined;
  #closed = false;

  constructor(credential: DcsCredential, options: DcsSessionOptions = {}) {
    this.endpoint = new URL(credential.endpoint).origin;
    this.user = credential.user;
    this.userType = credential.userType ?? 'interconnect';
    this.#key = credential.key;
    this.#keyHash = createHash('sha256').update(credential.key, 'utf8').digest('hex');
    this.#tls = {
      caCertificate: credential.caCertificate,
      insecureSkipVerify: credential.insecureSkipVerify,
    };
    this.#options = options;
    this.#http = new DcsHttp({ ...options, ...this.#tls, endpoint: this.endpoint });
  }

  /** True when a token is held (the VRM may still have expired it). */
  get loggedIn(): boolean {
    return this.#token !== undefined;
  }

  /** Whether this session was made for exactly this credential: same key and TLS settings. */
  serves(credential: DcsCredential): boolean {
    return (
      new URL(credential.endpoint).origin === this.endpoint &&
      credential.user === this.user &&
      (credential.userType ?? 'interconnect') === this.userType &&
      credential.key === this.#key &&
      credential.caCertificate === this.#tls.caCertificate &&
      credential.insecureSkipVerify === this.#tls.insecureSkipVerify
    );
  }

  /** One JSON request with the session token. */
  request(spec: DcsHttpRequest): Promise<DcsHttpResponse> {
    return this.withToken((headers) =>
      this.#http.request({ ...spec, headers: { ...spec.headers, ...headers } }),
    );
  }

  /** A raw PUT of bytes with the session token (the second step of an upload). */
  putRaw(spec: Omit<DcsHttpRequest, 'method' | 'body'>, bytes: Uint8Array): Promise<DcsHttpResponse> {
    return this.withToken((headers) =>
      this.#http.putRaw({ ...spec, headers: { ...spec.headers, ...headers } }, bytes),
    );
  }

  /** Logs out (best effort: the VRM expires the session anyway) and closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#login?.catch(() => undefined);
    const token = this.#token;
    this.#token = undefined;
    if (token) {
      const logout = () =>
        this.#http.request({ method: 'DELETE', path: SESSION_PATH, headers: { 'X-Auth-Token': token } });
      await this.record('Logout', logout).catch(() => undefined);
    }
    this.#http.close();
  }

  private async withToken<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    const token = await this.token();
    try {
      return await send({ 'X-Auth-Token': token });
    } catch (error) {
      if (!isSessionExpired(error)) throw error;
      // Only the first caller to see this token refused drops it; callers that saw the same
      // refusal then share the one login it starts.
      if (this.#token === token) this.#token = undefined;
      return await send({ 'X-Auth-Token': await this.token() });
    }
  }

  private token(): Promise<string> {
    if (this.#closed)
      return Promise.reject(new Error(`DCS session for ${this.user}@${this.endpoint} is closed`));
    if (this.#token) return Promise.resolve(this.#token);
    this.#login ??= this.login().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  private async login(): Promise<string> {
    const now = this.#options.now ?? Date.now;
    if (this.#refusal && now() < this.#refusal.until)
      throw new DcsLoginSuppressedError(this.#refusal.error, new Date(this.#refusal.until));
    const send = () =>
      this.#http.request({
        method: 'POST',
        path: SESSION_PATH,
        headers: {
          'X-Auth-User': this.user,
          'X-Auth-Key': this.#keyHash,
          'X-Auth-UserType': this.userType === 'domain' ? '0' : '2',
          'X-Auth-AuthType': '0',
        },
      });
    let response: DcsHttpResponse;
    try {
      response = await this.record('Login', send);
    } catch (error) {
      if (error instanceof DcsApiError && (error.httpStatus === 401 || error.httpStatus === 403)) {
        const refusal = this.withoutSecrets(error);
        this.#refusal = {
          error: refusal,
          until: now() + (this.#options.loginBackoffMs ?? DEFAULT_LOGIN_BACKOFF_MS),
        };
        throw refusal;
      }
      // Unreachable, TLS, 5xx: the VRM did not judge the key, so the next reconcile may try again.
      throw error;
    }
    const token = response.headers['x-auth-token'];
    const value = Array.isArray(token) ? token[0] : token;
    if (!value)
      throw new DcsResponseError('POST', SESSION_PATH, 'the login answer has no X-Auth-Token header');
    this.#refusal = undefined;
    this.#token = value;
    return value;
  }

  /** The VRM writes errorDes itself; should it ever echo the key, it goes no further. */
  private withoutSecrets(error: DcsApiError): DcsApiError {
    const errorDes = maskSecrets(error.errorDes, [this.#key, this.#keyHash]);
    if (errorDes === error.errorDes) return error;
    return new DcsApiError(error.httpStatus, error.errorCode, errorDes, error.method, error.path);
  }

  private record<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.#options.recorder ? this.#options.recorder.record(operation, call) : call();
  }
}

/**
 * Sessions shared by every reconcile, one per credential (endpoint, user, user type): a session
 * per reconcile would log in for every object and leave sessions behind on the VRM (CAPV had
 * that leak). A changed key or TLS setting replaces the session, and ends its back-off.
 */
export class DcsSessionPool {
  private readonly sessions = new Map<string, DcsSession>();

  constructor(private readonly options: DcsSessionOptions = {}) {}

  session(credential: DcsCredential): DcsSession {
    const id = [
      new URL(credential.endpoint).origin,
      credential.user,
      credential.userType ?? 'interconnect',
    ].join('\n');
    const existing = this.sessions.get(id);
    if (existing?.serves(credential)) return existing;
    // The old session's key no longer applies; its logout may fail and that is fine.
    void existing?.close();
    const session = new DcsSession(credential, this.options);
    this.sessions.set(id, session);
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((session) => session.close()));
  }
}
