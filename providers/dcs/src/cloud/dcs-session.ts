import { createHash } from 'node:crypto';
import type { PlatformCallRecorder, PlatformLimits } from '@immutable-infra/core';
import {
  AccountSessions,
  accountTransportLimits,
  CredentialPool,
  credentialFingerprint,
  type JsonRequest,
  type JsonResponse,
  JsonTransport,
  LookupCache,
  PooledAccountSession,
  type TransportAccount,
} from '@immutable-infra/provider-kit';
import type { DcsCredentials } from '../api/credentials.js';
import { DcsResponseError, isSessionExpired, readDcsErrorAnswer } from './dcs-api-error.js';

const SESSION_PATH = '/service/session';
// The API version the contract speaks; the VRM answers older versions in older shapes.
const ACCEPT = 'application/json;version=8.0;charset=UTF-8';
// Every object URI the VRM hands out (task, VM, upload) lives under the sites.
const SITES_PREFIX = '/service/sites/';
// Ignition ISOs are small, but an upload may go to a busy host's management address.
const DEFAULT_UPLOAD_TIMEOUT_MS = 120_000;
// DCS unlocks an account 5 minutes after the last failed login (the docs' fix for a lockout is
// "scale the manager to 0, wait 5 min"); pausing as long after a refusal keeps us from adding to it.
const DEFAULT_LOGIN_BACKOFF_MS = 5 * 60_000;
// DCS locks an account after 5 failed logins in a row: refused logins of one account, from
// Secrets and connection tests together, stop at 4 per back-off window. A repeated wrong key is
// tried only once in that window.
const MAX_REFUSALS = 4;

export type DcsUserType = 'interconnect' | 'domain';

export interface DcsTlsOptions {
  /** PEM of the CA that signed the VRM certificate (the VRM's own certificate is self-signed). */
  caCertificate?: string | undefined;
  /** Accept any certificate. Only for labs: anyone on the path can then read the session token. */
  insecureSkipVerify?: boolean | undefined;
}

/** Who logs in where. The key is the password as the operator typed it; only its SHA-256 is sent. */
export interface DcsCredential extends DcsTlsOptions {
  endpoint: string;
  user: string;
  key: string;
  /** Defaults to `interconnect` (a machine user), the kind the docs tell operators to create. */
  userType?: DcsUserType | undefined;
  /** This account's request limits (from its Secret or the manager); the session options' otherwise. */
  limits?: PlatformLimits | undefined;
}

export interface DcsSessionOptions {
  timeoutMs?: number | undefined;
  uploadTimeoutMs?: number | undefined;
  /** Client-side rate limit; defaults to 20 requests per second with a burst of 40. */
  qps?: number | undefined;
  burst?: number | undefined;
  /** How long a refused credential (wrong key, locked account) is not tried again. */
  loginBackoffMs?: number | undefined;
  /** Counts logins and logouts ('Login', 'Logout'). */
  recorder?: PlatformCallRecorder | undefined;
  /** Milliseconds since the epoch; for the login back-off. */
  now?: (() => number) | undefined;
}

export interface DcsRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /**
   * A path under the endpoint (`/service/...`), or a URI the VRM gave (task, upload, an object's
   * `uri`): those are followed only on the endpoint's origin, under `/service/sites/`.
   */
  path: string;
  query?: JsonRequest['query'];
  /** Sent as JSON. POST and PUT without a body send `{}`, as the reference clients do. */
  body?: unknown;
  /** Sent as they are (`application/octet-stream`) instead of a body: the second step of an upload. */
  bytes?: Uint8Array | undefined;
  signal?: AbortSignal | undefined;
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

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A credential with the transport its content asks for (endpoint and TLS settings). */
type DcsAccount = TransportAccount<DcsCredential>;

/** A session token and the transport it was issued on. */
interface DcsToken {
  token: string;
  transport: JsonTransport;
}

type DcsPool = CredentialPool<DcsAccount, DcsToken>;

/** Who logs in where: an interconnect and a domain user of the same name are two accounts. */
const accountOf = (credential: DcsCredential) => ({
  endpoint: credential.endpoint,
  user: `${credential.user}\n${credential.userType ?? 'interconnect'}`,
});

/** What else a session is made from: a changed key, TLS setting or limit needs a new one. */
const contentOf = (credential: DcsCredential) =>
  credentialFingerprint([
    credential.key,
    credential.userType ?? 'interconnect',
    credential.caCertificate ?? '',
    credential.insecureSkipVerify === true,
    credential.limits ?? {},
  ]);

function credentialPool(options: DcsSessionOptions): DcsPool {
  const backoffMs = options.loginBackoffMs ?? DEFAULT_LOGIN_BACKOFF_MS;
  return new CredentialPool<DcsAccount, DcsToken>({
    accountOf: ({ credential }) => accountOf(credential),
    fingerprintOf: ({ credential }) => contentOf(credential),
    login,
    // A session is logged out when its content is replaced or the pool closes: its connections go too.
    logout: async ({ token, transport }) => {
      try {
        await transport.request({ method: 'DELETE', path: SESSION_PATH, headers: { 'X-Auth-Token': token } });
      } finally {
        await transport.close().catch(() => undefined);
      }
    },
    isSessionExpired,
    loginBackoff: { maxRefusals: MAX_REFUSALS, windowMs: backoffMs, lockedMs: backoffMs },
    recorder: options.recorder,
    now: options.now,
  });
}

/** Logs in; the key goes out only as its SHA-256. */
async function login({ credential, transport }: DcsAccount): Promise<DcsToken> {
  const response = await transport.request({
    method: 'POST',
    path: SESSION_PATH,
    body: {},
    headers: {
      'X-Auth-User': credential.user,
      'X-Auth-Key': sha256(credential.key),
      'X-Auth-UserType': credential.userType === 'domain' ? '0' : '2',
      'X-Auth-AuthType': '0',
    },
  });
  const token = response.headers['x-auth-token'];
  if (!token) throw new DcsResponseError('POST', SESSION_PATH, 'the login answer has no X-Auth-Token header');
  return { token, transport };
}

/** A DCS request as the kit's transport sends it. */
function jsonRequest(spec: DcsRequest, uploadTimeoutMs: number): JsonRequest {
  // URIs from DCS are links; the few fixed entry points are paths.
  const target =
    spec.path.startsWith(SITES_PREFIX) || !spec.path.startsWith('/')
      ? { link: spec.path }
      : { path: spec.path };
  const common = { method: spec.method, ...target, query: spec.query, signal: spec.signal };
  if (spec.bytes)
    return {
      ...common,
      bytes: { data: spec.bytes, contentType: 'application/octet-stream' },
      timeoutMs: uploadTimeoutMs,
    };
  const withBody = spec.body !== undefined || spec.method === 'POST' || spec.method === 'PUT';
  return {
    ...common,
    ...(withBody ? { body: spec.body ?? {} } : {}),
    // A JSON PUT changes a DRS rule set by operation ("create rule"): sent twice, DCS refuses the second.
    ...(spec.method === 'PUT' ? { idempotent: false } : {}),
  };
}

/**
 * One credential's session on one VRM, through the kit's credential pool: it logs in on first
 * use, shares one login among concurrent callers, logs in again once when the VRM says the
 * session expired, and holds logins back after refusals (a wrong key is tried once per back-off
 * window), since every failed login counts towards locking the account for everyone.
 */
export class DcsSession extends PooledAccountSession<DcsCredential, DcsToken> {
  readonly endpoint: string;
  readonly user: string;
  readonly userType: DcsUserType;
  readonly #uploadTimeoutMs: number;
  /** The account's inventory lookups, reused by every reconcile for a while (see DcsClient). */
  readonly lookups = new LookupCache();

  /** Without a pool, the session has one of its own (a one-off connection test, say). */
  constructor(credential: DcsCredential, options: DcsSessionOptions = {}, pool?: DcsPool) {
    const transport = new JsonTransport({
      endpoint: credential.endpoint,
      caBundle: credential.caCertificate,
      insecureSkipTlsVerify: credential.insecureSkipVerify,
      requestTimeoutMs: options.timeoutMs,
      ...accountTransportLimits(credential.limits, options),
      defaultHeaders: { Accept: ACCEPT, 'Accept-Language': 'en_US' },
      linkPathPrefixes: [SITES_PREFIX],
      readErrorAnswer: readDcsErrorAnswer,
      secrets: [credential.key, sha256(credential.key)],
    });
    super({ credential, transport }, pool, () => credentialPool(options));
    this.endpoint = transport.origin;
    this.user = credential.user;
    this.userType = credential.userType ?? 'interconnect';
    this.#uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
  }

  /** The limits this session's requests keep to (the credential's, else the session options'). */
  get limits(): PlatformLimits {
    return this.transport.limits;
  }

  /** One request with the session token. */
  request<Body = unknown>(spec: DcsRequest): Promise<JsonResponse<Body>> {
    const request = jsonRequest(spec, this.#uploadTimeoutMs);
    return this.withSession(({ token, transport }) =>
      transport.request<Body>({ ...request, headers: { 'X-Auth-Token': token } }),
    );
  }
}

/**
 * Sessions shared by every reconcile, one per account (endpoint, user, user type); a changed key
 * or TLS setting replaces the session (the pool logs the old one out when the new one is first used).
 */
export class DcsSessionPool {
  private readonly pool: DcsPool;
  private readonly sessions: AccountSessions<DcsCredential, DcsSession>;

  constructor(options: DcsSessionOptions = {}) {
    const pool = credentialPool(options);
    this.pool = pool;
    this.sessions = new AccountSessions({
      idOf: (credential) => {
        const { endpoint, user } = accountOf(credential);
        return `${new URL(endpoint).origin}\n${user}`;
      },
      fingerprintOf: contentOf,
      open: (credential) => new DcsSession(credential, options, pool),
    });
  }

  session(credential: DcsCredential): DcsSession {
    return this.sessions.session(credential);
  }

  get size(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    const sessions = this.sessions.drain();
    await this.pool.close();
    for (const session of sessions) await session.close();
  }
}
