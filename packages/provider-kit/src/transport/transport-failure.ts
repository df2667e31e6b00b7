import { PlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';

// Node's X.509 verification codes and the TLS layer's own, including EPROTO for a handshake that
// went wrong (https:// to a plain-HTTP port).
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|^EPROTO$/;
const TIMEOUT_CODE = /^UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT$|^ETIMEDOUT$/;

/** The code of an error or of the first cause that has one (undici wraps the socket's error). */
export function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The kind of a request that got no answer. */
export function transportFailureKind(error: unknown): PlatformFailureKind {
  const code = errorCode(error);
  if (code && TLS_CODE.test(code)) return 'TLSFailure';
  if (code && TIMEOUT_CODE.test(code)) return 'Timeout';
  return 'Unreachable';
}

/**
 * A PlatformFailure for a request that got no answer. The message names the verb, the path and
 * the socket's error code, never a header or the request body.
 */
export function transportFailure(
  error: unknown,
  operation: string,
  origin: string,
  kind: PlatformFailureKind = transportFailureKind(error),
): PlatformFailure {
  const code = errorCode(error);
  const pinned = pinMismatch(error);
  const what = pinned
    ? `${origin} refused: ${pinned}`
    : kind === 'TLSFailure'
      ? `the TLS handshake with ${origin} failed${code ? ` (${code})` : ''}`
      : kind === 'Timeout'
        ? `${origin} did not answer in time${code ? ` (${code})` : ''}`
        : `${origin} could not be reached${code ? ` (${code})` : ''}`;
  return new PlatformFailure(kind, `${operation}: ${what}`, { operation, cause: error });
}

/** The words of a pinned-thumbprint mismatch (both thumbprints are public values), if that is the error. */
function pinMismatch(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === 'ERR_TLS_CERT_THUMBPRINT_MISMATCH')
      return (current as Error).message;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What a provider says about an error answer: its kind, the platform's code and message. */
export interface ErrorAnswerReading {
  kind?: PlatformFailureKind | undefined;
  platformCode?: string | undefined;
  /** The platform's own words; the transport prefixes verb, path and status. */
  message?: string | undefined;
}

/** An error answer as the provider's classifier sees it (headers withheld: they may echo a token). */
export interface ErrorAnswer {
  status: number;
  /** The decoded JSON body, or undefined when it is not JSON. */
  body: unknown;
  /** The start of the body's text, for platforms (and proxies) that answer in HTML. */
  text: string;
  operation: string;
}

/** Kinds from the status alone, for answers a provider's classifier leaves open. */
export function kindOfStatus(status: number): PlatformFailureKind {
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 429) return 'Throttled';
  if (status === 504) return 'Timeout';
  return 'PlatformError';
}

export function errorAnswerFailure(
  answer: ErrorAnswer,
  reading: ErrorAnswerReading,
  retryAfter: Date | undefined,
  secrets: readonly string[],
): PlatformFailure {
  const kind = reading.kind ?? kindOfStatus(answer.status);
  const words = reading.message ?? (answer.text.trim().slice(0, 300) || undefined);
  const code = reading.platformCode ? ` ${reading.platformCode}` : '';
  const message = `${answer.operation}: HTTP ${answer.status}${code}${words ? `: ${masked(words, secrets)}` : ''}`;
  return new PlatformFailure(kind, message, {
    httpStatus: answer.status,
    operation: answer.operation,
    ...(reading.platformCode ? { platformCode: reading.platformCode } : {}),
    ...(retryAfter ? { retryAfter } : {}),
  });
}

/** A platform that echoes a credential in its error text does not get to put it in our status. */
export function masked(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
