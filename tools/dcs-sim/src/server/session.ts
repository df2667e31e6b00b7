import { createHash, randomBytes } from 'node:crypto';
import { DcsError, ErrorCode } from '../model/dcs-error.js';
import type { ResolvedFaults } from '../model/faults.js';
import type { ResolvedInventory } from '../model/inventory.js';

/** How long a token lives, reported as `validity` (modelled: the real lifetime is not public). */
export const SESSION_VALIDITY_SECONDS = 1800;

export interface Session {
  token: string;
  userName: string;
  userId: string;
  /** ms since epoch. */
  expiresAt: number;
}

export interface LoginAttempt {
  user: string | undefined;
  key: string | undefined;
  userType: string | undefined;
  /** `X-ENCRIPT-ALGORITHM: 1`: the key is the plain password, not its SHA-256. */
  plainKey: boolean;
}

export interface LoginCounts {
  total: number;
  failed: number;
  /** Login attempts (successful or not) per user name. */
  byUser: Record<string, number>;
}

interface FailureStreak {
  count: number;
  lockedUntil: number | undefined;
}

/**
 * Logins, tokens and the account lock. A user is locked after `lockAfterFailures` failed logins
 * in a row and stays locked for `lockSeconds`, refusing even the right key, which is what makes
 * a client that retries a wrong password dangerous on a real site.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly streaks = new Map<string, FailureStreak>();
  private readonly attemptsByUser = new Map<string, number>();
  private total = 0;
  private failed = 0;

  constructor(
    private readonly users: ResolvedInventory['users'],
    private readonly faults: () => ResolvedFaults,
  ) {}

  login(attempt: LoginAttempt): Session {
    const userName = attempt.user ?? '';
    const now = Date.now();
    this.total += 1;
    this.attemptsByUser.set(userName, (this.attemptsByUser.get(userName) ?? 0) + 1);

    const streak = this.streaks.get(userName);
    if (streak?.lockedUntil !== undefined) {
      if (streak.lockedUntil > now) {
        this.failed += 1;
        throw new DcsError(403, ErrorCode.accountLocked, `the account ${userName} is locked`);
      }
      this.streaks.delete(userName);
    }

    const index = this.users.findIndex((u) => u.name === userName);
    const user = this.users[index];
    if (!user || !keyMatches(user.password, attempt) || !userTypeMatches(user.userType, attempt.userType)) {
      this.failed += 1;
      const count = (this.streaks.get(userName)?.count ?? 0) + 1;
      const { lockAfterFailures, lockSeconds } = this.faults();
      this.streaks.set(userName, {
        count,
        lockedUntil: count >= lockAfterFailures ? now + lockSeconds * 1000 : undefined,
      });
      throw new DcsError(401, ErrorCode.badCredentials, 'the user name or password is incorrect');
    }

    this.streaks.delete(userName);
    const session: Session = {
      token: randomBytes(24).toString('hex'),
      userName,
      userId: String(index + 1),
      expiresAt: now + SESSION_VALIDITY_SECONDS * 1000,
    };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The session behind a token; a missing, unknown or expired token answers 401 `10000002`. */
  authenticate(token: string | undefined): Session {
    const session = token === undefined ? undefined : this.sessions.get(token);
    if (!session || session.expiresAt <= Date.now()) {
      if (session) this.sessions.delete(session.token);
      throw new DcsError(401, ErrorCode.sessionExpired, 'the session has expired or does not exist');
    }
    return session;
  }

  /**
   * An administrator's password change: later logins need the new password; sessions already open
   * stay valid until they expire or log out, as on the VRM.
   */
  setPassword(userName: string, password: string): void {
    const user = this.users.find((u) => u.name === userName);
    if (!user) throw new Error(`no user ${userName} in the inventory`);
    user.password = password;
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  expireAll(): void {
    this.sessions.clear();
  }

  list(): Session[] {
    const now = Date.now();
    return [...this.sessions.values()].filter((s) => s.expiresAt > now).map((s) => ({ ...s }));
  }

  counts(): LoginCounts {
    return { total: this.total, failed: this.failed, byUser: Object.fromEntries(this.attemptsByUser) };
  }
}

function keyMatches(password: string, attempt: LoginAttempt): boolean {
  if (attempt.key === undefined) return false;
  if (attempt.plainKey) return attempt.key === password;
  return attempt.key.toLowerCase() === createHash('sha256').update(password).digest('hex');
}

/** A client that says which kind of user it is must be right; one that does not say is let through. */
function userTypeMatches(userType: number, header: string | undefined): boolean {
  return header === undefined || header === String(userType);
}
