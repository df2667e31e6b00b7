import {
  describePlatformFailure,
  isPlatformFailure,
  type PlatformFailure,
  type PlatformFailureKind,
} from '@immutable-infra/core';
import { masked } from '../transport/transport-failure.js';

/** The kind of a classified platform failure; undefined for any other error. */
export function failureKind(error: unknown): PlatformFailureKind | undefined {
  return isPlatformFailure(error) ? error.kind : undefined;
}

/**
 * The call's result, or undefined when it failed with one of `kinds`: for calls whose failure is
 * an answer too, such as deleting what is already gone (`NotFound`) or adding what another writer
 * added first (`Conflict`). Any other failure is thrown on.
 */
export async function tolerating<T>(
  call: Promise<T>,
  ...kinds: readonly PlatformFailureKind[]
): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    const kind = failureKind(error);
    if (kind && kinds.includes(kind)) return undefined;
    throw error;
  }
}

/**
 * One line for a condition message or an Event about a failed platform call: for a platform's
 * answer `<platform> <operation> answered <status>[ <code>]: <the platform's words>`, for anything
 * else the error's own message. Built only from the failure, whose message never holds a
 * credential (the transport builds it from verb, path, status and the platform's error text).
 */
export function describeFailure(error: unknown, platform: string): string {
  if (!(error instanceof Error)) return String(error);
  if (!isPlatformFailure(error)) return error.message;
  const { httpStatus, operation, platformCode } = error.details;
  if (httpStatus === undefined || operation === undefined) return error.message;
  const status = `${httpStatus}${platformCode ? ` ${platformCode}` : ''}`;
  // The transport's message is `<operation>: HTTP <status>[ <code>][: <words>]`.
  const prefix = `${operation}: HTTP ${status}`;
  const words = error.message.startsWith(prefix)
    ? error.message.slice(prefix.length).replace(/^: /, '')
    : error.message;
  return `${platform} ${operation} answered ${status}${words ? `: ${words}` : ''}`;
}

export interface FailureAdviceOptions {
  /** How operators call the platform, e.g. `DCS`. */
  platform: string;
  /** Values that must not appear in the words, for errors that did not come from the transport. */
  secrets?: readonly string[] | undefined;
}

/**
 * {@link describeFailure} for a person who has to act, as a credential form's verdict or a
 * credential condition wants it: a TLS failure says to give the CA certificate, a refused or locked
 * login says so (and, when the login back-off held it back, until when nothing is tried), and an
 * endpoint that did not answer is named as unreachable. `secrets` are masked from the result.
 */
export function describeFailureWithAdvice(error: unknown, options: FailureAdviceOptions): string {
  const advice = isPlatformFailure(error) ? adviceFor(error, options.platform) : undefined;
  return masked(advice ?? describeFailure(error, options.platform), options.secrets ?? []);
}

function adviceFor(failure: PlatformFailure, platform: string): string | undefined {
  const { httpStatus, retryAfter } = failure.details;
  switch (failure.kind) {
    case 'TLSFailure':
      return `TLS verification failed (${failure.message}); ${describePlatformFailure('TLSFailure').advice}`;
    case 'LoginRefused':
    case 'AccountLocked': {
      const words =
        failure.kind === 'LoginRefused'
          ? `wrong user or key for ${platform}`
          : `${platform} account locked after failed logins; wait for it to unlock`;
      // The login back-off sets retryAfter on the refusals it holds back: say why nothing was tried.
      return retryAfter
        ? `${words}; no new login until ${retryAfter.toISOString()} so the account is not locked`
        : words;
    }
    case 'Unreachable':
    case 'Timeout':
      return httpStatus === undefined ? `${platform} unreachable: ${failure.message}` : undefined;
    default:
      return undefined;
  }
}
