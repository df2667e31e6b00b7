import { PlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';
import type { ErrorAnswer, ErrorAnswerReading } from '@immutable-infra/provider-kit';

/** What went wrong with a call to HCS, in the terms a controller turns into a condition reason. */
export type HcsFailureKind =
  | 'QuotaExceeded'
  | 'AuthenticationFailed'
  | 'ProjectUnavailable'
  | 'NotFound'
  | 'Conflict'
  | 'Throttled'
  | 'PlatformUnavailable'
  | 'InvalidRequest'
  | 'Unreachable'
  | 'Timeout';

/**
 * The core kind of each HCS kind: what the host backs off on and the UI shows. The HCS kinds stay
 * the condition reasons users already read (`AuthenticationFailed` rather than core's `LoginFailed`).
 */
const PLATFORM_KIND: Record<HcsFailureKind, PlatformFailureKind> = {
  QuotaExceeded: 'QuotaExceeded',
  AuthenticationFailed: 'LoginRefused',
  ProjectUnavailable: 'LoginRefused',
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  Throttled: 'Throttled',
  PlatformUnavailable: 'PlatformError',
  InvalidRequest: 'PlatformError',
  Unreachable: 'Unreachable',
  Timeout: 'Timeout',
};

// Quota codes as each service answers them (notes/wire-api.md and wire-contract.md of tools/hcs-sim).
const QUOTA_CODES = new Set(['Ecs.0001', 'Ecs.0021', 'Ecs.0022', 'EVS.1004', 'ELB.1004']);
const NOT_FOUND_CODES = new Set(['Ecs.0114', 'EVS.1002', 'ELB.1002', 'VPC.1002']);
const CONFLICT_CODES = new Set(['ELB.1003', 'Ecs.0010']);
const AUTH_CODES = new Set(['APIGW.0301', 'APIGW.0307']);

/** A refusal from an HCS service: HTTP status, the service's error code and its message. */
export class HcsApiError extends Error {
  readonly kind: HcsFailureKind;
  /** The same failure in core's terms, for the host's back-off. */
  readonly failure: PlatformFailure;

  constructor(
    readonly httpStatus: number,
    /** The cloud's own code, e.g. `Ecs.0001` or `APIGW.0301`; undefined when the body had none. */
    readonly code: string | undefined,
    readonly detail: string,
    readonly method: string,
    readonly path: string,
    failure?: PlatformFailure,
  ) {
    super(`${method} ${path}: HTTP ${httpStatus}${code ? ` ${code}` : ''}: ${detail}`);
    this.name = 'HcsApiError';
    this.kind = classify(httpStatus, code, detail);
    this.failure =
      failure ??
      new PlatformFailure(PLATFORM_KIND[this.kind], this.message, {
        httpStatus,
        operation: `${method} ${path}`,
        ...(code ? { platformCode: code } : {}),
      });
  }
}

/** A request that got no HTTP answer: refused connection, DNS, TLS, or no answer in time. */
export class HcsTransportError extends Error {
  readonly kind: HcsFailureKind;

  constructor(
    readonly reason: 'timeout' | 'unreachable' | 'tls',
    readonly host: string,
    readonly method: string,
    readonly path: string,
    detail: string,
    /** The same failure in core's terms, for the host's back-off. */
    readonly failure: PlatformFailure,
  ) {
    super(`${method} https://${host}${path}: ${reason}: ${detail}`);
    this.name = 'HcsTransportError';
    this.kind = reason === 'timeout' ? 'Timeout' : 'Unreachable';
  }
}

/** The kind of a job that ended in FAIL with this code and reason. */
export const jobFailureKind = (code: string | undefined, reason: string): HcsFailureKind =>
  classify(500, code, reason);

function classify(status: number, code: string | undefined, detail: string): HcsFailureKind {
  if (code && QUOTA_CODES.has(code)) return 'QuotaExceeded';
  if (status === 401 || (code && AUTH_CODES.has(code))) return 'AuthenticationFailed';
  if (code === 'APIGW.0310') return 'ProjectUnavailable';
  if (status === 404 || (code && NOT_FOUND_CODES.has(code))) return 'NotFound';
  if (status === 409 || (code && CONFLICT_CODES.has(code))) return 'Conflict';
  if (status === 429) return 'Throttled';
  if (status >= 500) return /quota/i.test(detail) ? 'QuotaExceeded' : 'PlatformUnavailable';
  if (status === 403) return /quota/i.test(detail) ? 'QuotaExceeded' : 'AuthenticationFailed';
  return 'InvalidRequest';
}

/**
 * The code and words of an HCS error body, in its three shapes: `{error:{code,message}}` (ECS, EVS,
 * IMS), `{error_code,error_msg}` (API gateway, VPC, ELB) and keystone's `{error:{code:401,message}}`
 * (IAM); the kind from the code, the status and the words.
 */
export function readHcsErrorAnswer(answer: ErrorAnswer): ErrorAnswerReading {
  const body = (answer.body ?? {}) as {
    error?: { code?: unknown; message?: unknown };
    error_code?: unknown;
    error_msg?: unknown;
  };
  const nested = body.error?.code;
  const code =
    typeof nested === 'string' ? nested : typeof body.error_code === 'string' ? body.error_code : undefined;
  const words = body.error?.message ?? body.error_msg;
  const message =
    typeof words === 'string' && words ? words : answer.text.trim().slice(0, 300) || `HTTP ${answer.status}`;
  return {
    kind: PLATFORM_KIND[classify(answer.status, code, message)],
    message,
    ...(code ? { platformCode: code } : {}),
  };
}

const TRANSPORT_REASON: Partial<Record<PlatformFailureKind, HcsTransportError['reason']>> = {
  Timeout: 'timeout',
  TLSFailure: 'tls',
};

/** The HCS error for a failure of the kit's transport to `host`: an answer, or none. */
export function hcsErrorOf(failure: PlatformFailure, host: string): HcsApiError | HcsTransportError {
  const operation = failure.details.operation ?? '';
  const space = operation.indexOf(' ');
  const method = operation.slice(0, space);
  const path = operation.slice(space + 1);
  const status = failure.details.httpStatus;
  if (status === undefined) {
    const reason = TRANSPORT_REASON[failure.kind] ?? 'unreachable';
    return new HcsTransportError(reason, host, method, path, failure.message, failure);
  }
  const code = failure.details.platformCode;
  // The transport's message is `<operation>: HTTP <status>[ <code>]: <the cloud's words>`.
  const prefix = `${operation}: HTTP ${status}${code ? ` ${code}` : ''}: `;
  const detail = failure.message.startsWith(prefix) ? failure.message.slice(prefix.length) : failure.message;
  return new HcsApiError(status, code, detail, method, path, failure);
}

/** The core PlatformFailure behind an HCS error; undefined for errors that did not come from HCS. */
export function platformFailureOf(error: unknown): PlatformFailure | undefined {
  if (error instanceof HcsApiError || error instanceof HcsTransportError) return error.failure;
  return undefined;
}

/** The failure kind of anything a client call threw; undefined for errors that did not come from HCS. */
export function hcsFailureKind(error: unknown): HcsFailureKind | undefined {
  if (error instanceof HcsApiError || error instanceof HcsTransportError) return error.kind;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => hcsFailureKind(error) === 'NotFound';
export const isConflict = (error: unknown): boolean => hcsFailureKind(error) === 'Conflict';
export const isQuotaExceeded = (error: unknown): boolean => hcsFailureKind(error) === 'QuotaExceeded';
export const isAuthFailure = (error: unknown): boolean => {
  const kind = hcsFailureKind(error);
  return kind === 'AuthenticationFailed' || kind === 'ProjectUnavailable';
};

/**
 * One line for a condition message or an Event: what failed and the cloud's code and words.
 * Requests never carry a credential in their path or in the cloud's answer, so the message is safe.
 */
export function describeHcsFailure(error: unknown): string {
  if (error instanceof HcsApiError)
    return `HCS ${error.method} ${error.path} answered ${error.httpStatus}${error.code ? ` ${error.code}` : ''}: ${error.detail}`;
  if (error instanceof HcsTransportError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
