import type { ConnectionTestResult, PlatformOperationRequest } from '@immutable-infra/core';
import { isPlatformFailure } from '@immutable-infra/core';
import { z } from 'zod';
import { describeFailureWithAdvice } from '../failures/failure-words.js';
import { THUMBPRINT_MISMATCH, type ThumbprintMismatch } from '../transport/certificate-pinning.js';
import { PlatformOperationError } from './declared-operation.js';

/**
 * The browser's `PlatformCallError.reason` for each platform failure kind a
 * proxy passes on by its own name; every other kind reads `PlatformError`. A
 * timeout reads as `Unreachable`: to the person at the form both mean the
 * endpoint did not answer.
 */
const PROXY_REASONS: Readonly<Record<string, string>> = {
  Unreachable: 'Unreachable',
  Timeout: 'Unreachable',
  TLSFailure: 'TLSFailure',
  LoginRefused: 'LoginFailed',
  AccountLocked: 'AccountLocked',
  NotFound: 'NotFound',
};

/**
 * The error for a credential Secret whose values cannot be used, naming every
 * problem (by key, never by value), before anything is sent to the platform.
 */
export function unusableCredential(problems: readonly string[]): PlatformOperationError {
  return new PlatformOperationError(
    'InvalidCredential',
    `the credential Secret is not usable: ${problems.join('; ')}`,
  );
}

/** What `classifyPlatformCallFailure` needs to word a failure. */
export interface PlatformCallFailureOptions {
  /** The platform's name in the advice ("HCS", "vCenter"). */
  platform: string;
  /** Values masked from the words: every value of the credential Secret. */
  secrets: readonly string[];
}

/**
 * A failed platform call as the reason and words a person acts on: a
 * `PlatformOperationError` passes unchanged; a pinned-thumbprint mismatch names
 * the presented thumbprint (a public value); any other failure reads its
 * kind's reason and the failure's words with advice, every secret masked.
 */
export function classifyPlatformCallFailure(
  error: unknown,
  options: PlatformCallFailureOptions,
): PlatformOperationError {
  if (error instanceof PlatformOperationError) return error;
  const mismatch = thumbprintMismatchIn(error);
  if (mismatch)
    return new PlatformOperationError(
      'ThumbprintMismatch',
      `${options.platform}'s certificate does not have the thumbprint given in the credential; the certificate it presented has thumbprint ${mismatch.presented}`,
    );
  const kind = isPlatformFailure(error) ? error.kind : undefined;
  const message = describeFailureWithAdvice(error, options);
  return new PlatformOperationError((kind && PROXY_REASONS[kind]) || 'PlatformError', message);
}

/** The certificate-pinning error in `error`'s cause chain, if a pinned thumbprint did not match. */
function thumbprintMismatchIn(error: unknown): Pick<ThumbprintMismatch, 'presented'> | undefined {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if ((current as { code?: unknown }).code === THUMBPRINT_MISMATCH) return current as ThumbprintMismatch;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** How a provider's proxy reaches its platform for one operation. */
export interface PlatformConnector<Connection> {
  /**
   * Checks the request's credential values (throwing `unusableCredential` with
   * every problem) and opens, or takes from a pool, a connection for them.
   */
  connect(request: PlatformOperationRequest): Connection;
  /**
   * The failure of a call as a `PlatformOperationError`; `connection` is
   * undefined when opening it failed. Errors that already are one never get here.
   */
  classify(
    error: unknown,
    request: PlatformOperationRequest,
    connection: Connection | undefined,
  ): PlatformOperationError;
  /** Closes a connection opened for this call alone (none for a pooled session). */
  close?(connection: Connection): Promise<void>;
}

/** Runs one operation's calls on a connection, as `platformCaller` returns it. */
export type PlatformCall<Connection> = <T>(
  request: PlatformOperationRequest,
  call: (connection: Connection) => Promise<T>,
) => Promise<T>;

/**
 * The part of every platform proxy between the host and the platform: opens a
 * connection for the request's credential, runs the operation's calls on it
 * and closes it afterwards; any failure but a cancelled request's becomes a
 * classified `PlatformOperationError`, which the host passes to the browser as
 * `PlatformCallError` (reason and words, never a secret).
 */
export function platformCaller<Connection>(
  connector: PlatformConnector<Connection>,
): PlatformCall<Connection> {
  return async (request, call) => {
    let connection: Connection | undefined;
    try {
      connection = connector.connect(request);
      return await call(connection);
    } catch (error) {
      if (request.signal.aborted || error instanceof PlatformOperationError) throw error;
      throw connector.classify(error, request, connection);
    } finally {
      if (connection !== undefined) await connector.close?.(connection);
    }
  };
}

/**
 * The result of every proxy's `testConnection` operation, as its declaration
 * gives it (a provider extends it with what its test reports besides).
 */
export const ConnectionVerdictSchema = z.object({
  ok: z.boolean(),
  reason: z.string().optional(),
  message: z.string(),
});

/**
 * A "Test connection" verdict: the test's result, or the classified failure
 * as `{ ok: false, reason, message }` (a cancelled request's error is thrown).
 * `reasonOf` renames a reason where the test gives it a more precise meaning
 * (a site that was not found, say).
 */
export async function connectionVerdict<Result extends ConnectionTestResult>(
  test: () => Promise<Result>,
  reasonOf: (reason: string) => string = (reason) => reason,
): Promise<Result | ConnectionTestResult> {
  try {
    return await test();
  } catch (error) {
    if (error instanceof PlatformOperationError)
      return { ok: false, reason: reasonOf(error.reason), message: error.message };
    throw error;
  }
}
