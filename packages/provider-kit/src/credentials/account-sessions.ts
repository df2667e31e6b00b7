import { createHash } from 'node:crypto';
import type { PlatformLimits } from '@immutable-infra/core';
import type { JsonTransport, JsonTransportOptions } from '../transport/json-transport.js';
import type { CredentialPool } from './credential-pool.js';

/**
 * What a session is made from besides its account (the key, TLS settings, limits), as a SHA-256:
 * a changed part needs a new session. Only the digest is kept, never the key itself.
 */
export function credentialFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex');
}

/** The transport limits of an account: its own (from its Secret or the manager), else the session options'. */
export function accountTransportLimits(
  limits: PlatformLimits | undefined,
  defaults: { qps?: number | undefined; burst?: number | undefined },
): Pick<JsonTransportOptions, 'qps' | 'burst' | 'maxConcurrentRequests'> {
  return {
    qps: limits?.requestsPerSecond ?? defaults.qps,
    burst: limits?.burst ?? defaults.burst,
    maxConcurrentRequests: limits?.maxConcurrentRequests,
  };
}

/** A credential with the transport its content asks for (endpoint, TLS settings, limits). */
export interface TransportAccount<Credential> {
  credential: Credential;
  transport: JsonTransport;
}

/**
 * One account's handle on its pooled platform session, for a provider's session class to extend:
 * every call goes through the credential pool (one login shared by concurrent callers, a re-login
 * when the platform says the session expired, the login back-off after refusals). Without a pool
 * given, the handle has one of its own (a one-off connection test, say) and logs out on close.
 */
export class PooledAccountSession<Credential, Session> {
  // Private fields stay out of util.inspect and JSON, so logging a session cannot leak its key.
  readonly #account: TransportAccount<Credential>;
  readonly #pool: CredentialPool<TransportAccount<Credential>, Session>;
  readonly #ownPool: boolean;

  constructor(
    account: TransportAccount<Credential>,
    pool: CredentialPool<TransportAccount<Credential>, Session> | undefined,
    ownPool: () => CredentialPool<TransportAccount<Credential>, Session>,
  ) {
    this.#account = account;
    this.#pool = pool ?? ownPool();
    this.#ownPool = pool === undefined;
  }

  /** The account's transport (its connections, limits and TLS settings). */
  protected get transport(): JsonTransport {
    return this.#account.transport;
  }

  /** Runs a platform call with the account's session (re-logged in once when it expired). */
  protected withSession<T>(call: (session: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#pool.use(this.#account, call, signal);
  }

  /** The account's session, logging in when there is none yet. */
  protected currentSession(signal?: AbortSignal): Promise<Session> {
    return this.#pool.session(this.#account, signal);
  }

  /** The connection test: logs in through the same back-off as every reconcile. */
  async verify(signal?: AbortSignal): Promise<void> {
    await this.#pool.session(this.#account, signal);
  }

  /** Logs out (when the session has its own pool) and closes the connections. */
  async close(): Promise<void> {
    if (this.#ownPool) await this.#pool.close();
    await this.#account.transport.close().catch(() => undefined);
  }
}

/**
 * A provider's session handles, one per account, shared by every reconcile: a handle per reconcile
 * would log in for every object and leave sessions behind on the platform (CAPV had that leak). A
 * credential whose content changed (a rotated key, new TLS settings) gets a new handle; the old one
 * is closed after `closeReplacedAfterMs` when set (calls may still be under way on it), else when
 * the registry is drained.
 */
export class AccountSessions<Credential, Handle extends { close(): Promise<void> }> {
  readonly #handles = new Map<string, { fingerprint: string; handle: Handle }>();
  readonly #replaced: Handle[] = [];

  constructor(
    private readonly options: {
      /** The account a credential logs in as (the key handles are held under). */
      idOf(credential: Credential): string;
      fingerprintOf(credential: Credential): string;
      open(credential: Credential): Handle;
      closeReplacedAfterMs?: number | undefined;
    },
  ) {}

  session(credential: Credential): Handle {
    const id = this.options.idOf(credential);
    const fingerprint = this.options.fingerprintOf(credential);
    const held = this.#handles.get(id);
    if (held?.fingerprint === fingerprint) return held.handle;
    if (held) this.retire(held.handle);
    const handle = this.options.open(credential);
    this.#handles.set(id, { fingerprint, handle });
    return handle;
  }

  /** Accounts with a handle. */
  get size(): number {
    return this.#handles.size;
  }

  /** Every current handle, and those replaced but not closed yet; the registry is empty afterwards. */
  drain(): Handle[] {
    const handles = [...[...this.#handles.values()].map(({ handle }) => handle), ...this.#replaced];
    this.#handles.clear();
    this.#replaced.length = 0;
    return handles;
  }

  private retire(handle: Handle): void {
    const after = this.options.closeReplacedAfterMs;
    if (after !== undefined) setTimeout(() => void handle.close(), after).unref();
    else this.#replaced.push(handle);
  }
}
