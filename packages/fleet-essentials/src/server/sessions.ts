import { randomBytes } from 'node:crypto';
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
 * Sessions live only in server memory: the browser holds an opaque id in an
 * HttpOnly cookie, never the user's token.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(identity: Identity, username: string, groups: string[]): Session {
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
}
