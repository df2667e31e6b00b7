import type { PlatformCallError } from '../ui-extensions/anchors.js';

/**
 * Every way a call to a platform (DCS, HCS, vSphere, a BMC, ...) can fail, named once for all
 * providers. A provider's client classifies its platform's own error codes into one of these;
 * the host turns it into a condition reason and a back-off, and Fleet Essentials into a
 * `PlatformCallError`, all from the table below, so the same failure reads the same everywhere.
 */
export const PLATFORM_FAILURE_KINDS = [
  'Unreachable',
  'TLSFailure',
  'LoginRefused',
  'AccountLocked',
  'NotFound',
  'Conflict',
  'QuotaExceeded',
  'Throttled',
  'PlatformError',
  'Timeout',
] as const;

export type PlatformFailureKind = (typeof PLATFORM_FAILURE_KINDS)[number];

export interface PlatformFailureDescription {
  /** The condition reason (CamelCase, as Kubernetes conditions want) and the UI's `PlatformCallError.reason`. */
  reason: string;
  /** Whether trying again later can succeed without anyone changing anything. */
  transient: boolean;
  /** What an operator should do or know, appended to the platform's own message. */
  advice: string;
}

const DESCRIPTIONS: Record<PlatformFailureKind, PlatformFailureDescription> = {
  Unreachable: {
    reason: 'Unreachable',
    transient: true,
    advice: 'the platform endpoint did not answer; check the address and the network path',
  },
  TLSFailure: {
    reason: 'TLSFailure',
    transient: false,
    advice: "the platform's certificate was not trusted; give its CA certificate in the credential",
  },
  LoginRefused: {
    reason: 'LoginFailed',
    transient: false,
    advice: 'the platform refused the user or key; correct the credential Secret',
  },
  AccountLocked: {
    reason: 'AccountLocked',
    transient: false,
    advice: 'the platform locked the account after failed logins; wait for it to unlock',
  },
  NotFound: {
    reason: 'NotFound',
    transient: false,
    advice: 'the platform does not have the named object',
  },
  Conflict: {
    reason: 'Conflict',
    transient: true,
    advice: 'the platform object is busy or changed; the call is retried',
  },
  QuotaExceeded: {
    reason: 'QuotaExceeded',
    transient: false,
    advice: 'the project or site quota is used up; raise it or free resources',
  },
  Throttled: {
    reason: 'Throttled',
    transient: true,
    advice: 'the platform asked for fewer requests; the call is retried later',
  },
  PlatformError: {
    reason: 'PlatformError',
    transient: true,
    advice: 'the platform answered with an error',
  },
  Timeout: {
    reason: 'Timeout',
    transient: true,
    advice: 'the platform did not answer in time',
  },
};

export function describePlatformFailure(kind: PlatformFailureKind): PlatformFailureDescription {
  return DESCRIPTIONS[kind];
}

export function isPlatformFailureKind(value: unknown): value is PlatformFailureKind {
  return typeof value === 'string' && (PLATFORM_FAILURE_KINDS as readonly string[]).includes(value);
}

/**
 * A classified failure of a platform call. Clients throw it (or a subclass); the host catches it
 * around each step. The message must never hold a credential: build it from the status line, the
 * platform's error body, the verb and the path, never from request headers or bodies.
 */
export class PlatformFailure extends Error {
  override readonly name: string = 'PlatformFailure';

  constructor(
    readonly kind: PlatformFailureKind,
    message: string,
    readonly details: {
      /** The platform's own error code, e.g. DCS `10000003` or HCS `Ecs.0001`. */
      platformCode?: string;
      /** The HTTP status, when the platform answered. */
      httpStatus?: number;
      /** What was called, e.g. `POST /service/sites/{site}/vms`. */
      operation?: string;
      /** When the platform (or a login back-off) says the next attempt may succeed. */
      retryAfter?: Date;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

/** True for a PlatformFailure from any copy of core (a provider may bundle a different one). */
export function isPlatformFailure(error: unknown): error is PlatformFailure {
  return (
    error instanceof PlatformFailure ||
    (error instanceof Error &&
      isPlatformFailureKind((error as { kind?: unknown }).kind) &&
      typeof (error as { details?: unknown }).details === 'object')
  );
}

/** How the browser sees a classified failure (the host still masks credential values). */
export function platformCallError(failure: PlatformFailure): PlatformCallError {
  return { reason: DESCRIPTIONS[failure.kind].reason, message: failure.message };
}
