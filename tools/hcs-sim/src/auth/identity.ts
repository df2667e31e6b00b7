import { randomBytes } from 'node:crypto';
import { Gateway, HcsError } from '../model/hcs-error.js';
import { stableUuid } from '../model/ids.js';
import type { SiteInventory } from '../model/inventory.js';
import { computeSignature, parseAuthorization, parseSdkDate, type SignedRequest } from './aksk-signature.js';

/** How far X-Sdk-Date may be from the simulator's clock (modelled on the gateway's 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Who made a request. */
export interface Principal {
  userName: string;
  userId: string;
  /** The project the token is scoped to, or the `X-Project-Id` of a signed request. */
  projectId: string | undefined;
  via: 'token' | 'aksk';
}

export interface IssuedToken {
  token: string;
  userName: string;
  projectId: string | undefined;
  issuedAt: number;
  expiresAt: number;
}

export interface AuthCounts {
  tokensIssued: number;
  passwordFailures: number;
  /** Times a user was locked by the lockout policy. */
  accountLocks: number;
  signedRequests: number;
  signatureFailures: number;
  tokenFailures: number;
}

/** The password method of `POST /v3/auth/tokens`, already validated. */
export interface PasswordLogin {
  user: string;
  password: string;
  domain: string | undefined;
  projectId: string | undefined;
  projectName: string | undefined;
}

/** IAM's account lockout policy (see the faults of the same names). */
export interface LockoutPolicy {
  lockAfterFailures: number;
  lockWindowSeconds: number;
  lockSeconds: number;
}

/** IAM: password logins that issue tokens, token checks, and AK/SK signature checks. */
export class Identity {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Wrong-password times (ms) per user name within the lockout window, and lock ends. */
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();
  private readonly counts: AuthCounts = {
    tokensIssued: 0,
    passwordFailures: 0,
    accountLocks: 0,
    signedRequests: 0,
    signatureFailures: 0,
    tokenFailures: 0,
  };

  constructor(
    private readonly inventory: SiteInventory,
    private readonly tokenSeconds: () => number,
    private readonly lockout: () => LockoutPolicy = () => ({
      lockAfterFailures: 5,
      lockWindowSeconds: 900,
      lockSeconds: 900,
    }),
  ) {}

  userId(name: string): string {
    return stableUuid('user', name).replace(/-/g, '');
  }

  login(login: PasswordLogin): IssuedToken {
    const now = Date.now();
    const policy = this.lockout();
    const lockedUntil = this.lockedUntil.get(login.user);
    if (lockedUntil !== undefined && lockedUntil > now) {
      this.counts.passwordFailures += 1;
      throw new HcsError(401, '401', 'The account is locked.', 'keystone');
    }
    this.lockedUntil.delete(login.user);
    const user = this.inventory.users.find((u) => u.name === login.user);
    const domainOk = login.domain === undefined || login.domain === this.inventory.domain.name;
    if (!user || user.password !== login.password || !domainOk) {
      this.counts.passwordFailures += 1;
      const recent = [...(this.failures.get(login.user) ?? []), now].filter(
        (at) => at > now - policy.lockWindowSeconds * 1000,
      );
      if (recent.length >= policy.lockAfterFailures) {
        this.failures.delete(login.user);
        this.lockedUntil.set(login.user, now + policy.lockSeconds * 1000);
        this.counts.accountLocks += 1;
      } else this.failures.set(login.user, recent);
      throw new HcsError(401, '401', 'The username or password is wrong.', 'keystone');
    }
    this.failures.delete(login.user);
    const scoped = login.projectId ?? login.projectName;
    const project = this.inventory.project;
    if (scoped !== undefined && scoped !== this.inventory.projectId && scoped !== project.name)
      throw new HcsError(
        401,
        '401',
        `The project ${scoped} does not exist or is not available to the user.`,
        'keystone',
      );
    const issued: IssuedToken = {
      token: `MIIsim${randomBytes(48).toString('base64url')}`,
      userName: user.name,
      projectId: scoped === undefined ? undefined : this.inventory.projectId,
      issuedAt: now,
      expiresAt: now + this.tokenSeconds() * 1000,
    };
    this.tokens.set(issued.token, issued);
    this.counts.tokensIssued += 1;
    return issued;
  }

  /** The principal behind `X-Auth-Token`; unknown or expired answers 401 `APIGW.0307`. */
  authenticateToken(token: string): Principal {
    const issued = this.tokens.get(token);
    if (!issued || issued.expiresAt <= Date.now()) {
      this.counts.tokenFailures += 1;
      throw Gateway.tokenMustBeUpdated();
    }
    return {
      userName: issued.userName,
      userId: this.userId(issued.userName),
      projectId: issued.projectId,
      via: 'token',
    };
  }

  /**
   * The principal behind an SDK-HMAC-SHA256 signed request. Every refusal is 401 `APIGW.0301`
   * with the reason in the message, as the gateway answers.
   */
  authenticateSigned(authorization: string, request: Omit<SignedRequest, 'signedHeaders'>): Principal {
    this.counts.signedRequests += 1;
    try {
      const parts = parseAuthorization(authorization);
      if (!parts) throw Gateway.badAkSk('the Authorization header is not a valid SDK-HMAC-SHA256 header');
      const key = this.inventory.accessKeys.find((k) => k.accessKey === parts.access);
      if (!key) throw Gateway.badAkSk(`ak ${parts.access} not exist`);
      if (!parts.signedHeaders.includes('x-sdk-date'))
        throw Gateway.badAkSk('X-Sdk-Date must be a signed header');
      const sdkDate = request.headers['x-sdk-date'];
      const signedAt = parseSdkDate(sdkDate);
      if (signedAt === undefined) throw Gateway.badAkSk('X-Sdk-Date is not in the form YYYYMMDDTHHMMSSZ');
      if (Math.abs(Date.now() - signedAt) > MAX_CLOCK_SKEW_MS)
        throw Gateway.badAkSk('the request has expired (X-Sdk-Date is more than 15 minutes off)');
      const expected = computeSignature(
        { ...request, signedHeaders: parts.signedHeaders },
        key.secretKey,
        sdkDate ?? '',
      );
      if (expected !== parts.signature) throw Gateway.badAkSk('verify aksk signature fail');
      return {
        userName: key.user,
        userId: this.userId(key.user),
        projectId: request.headers['x-project-id'],
        via: 'aksk',
      };
    } catch (error) {
      this.counts.signatureFailures += 1;
      throw error;
    }
  }

  expireAll(): void {
    this.tokens.clear();
  }

  liveTokens(): Omit<IssuedToken, 'token'>[] {
    const now = Date.now();
    return [...this.tokens.values()]
      .filter((t) => t.expiresAt > now)
      .map(({ token: _token, ...rest }) => rest);
  }

  authCounts(): AuthCounts {
    return { ...this.counts };
  }
}
