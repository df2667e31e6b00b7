import { isPlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';

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
