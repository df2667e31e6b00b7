import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { RateLimiter } from '@immutable-infra/core';
import { DcsApiError, DcsResponseError, DcsTransportError } from './dcs-api-error.js';

// The API version the contract speaks; the VRM answers older versions in older shapes.
const ACCEPT = 'application/json;version=8.0;charset=UTF-8';
// A request the VRM leaves unanswered must not hold a reconcile (and shutdown) forever.
const DEFAULT_TIMEOUT_MS = 30_000;
// Ignition ISOs are small, but an upload may go to a busy host's management address.
const DEFAULT_UPLOAD_TIMEOUT_MS = 120_000;
// Errors from the TLS layer: Node's X.509 verification codes, and EPROTO for a handshake that
// went wrong (e.g. https:// to a plain-HTTP port).
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|^EPROTO$/;

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
}

export type DcsMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface DcsHttpRequest {
  method: DcsMethod;
  /** A path under the endpoint (`/service/...`, as the VRM's `uri` fields are) or an absolute URL. */
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** Sent as JSON. POST and PUT without a body send `{}`, as the reference clients do. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

export interface DcsHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The decoded JSON body; undefined when the body was empty. */
  body: unknown;
}

/**
 * Talks HTTP(S) to one VRM through one keep-alive agent: the contract's headers, JSON bodies,
 * a per-request timeout and a client-side rate limit. Non-2xx answers become DcsApiError, and
 * requests that got no answer become DcsTransportError. It knows nothing about sessions.
 */
export class DcsHttp {
  readonly endpoint: string;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;

  constructor(options: DcsHttpOptions) {
    const base = new URL(options.endpoint);
    if (base.protocol !== 'https:' && base.protocol !== 'http:')
      throw new Error(`DCS endpoint must be http(s), got ${base.protocol}`);
    this.endpoint = base.origin;
    this.agent =
      base.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            // Node replaces its root store when `ca` is given; keep the public roots as well, so
            // a VRM behind a publicly signed proxy still verifies.
            ...(options.caCertificate ? { ca: [...rootCertificates, options.caCertificate] } : {}),
            rejectUnauthorized: options.insecureSkipVerify !== true,
          })
        : new HttpAgent({ keepAlive: true });
    this.limiter = new RateLimiter(options.qps ?? 20, options.burst ?? 40);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
  }

  /** One JSON request. */
  request(spec: DcsHttpRequest): Promise<DcsHttpResponse> {
    const hasBody = spec.body !== undefined || spec.method === 'POST' || spec.method === 'PUT';
    const payload = hasBody ? Buffer.from(JSON.stringify(spec.body ?? {})) : undefined;
    return this.send(spec, payload, 'application/json', this.timeoutMs);
  }

  /** A raw `PUT` of bytes (`application/octet-stream`), for the second step of an upload. */
  putRaw(spec: Omit<DcsHttpRequest, 'method' | 'body'>, bytes: Uint8Array): Promise<DcsHttpResponse> {
    return this.send(
      { ...spec, method: 'PUT' },
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      'application/octet-stream',
      this.uploadTimeoutMs,
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private async send(
    spec: DcsHttpRequest,
    payload: Buffer | undefined,
    contentType: string,
    timeoutMs: number,
  ): Promise<DcsHttpResponse> {
    await this.limiter.acquire();
    const url = spec.path.startsWith('/') ? new URL(this.endpoint + spec.path) : new URL(spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const path = url.pathname;
    const headers: Record<string, string> = {
      Accept: ACCEPT,
      'Accept-Language': 'en_US',
      ...(payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.byteLength) } : {}),
      ...spec.headers,
    };
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const failed = (error: unknown): Error =>
      timeout.aborted
        ? new DcsTransportError(
            'timeout',
            undefined,
            this.endpoint,
            spec.method,
            path,
            `no answer within ${timeoutMs} ms`,
          )
        : toTransportError(error, this.endpoint, spec.method, path);

    let text: string;
    let response: IncomingMessage;
    try {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, { method: spec.method, headers, agent: this.agent, signal }, resolve);
        req.on('error', reject);
        req.end(payload);
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      // The caller's own abort is theirs to handle; pass it through unchanged.
      if (spec.signal?.aborted && !timeout.aborted) throw error;
      throw failed(error);
    }

    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toApiError(status, text, spec.method, path);
    let body: unknown;
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new DcsResponseError(spec.method, path, 'the body is not JSON');
      }
    }
    return { status, headers: response.headers, body };
  }
}

function toApiError(status: number, text: string, method: string, path: string): DcsApiError {
  let errorCode: string | undefined;
  let errorDes = text.trim().slice(0, 300) || `HTTP ${status}`;
  try {
    const body = JSON.parse(text) as { errorCode?: unknown; errorDes?: unknown };
    if (body.errorCode !== undefined && body.errorCode !== null) errorCode = String(body.errorCode);
    if (typeof body.errorDes === 'string' && body.errorDes) errorDes = body.errorDes;
  } catch {
    // Not the DCS error shape (a proxy's HTML page, say); keep the start of the text.
  }
  return new DcsApiError(status, errorCode, errorDes, method, path);
}

function toTransportError(error: unknown, endpoint: string, method: string, path: string): DcsTransportError {
  const code = (error as { code?: unknown }).code;
  const codeText = typeof code === 'string' ? code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const kind = codeText && TLS_ERROR.test(codeText) ? 'tls' : 'unreachable';
  return new DcsTransportError(kind, codeText, endpoint, method, path, message);
}
