import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Identity } from './kube-endpoint.js';

export interface Session {
  id: string;
  identity: Identity;
  username: string;
  groups: string[];
  /** Sent back in the X-CSRF-Token header on every state-changing request. */
  csrfToken: string;
  expiresAt: number;
}

const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/**
 * Sessions held at most: a script that signs in over and over (each sign-in holds a user's token)
 * must not grow the server without bound. Past it, the least recently used session is signed out.
 */
export const MAX_SESSIONS = 10_000;

/**
 * Sessions live only in server memory: the browser holds an opaque id in an
 * HttpOnly cookie, never the user's token. A session ends 8 hours after sign-in,
 * at sign-out, or when it is the least recently used one past `MAX_SESSIONS`.
 */
export class SessionStore {
  private readonly sessions: LRUCache<string, Session>;

  constructor(
    private readonly now: () => number = Date.now,
    maxSessions = MAX_SESSIONS,
  ) {
    this.sessions = new LRUCache({ max: maxSessions });
  }

  create(identity: Identity, username: string, groups: string[]): Session {
    // Expired sessions go on every sign-in, so a store nobody reads from still empties.
    this.pruneExpired();
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      identity,
      username,
      groups,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: this.now() + SESSION_TTL_MS,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private pruneExpired(): void {
    const now = this.now();
    for (const [id, session] of this.sessions.entries())
      if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
