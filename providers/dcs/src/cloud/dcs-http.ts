import { isPlatformFailure, type PlatformFailure } from '@immutable-infra/core';
import { type ErrorAnswer, type ErrorAnswerReading, JsonTransport } from '@immutable-infra/provider-kit';
import { DcsApiError, DcsResponseError, DcsTransportError, dcsFailureKind } from './dcs-api-error.js';

// The API version the contract speaks; the VRM answers older versions in older shapes.
const ACCEPT = 'application/json;version=8.0;charset=UTF-8';
// Ignition ISOs are small, but an upload may go to a busy host's management address.
const DEFAULT_UPLOAD_TIMEOUT_MS = 120_000;
// Every object URI the VRM hands out (task, VM, upload) lives under the sites.
const LINK_PREFIXES = ['/service/sites/'];

export interface DcsTlsOptions {
  /** PEM of the CA that signed the VRM certificate (the VRM's own certificate is self-signed). */
  caCertificate?: string | undefined;
  /** Accept any certificate. Only for labs: anyone on the path can then read the session token. */
  insecureSkipVerify?: boolean | undefined;
}

export interface DcsHttpOptions extends DcsTlsOptions {
  /** `https://vrm:7443` (or `http://` for the simulator). */
  endpoint: string;
  timeoutMs?: number | undefined;
  uploadTimeoutMs?: number | undefined;
  /** Client-side rate limit; defaults to 20 requests per second with a burst of 40. */
  qps?: number | undefined;
  burst?: number | undefined;
  /** Never shown in an error, should the VRM echo them. */
  secrets?: readonly string[] | undefined;
}

export type DcsMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface DcsHttpRequest {
  method: DcsMethod;
  /**
   * A path under the endpoint (`/service/...`), or a URI the VRM gave (task, upload, an object's
   * `uri`): those are followed only on the endpoint's origin, under `/service/sites/`.
   */
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** Sent as JSON. POST and PUT without a body send `{}`, as the reference clients do. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

export interface DcsHttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The decoded JSON body; undefined when the body was empty. */
  body: unknown;
}

/** DCS's error body `{errorCode, errorDes}` read into the transport's failure. */
export function readDcsErrorAnswer({ status, body }: ErrorAnswer): ErrorAnswerReading {
  const { errorCode, errorDes } = (body ?? {}) as { errorCode?: unknown; errorDes?: unknown };
  const code = errorCode === undefined || errorCode === null ? undefined : String(errorCode);
  return {
    kind: dcsFailureKind(status, code),
    platformCode: code,
    message: typeof errorDes === 'string' && errorDes ? errorDes : undefined,
  };
}

/**
 * Talks JSON to one VRM over the provider kit's transport (TLS against the given CA, rate and
 * concurrency limits, retries of idempotent calls, links pinned to the VRM). Failures come out
 * as DCS's own errors: DcsApiError (a classified PlatformFailure) for an error answer,
 * DcsTransportError when nothing answered. It knows nothing about sessions.
 */
export class DcsHttp {
  readonly endpoint: string;
  private readonly transport: JsonTransport;
  private readonly uploadTimeoutMs: number;

  constructor(options: DcsHttpOptions) {
    this.transport = new JsonTransport({
      endpoint: options.endpoint,
      caBundle: options.caCertificate,
      insecureSkipTlsVerify: options.insecureSkipVerify,
      requestTimeoutMs: options.timeoutMs,
      qps: options.qps,
      burst: options.burst,
      defaultHeaders: { Accept: ACCEPT, 'Accept-Language': 'en_US' },
      linkPathPrefixes: LINK_PREFIXES,
      readErrorAnswer: readDcsErrorAnswer,
      secrets: options.secrets,
    });
    this.endpoint = this.transport.origin;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
  }

  /** One JSON request. */
  request(spec: DcsHttpRequest): Promise<DcsHttpResponse> {
    const withBody = spec.body !== undefined || spec.method === 'POST' || spec.method === 'PUT';
    // A JSON PUT changes a DRS rule set by operation ("create rule"): sent twice, DCS refuses the second.
    const once = spec.method === 'PUT' ? { idempotent: false } : {};
    return this.send(spec, { ...(withBody ? { body: spec.body ?? {} } : {}), ...once });
  }

  /** A raw `PUT` of bytes (`application/octet-stream`), for the second step of an upload. */
  putRaw(spec: Omit<DcsHttpRequest, 'method' | 'body'>, bytes: Uint8Array): Promise<DcsHttpResponse> {
    return this.send(
      { ...spec, method: 'PUT' },
      { bytes: { data: bytes, contentType: 'application/octet-stream' }, timeoutMs: this.uploadTimeoutMs },
    );
  }

  /** Closes the connections; closing twice is harmless. */
  close(): void {
    this.transport.close().catch(() => undefined);
  }

  private async send(
    spec: DcsHttpRequest,
    payload: {
      body?: unknown;
      bytes?: { data: Uint8Array; contentType: string };
      timeoutMs?: number;
      idempotent?: boolean;
    },
  ): Promise<DcsHttpResponse> {
    // URIs from DCS are links; the few fixed entry points are paths.
    const target =
      spec.path.startsWith(LINK_PREFIXES[0] as string) || !spec.path.startsWith('/')
        ? { link: spec.path }
        : { path: spec.path };
    try {
      return await this.transport.request({
        method: spec.method,
        ...target,
        query: spec.query,
        headers: spec.headers,
        signal: spec.signal,
        ...payload,
      });
    } catch (error) {
      throw this.dcsError(error, spec.method, target.link ?? target.path ?? '');
    }
  }

  private dcsError(error: unknown, method: string, target: string): unknown {
    if (!isPlatformFailure(error)) return error;
    const path = pathOf(target);
    const status = error.details.httpStatus;
    if (status !== undefined && status >= 200 && status < 300)
      return new DcsResponseError(method, path, 'the body is not JSON');
    if (status !== undefined)
      return new DcsApiError(status, error.details.platformCode, platformWords(error, status), method, path);
    if (error.kind === 'TLSFailure' || error.kind === 'Timeout' || error.kind === 'Unreachable') {
      const kind = error.kind === 'TLSFailure' ? 'tls' : error.kind === 'Timeout' ? 'timeout' : 'unreachable';
      return new DcsTransportError(kind, socketCode(error), this.endpoint, method, path, error.message);
    }
    // A link outside the VRM, refused before sending.
    return error;
  }
}

function pathOf(target: string): string {
  try {
    return new URL(target, 'http://vrm').pathname;
  } catch {
    return target;
  }
}

/** The VRM's `errorDes` (or the start of a non-DCS body) from the transport's message. */
function platformWords(failure: PlatformFailure, status: number): string {
  const code = failure.details.platformCode ? ` ${failure.details.platformCode}` : '';
  const prefix = `${failure.details.operation}: HTTP ${status}${code}: `;
  return failure.message.startsWith(prefix) ? failure.message.slice(prefix.length) : `HTTP ${status}`;
}

/** Node's error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, ...) from the failure's causes. */
function socketCode(failure: PlatformFailure): string | undefined {
  for (let cause: unknown = failure.details.cause, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && !code.startsWith('UND_ERR_')) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
