import type { HttpMethod } from './request.js';

const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** POST creates something each time it is sent; it is retried only when the caller says it is safe. */
export function isIdempotent(method: HttpMethod, markedIdempotent: boolean | undefined): boolean {
  return markedIdempotent ?? IDEMPOTENT_METHODS.has(method);
}

/** Statuses that say "the same request later", not "this request is wrong". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * Milliseconds a `Retry-After` value asks to wait (delta seconds or an HTTP date), or undefined
 * when there is none or it cannot be read.
 */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Exponential back-off between attempts without a Retry-After: 200 ms, 400 ms, 800 ms, ... capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}
