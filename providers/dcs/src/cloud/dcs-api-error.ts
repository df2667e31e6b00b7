import { PlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';

/**
 * Errors the DCS client raises, predicates over them, and the one place that turns any failure
 * into a short reason an operator can act on. Nothing here ever sees the key: errors are built
 * from the status line, the DCS error body, the verb and the path, never from request headers.
 */

/** DCS error codes the provider reacts to (see tools/dcs-sim/notes/wire-contract.md). */
export const DcsErrorCode = {
  sessionExpired: '10000002',
  badCredentials: '10000003',
  accountLocked: '10100116',
  busy: '10420005',
  /** Huawei's Cinder driver reads it as "already deleted". */
  volumeNotFound: '10420004',
  stoppedOnlyDelete: '102212808',
} as const;

/** The core failure kind of a DCS error answer. */
export function dcsFailureKind(status: number, code: string | undefined): PlatformFailureKind {
  if (code === DcsErrorCode.badCredentials) return 'LoginRefused';
  if (code === DcsErrorCode.accountLocked) return 'AccountLocked';
  if (status === 404 || code === DcsErrorCode.volumeNotFound) return 'NotFound';
  if (code === DcsErrorCode.busy || code === DcsErrorCode.stoppedOnlyDelete || status === 409)
    return 'Conflict';
  if (code !== DcsErrorCode.sessionExpired && (status === 401 || status === 403)) return 'LoginRefused';
  if (status === 429) return 'Throttled';
  return 'PlatformError';
}

/**
 * A non-2xx answer from the VRM, with its `errorCode`/`errorDes` body: a PlatformFailure of the
 * kind the code means, so the host can tell a refused login from a busy volume.
 */
export class DcsApiError extends PlatformFailure {
  override readonly name: string = 'DcsApiError';

  constructor(
    readonly httpStatus: number,
    /** DCS error code (digits as a string); undefined when the body was not the DCS error shape. */
    readonly errorCode: string | undefined,
    readonly errorDes: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(
      dcsFailureKind(httpStatus, errorCode),
      `${method} ${path}: HTTP ${httpStatus}${errorCode ? ` DCS error ${errorCode}` : ''}: ${errorDes}`,
      { httpStatus, operation: `${method} ${path}`, ...(errorCode ? { platformCode: errorCode } : {}) },
    );
  }
}

export type DcsTransportFailure = 'unreachable' | 'tls' | 'timeout';

/** The request never got an HTTP answer: connection refused, DNS, TLS handshake or timeout. */
export class DcsTransportError extends Error {
  constructor(
    readonly kind: DcsTransportFailure,
    /** Node's error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …) when there is one. */
    readonly code: string | undefined,
    readonly endpoint: string,
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${method} ${endpoint}${path}: ${detail}`);
    this.name = 'DcsTransportError';
  }
}

/** A 2xx answer whose body is not what the contract says (a field the client needs is missing). */
export class DcsResponseError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${method} ${path}: unexpected DCS response: ${detail}`);
    this.name = 'DcsResponseError';
  }
}

/** An inventory object looked up by name does not exist; the message names what was looked for. */
export class DcsLookupError extends Error {
  constructor(
    readonly kind: string,
    readonly lookedFor: string,
    where: string,
  ) {
    super(`DCS ${kind} "${lookedFor}" not found${where ? ` in ${where}` : ''}`);
    this.name = 'DcsLookupError';
  }
}

/**
 * A login was not attempted because the previous one for the same credential was refused:
 * retrying a wrong key is how an account gets locked (5 failures in a row on DCS), and a locked
 * account stays locked for every client, including the operator's portal.
 */
export class DcsLoginSuppressedError extends PlatformFailure {
  override readonly name: string = 'DcsLoginSuppressedError';

  constructor(
    /** The refusal that started the pause. */
    readonly refusal: DcsApiError,
    readonly retryAfter: Date,
  ) {
    super(
      refusal.kind,
      `login not attempted until ${retryAfter.toISOString()}: the last one was refused (${refusal.message})`,
      { ...refusal.details, retryAfter },
    );
  }
}

/** The API error behind `error`, looking through a suppressed login to the refusal that caused it. */
function apiError(error: unknown): DcsApiError | undefined {
  if (error instanceof DcsApiError) return error;
  if (error instanceof DcsLoginSuppressedError) return error.refusal;
  return undefined;
}

/** The token is missing, unknown or expired: log in again. DCS answers every 401 this way. */
export function isSessionExpired(error: unknown): boolean {
  return (
    error instanceof DcsApiError &&
    (error.httpStatus === 401 || error.errorCode === DcsErrorCode.sessionExpired)
  );
}

export function isAccountLocked(error: unknown): boolean {
  return apiError(error)?.errorCode === DcsErrorCode.accountLocked;
}

export function isBadCredentials(error: unknown): boolean {
  return apiError(error)?.errorCode === DcsErrorCode.badCredentials;
}

/** The object (VM, volume, upload, task) does not exist (any more). */
export function isNotFound(error: unknown): boolean {
  return (
    (error instanceof DcsApiError &&
      (error.httpStatus === 404 || error.errorCode === DcsErrorCode.volumeNotFound)) ||
    error instanceof DcsLookupError
  );
}

/** The volume is in use (attached); try again after detaching it. */
export function isBusy(error: unknown): boolean {
  return error instanceof DcsApiError && error.errorCode === DcsErrorCode.busy;
}

/** The site only deletes stopped VMs: stop the VM (again) and retry; the docs call this recoverable. */
export function isStoppedOnlyDelete(error: unknown): boolean {
  return error instanceof DcsApiError && error.errorCode === DcsErrorCode.stoppedOnlyDelete;
}

export type DcsFailureKind =
  | 'unreachable'
  | 'tls'
  | 'bad-credentials'
  | 'account-locked'
  | 'session-expired'
  | 'not-found'
  | 'busy'
  | 'stopped-only-delete'
  | 'unexpected-response'
  | 'dcs-error'
  | 'other';

export interface DcsFailure {
  kind: DcsFailureKind;
  /** One line for a condition message or an Event; never contains the key. */
  reason: string;
}

/**
 * Turns any failure from the client into a kind (for condition reasons and decisions) and a short
 * reason for operators. `secrets` are masked from the text as a last line of defence, for errors
 * that did not come from this client.
 */
export function classifyDcsFailure(error: unknown, secrets: readonly string[] = []): DcsFailure {
  const failure = classify(error);
  return { kind: failure.kind, reason: maskSecrets(failure.reason, secrets) };
}

/** Just the operator-facing reason of {@link classifyDcsFailure}. */
export function describeDcsFailure(error: unknown, secrets: readonly string[] = []): string {
  return classifyDcsFailure(error, secrets).reason;
}

function classify(error: unknown): DcsFailure {
  if (error instanceof DcsTransportError) {
    const code = error.code ? ` (${error.code})` : '';
    switch (error.kind) {
      case 'tls':
        return {
          kind: 'tls',
          reason: `TLS verification failed for ${error.endpoint}${code}; give the VRM's CA certificate`,
        };
      case 'timeout':
        return { kind: 'unreachable', reason: `DCS unreachable at ${error.endpoint}: no answer in time` };
      default:
        return { kind: 'unreachable', reason: `DCS unreachable at ${error.endpoint}${code}` };
    }
  }
  if (error instanceof DcsLoginSuppressedError) {
    const cause = classify(error.refusal);
    return {
      kind: cause.kind,
      reason: `${cause.reason}; no new login until ${error.retryAfter.toISOString()} so the account is not locked`,
    };
  }
  if (error instanceof DcsApiError) {
    if (isAccountLocked(error))
      return {
        kind: 'account-locked',
        reason: 'DCS account locked after failed logins; wait for it to unlock',
      };
    if (isBadCredentials(error)) return { kind: 'bad-credentials', reason: 'wrong user or key for DCS' };
    if (isSessionExpired(error)) return { kind: 'session-expired', reason: 'DCS session expired' };
    const kind: DcsFailureKind = isBusy(error)
      ? 'busy'
      : isStoppedOnlyDelete(error)
        ? 'stopped-only-delete'
        : error.httpStatus === 404
          ? 'not-found'
          : 'dcs-error';
    const reason = error.errorCode
      ? `DCS error ${error.errorCode}: ${error.errorDes}`
      : `DCS answered HTTP ${error.httpStatus} to ${error.method} ${error.path}`;
    return { kind, reason };
  }
  if (error instanceof DcsLookupError) return { kind: 'not-found', reason: error.message };
  if (error instanceof DcsResponseError) return { kind: 'unexpected-response', reason: error.message };
  return { kind: 'other', reason: error instanceof Error ? error.message : String(error) };
}

/** Replaces every occurrence of a secret (non-empty) in `text`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) if (secret) masked = masked.split(secret).join('[redacted]');
  return masked;
}
