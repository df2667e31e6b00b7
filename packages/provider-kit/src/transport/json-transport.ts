import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import {
  PlatformFailure,
  type PlatformLimits,
  RateLimiter,
  rememberSecretValue,
} from '@immutable-infra/core';
import { Agent, type Dispatcher } from 'undici';
import { pinnedLeafConnector, thumbprintOf } from './certificate-pinning.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { pinnedUrl } from './origin-pinning.js';
import type { AuthHook, JsonRequest, JsonResponse, TextResponse } from './request.js';
import { backoffMs, isIdempotent, isRetryableStatus, retryAfterMs } from './retry-policy.js';
import {
  type ErrorAnswer,
  type ErrorAnswerReading,
  errorAnswerFailure,
  transportFailure,
} from './transport-failure.js';

export interface JsonTransportOptions {
  /** `https://host:port` (plain `http://` only for simulators on loopback). Any path is ignored. */
  endpoint: string;
  /** PEM of the CA (or CAs) that signed the platform's certificate; the public roots stay trusted too. */
  caBundle?: string | undefined;
  /**
   * Accept any certificate. Only an explicit `true` turns verification off: anyone on the path can
   * then read the session token or replay the signature.
   */
  insecureSkipTlsVerify?: boolean | undefined;
  /**
   * Pins the endpoint's own (leaf) certificate by its SHA-256 thumbprint, or its SHA-1 one (20
   * bytes, as vSphere manifests carry it), hex with or without colons (`AB:CD:...`, as vCenter and
   * `openssl x509 -fingerprint` show it). The
   * certificate is then accepted when, and only when, its thumbprint matches: a self-signed
   * appliance certificate needs no CA, and the CA bundle, the public roots and the host name are
   * not consulted. A mismatch fails the connection as TLSFailure naming both thumbprints.
   */
  serverCertificateThumbprint?: string | undefined;
  /**
   * Resolves the endpoint's host name instead of DNS: regional service names (HCS's
   * `ecs.<region>.<domain>`) then need no DNS entry; a site points them at its API gateway.
   */
  lookup?: LookupFunction | undefined;
  /** Time to open the TCP and TLS connection; 10 s by default. */
  connectTimeoutMs?: number | undefined;
  /** Time for the whole request, answer included; 30 s by default. */
  requestTimeoutMs?: number | undefined;
  /** Requests per second to this endpoint (token bucket); 20 by default, with a burst of 40. */
  qps?: number | undefined;
  burst?: number | undefined;
  /** Requests in flight to this endpoint at once; 16 by default. */
  maxConcurrentRequests?: number | undefined;
  /**
   * Attempts of an idempotent request (transport failure, 503, 429 without Retry-After); 3 by
   * default. A 429 with a Retry-After is waited for up to 10 times, whatever the method, without
   * counting as an attempt, while the waits add up to no more than `maxRetryAfterMs`.
   */
  maxAttempts?: number | undefined;
  /**
   * A Retry-After longer than this is not waited for, nor 429 waits adding up to more: the failure
   * goes to the host's back-off. 30 s by default.
   */
  maxRetryAfterMs?: number | undefined;
  /** Headers on every request (`Accept` with the API version, say). */
  defaultHeaders?: Record<string, string> | undefined;
  /** Adds the platform's authentication to each attempt; see {@link AuthHook}. */
  authenticate?: AuthHook | undefined;
  /** Path prefixes a platform link ({@link JsonRequest.link}) may lead to. No link is followed without one. */
  linkPathPrefixes?: readonly string[] | undefined;
  /** Reads the platform's error body: kind, code and message. Without it, the status decides the kind. */
  readErrorAnswer?: ((answer: ErrorAnswer) => ErrorAnswerReading | undefined) | undefined;
  /** How a path is shown in errors (HCS shows the project id as `{project_id}`). */
  displayPath?: ((pathname: string) => string) | undefined;
  /** Values that must never appear in an error message even if the platform echoes them. */
  secrets?: readonly string[] | undefined;
  /** Waits between attempts; injectable so back-off tests do not wait. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Milliseconds since the epoch, for Retry-After dates. */
  now?: (() => number) | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 5_000;
/** Waits for a 429's Retry-After per request before the failure goes to the host (client-go's maxRetries). */
const MAX_THROTTLED_WAITS = 10;

/**
 * JSON over HTTPS to one platform endpoint: one keep-alive connection pool, TLS verified against
 * the given CA, a rate and a concurrency limit for the endpoint, retries of idempotent requests,
 * the provider's auth hook, and platform links followed only within the endpoint's origin. Every
 * failure is a PlatformFailure whose message is built from verb, path, status and the platform's
 * error text, never from headers.
 */
export class JsonTransport {
  readonly origin: string;
  private readonly agent: Agent;
  private readonly rate: RateLimiter;
  private readonly concurrency: ConcurrencyLimit;
  /** The endpoint's limits in force (the options', else 20 per second, a burst of 40, 16 at once). */
  readonly limits: Required<{ [K in keyof PlatformLimits]: number }>;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: JsonTransportOptions) {
    const base = new URL(options.endpoint);
    if (base.protocol !== 'https:' && base.protocol !== 'http:')
      throw new Error(`platform endpoint must be https:// (got ${base.protocol})`);
    this.origin = base.origin;
    const connectOptions = {
      timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Node replaces its root store when `ca` is given; keep the public roots as well, so an
      // endpoint behind a publicly signed proxy still verifies.
      ...(options.caBundle ? { ca: [...rootCertificates, options.caBundle] } : {}),
      rejectUnauthorized: options.insecureSkipTlsVerify !== true,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    };
    const pin = options.serverCertificateThumbprint;
    if (pin !== undefined && base.protocol !== 'https:')
      throw new Error('a pinned certificate thumbprint needs an https:// endpoint');
    this.agent = new Agent({
      connect: pin === undefined ? connectOptions : pinnedLeafConnector(connectOptions, thumbprintOf(pin)),
    });
    this.limits = {
      requestsPerSecond: options.qps ?? 20,
      burst: options.burst ?? 40,
      maxConcurrentRequests: options.maxConcurrentRequests ?? 16,
    };
    this.rate = new RateLimiter(this.limits.requestsPerSecond, this.limits.burst);
    this.concurrency = new ConcurrencyLimit(this.limits.maxConcurrentRequests);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
  }

  /** The URL a request goes to; throws (nothing sent) for a link outside the endpoint's origin or prefixes. */
  resolve(spec: Pick<JsonRequest, 'path' | 'link' | 'query'>): URL {
    let url: URL;
    if (spec.link !== undefined) {
      if (spec.path !== undefined) throw new Error('give a request either a path or a link, not both');
      url = pinnedUrl(spec.link, {
        origin: this.origin,
        allowedPathPrefixes: this.options.linkPathPrefixes ?? [],
      });
    } else {
      const path = spec.path ?? '';
      // Code-written paths are relative by construction; an absolute URL here is a link in disguise.
      if (!path.startsWith('/') || path.startsWith('//'))
        throw new Error(`request path must start with a single / (got ${JSON.stringify(path.slice(0, 80))})`);
      url = new URL(this.origin + path);
    }
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    return url;
  }

  async request<Body = unknown>(spec: JsonRequest): Promise<JsonResponse<Body>> {
    return (await this.send(spec, 'json')) as JsonResponse<Body>;
  }

  /**
   * The same request, for a platform that does not speak JSON (vSphere's SOAP, an XML or HTML
   * page): every HTTP answer is returned as text, error statuses included, for the provider to
   * read; only a request that got no answer (or 429/503 after the retries) throws. TLS, timeouts,
   * the caller's abort, rate and concurrency limits, the auth hook and origin pinning are those of
   * `request`; `Accept` is whatever the request's headers say (none by default).
   */
  async requestText(spec: JsonRequest): Promise<TextResponse> {
    return (await this.send(spec, 'text')) as TextResponse;
  }

  private async send(spec: JsonRequest, mode: 'json' | 'text'): Promise<JsonResponse | TextResponse> {
    const url = this.resolve(spec);
    const shownPath = this.options.displayPath ? this.options.displayPath(url.pathname) : url.pathname;
    const operation = spec.operation ?? `${spec.method} ${shownPath}`;
    const payload = encodeBody(spec);
    const retryable = isIdempotent(spec.method, spec.idempotent);
    let throttledWaits = 0;
    let throttledMs = 0;
    for (let attempt = 1; ; ) {
      const outcome = await this.attempt(spec, url, payload, operation, mode);
      if (outcome.type === 'answer') return outcome.response;
      const { failure, retry } = outcome;
      let waitMs: number;
      if (
        outcome.throttled &&
        typeof retry === 'number' &&
        throttledWaits < MAX_THROTTLED_WAITS &&
        throttledMs + retry <= this.maxRetryAfterMs
      ) {
        // A 429 with Retry-After is the platform pacing us, as client-go treats it: the request was
        // refused before anything was done, so it is sent again whatever its method, and the wait
        // is not a failed attempt. Bounded in count and in total wait, so a reconcile is not held.
        throttledWaits += 1;
        throttledMs += retry;
        waitMs = retry;
      } else {
        if (!retryable || attempt >= this.maxAttempts || retry === 'never') throw failure;
        waitMs = retry === 'backoff' ? backoffMs(attempt, RETRY_BASE_MS, RETRY_MAX_MS) : retry;
        attempt += 1;
      }
      await this.sleep(waitMs, spec.signal).catch((error: unknown) => {
        // The caller's abort while waiting is theirs, as it is during a request.
        throw spec.signal?.aborted ? error : failure;
      });
    }
  }

  /** Closes the connections; requests after this fail. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async attempt(
    spec: JsonRequest,
    url: URL,
    payload: { bytes: Uint8Array; contentType: string } | undefined,
    operation: string,
    mode: 'json' | 'text',
  ): Promise<
    | { type: 'answer'; response: JsonResponse | TextResponse }
    /**
     * `retry`: the Retry-After to wait, exponential back-off, or not at all; `throttled`: a 429
     * with a Retry-After, which the platform refused without acting on.
     */
    | { type: 'failure'; failure: PlatformFailure; retry: number | 'backoff' | 'never'; throttled?: boolean }
  > {
    await this.rate.acquire();
    return this.concurrency.run(async () => {
      const headers: Record<string, string> = {
        host: url.host,
        ...(mode === 'json' ? { accept: 'application/json' } : {}),
        ...lowerCased(this.options.defaultHeaders),
        ...(payload ? { 'content-type': payload.contentType } : {}),
        ...lowerCased(spec.headers),
      };
      const body = payload?.bytes ?? new Uint8Array();
      const authenticate = spec.authenticate ?? this.options.authenticate;
      if (authenticate)
        Object.assign(headers, lowerCased(await authenticate({ method: spec.method, url, headers, body })));
      rememberCredentialHeaders(headers);
      const timeoutMs = spec.timeoutMs ?? this.requestTimeoutMs;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
      let answer: Dispatcher.ResponseData;
      let text: string;
      try {
        answer = await this.agent.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: spec.method,
          headers,
          ...(payload ? { body: payload.bytes } : {}),
          signal,
        });
        text = await answer.body.text();
      } catch (error) {
        // The caller's own abort is theirs to handle; it passes through unchanged.
        if (spec.signal?.aborted && !timeout.aborted) throw error;
        const failure = timeout.aborted
          ? transportFailure(error, operation, this.origin, 'Timeout')
          : transportFailure(error, operation, this.origin);
        // A TLS failure is a configuration problem; sending again cannot fix it.
        return { type: 'failure', failure, retry: failure.kind === 'TLSFailure' ? 'never' : 'backoff' };
      }
      const responseHeaders = flatHeaders(answer.headers);
      const status = answer.statusCode;
      if (mode === 'text') {
        const response: TextResponse = { status, headers: responseHeaders, text };
        if (!isRetryableStatus(status)) return { type: 'answer', response };
        const askedMs = retryAfterMs(responseHeaders['retry-after'], this.now());
        const failure = errorAnswerFailure(
          { status, body: undefined, text: text.slice(0, 2000), operation },
          {},
          askedMs !== undefined ? new Date(this.now() + askedMs) : undefined,
          this.options.secrets ?? [],
        );
        if (askedMs === undefined) return { type: 'failure', failure, retry: 'backoff' };
        return {
          type: 'failure',
          failure,
          retry: askedMs > this.maxRetryAfterMs ? 'never' : askedMs,
          throttled: status === 429,
        };
      }
      if (status >= 200 && status < 300) {
        let decoded: unknown;
        if (text.trim()) {
          try {
            decoded = JSON.parse(text);
          } catch {
            const failure = new PlatformFailure(
              'PlatformError',
              `${operation}: HTTP ${status}: the answer is not JSON`,
              {
                httpStatus: status,
                operation,
              },
            );
            return { type: 'failure', failure, retry: 'never' };
          }
        }
        return { type: 'answer', response: { status, headers: responseHeaders, body: decoded } };
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(text);
      } catch {
        // A proxy's HTML page, say: the classifier gets the text.
      }
      const errorAnswer: ErrorAnswer = { status, body: decoded, text: text.slice(0, 2000), operation };
      const reading = this.options.readErrorAnswer?.(errorAnswer) ?? {};
      const askedMs = retryAfterMs(responseHeaders['retry-after'], this.now());
      const retryAfter = askedMs !== undefined ? new Date(this.now() + askedMs) : undefined;
      const failure = errorAnswerFailure(errorAnswer, reading, retryAfter, this.options.secrets ?? []);
      if (!isRetryableStatus(status)) return { type: 'failure', failure, retry: 'never' };
      if (askedMs === undefined) return { type: 'failure', failure, retry: 'backoff' };
      // Waiting longer would hold the reconcile; the host's back-off honours retryAfter instead.
      return {
        type: 'failure',
        failure,
        retry: askedMs > this.maxRetryAfterMs ? 'never' : askedMs,
        throttled: status === 429,
      };
    });
  }
}

function encodeBody(spec: JsonRequest): { bytes: Uint8Array; contentType: string } | undefined {
  if (spec.bytes) return { bytes: spec.bytes.data, contentType: spec.bytes.contentType };
  if (spec.body === undefined) return undefined;
  return { bytes: Buffer.from(JSON.stringify(spec.body)), contentType: 'application/json;charset=UTF-8' };
}

/**
 * Session tokens and keys sent in auth headers join the process's secret values, so the host masks
 * them wherever they turn up later (a log line, an Event, an error a library built). A signed
 * `Authorization` (AK/SK) differs on every request and reveals no key: only bearer and basic
 * credentials are remembered.
 */
function rememberCredentialHeaders(headers: Record<string, string>): void {
  for (const name of ['x-auth-token', 'x-auth-key', 'x-subject-token']) rememberSecretValue(headers[name]);
  const authorization = /^(?:bearer|basic)\s+(.+)$/i.exec(headers.authorization ?? '');
  rememberSecretValue(authorization?.[1]);
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
