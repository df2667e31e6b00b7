import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { RateLimiter } from '@immutable-infra/core';
import { sdkDate, signRequest } from './aksk-signer.js';
import { type HcsRegion, type HcsService, serviceEndpoint } from './hcs-endpoints.js';
import { HcsApiError, HcsTransportError } from './hcs-errors.js';

// A request HCS never answers must not hold a reconcile (and shutdown) for ever.
const DEFAULT_TIMEOUT_MS = 30_000;
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|^EPROTO$/;

/** An access key of an HCS project; only ever held in memory, never logged. */
export interface HcsCredential extends HcsRegion {
  accessKey: string;
  secretKey: string;
  projectId: string;
  /** PEM of a private CA that signed the platform's certificates. */
  caCertificate?: string | undefined;
}

export interface HcsHttpOptions {
  timeoutMs?: number | undefined;
  /** Client-side rate limit per credential; 20 requests per second with a burst of 40 by default. */
  qps?: number | undefined;
  burst?: number | undefined;
  /**
   * Resolves the services' host names instead of DNS (the regional names then need no DNS entry:
   * tests point them at a simulator, a site at an address of its API gateway).
   */
  lookup?: LookupFunction | undefined;
}

export interface HcsRequest {
  service: HcsService;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | readonly string[] | undefined>;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface HcsResponse {
  status: number;
  body: unknown;
}

/**
 * Signs and sends JSON requests to a region's services with one access key: AK/SK signature
 * (`X-Sdk-Date`, `X-Project-Id`, `Host` and the body signed), a keep-alive agent, a per-request
 * timeout and a rate limit. Non-2xx answers become HcsApiError with the service's code.
 */
export class HcsHttp {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;

  constructor(
    private readonly credential: HcsCredential,
    private readonly options: HcsHttpOptions = {},
  ) {
    this.agent =
      credential.scheme === 'https'
        ? new HttpsAgent({
            keepAlive: true,
            ...(credential.caCertificate ? { ca: [...rootCertificates, credential.caCertificate] } : {}),
          })
        : new HttpAgent({ keepAlive: true });
    this.limiter = new RateLimiter(options.qps ?? 20, options.burst ?? 40);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get projectId(): string {
    return this.credential.projectId;
  }

  close(): void {
    this.agent.destroy();
  }

  async request(spec: HcsRequest): Promise<HcsResponse> {
    await this.limiter.acquire();
    const url = new URL(spec.path, serviceEndpoint(spec.service, this.credential));
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    const payload = spec.body !== undefined ? Buffer.from(JSON.stringify(spec.body)) : Buffer.alloc(0);
    const headers: Record<string, string> = {
      Host: url.host,
      'Content-Type': 'application/json;charset=UTF-8',
      'X-Sdk-Date': sdkDate(new Date()),
      'X-Project-Id': this.credential.projectId,
    };
    headers.Authorization = signRequest(
      { method: spec.method, url, headers, body: payload },
      this.credential.accessKey,
      this.credential.secretKey,
    );
    if (payload.byteLength > 0) headers['Content-Length'] = String(payload.byteLength);
    // Errors name the path with the project as `{project_id}`: readable, and the same for every project.
    const shownPath = url.pathname.split(`/${this.credential.projectId}`).join('/{project_id}');
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    let text: string;
    let response: IncomingMessage;
    try {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(
          url,
          {
            method: spec.method,
            headers,
            agent: this.agent,
            signal,
            ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
          },
          resolve,
        );
        req.on('error', reject);
        req.end(payload.byteLength > 0 ? payload : undefined);
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (spec.signal?.aborted && !timeout.aborted) throw error;
      if (timeout.aborted)
        throw new HcsTransportError(
          'timeout',
          url.host,
          spec.method,
          shownPath,
          `no answer within ${this.timeoutMs} ms`,
        );
      const code = (error as { code?: unknown }).code;
      const reason = typeof code === 'string' && TLS_ERROR.test(code) ? 'tls' : 'unreachable';
      throw new HcsTransportError(
        reason,
        url.host,
        spec.method,
        shownPath,
        error instanceof Error ? error.message : String(error),
      );
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toApiError(status, text, spec.method, shownPath);
    let body: unknown;
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new HcsApiError(status, undefined, 'the answer is not JSON', spec.method, shownPath);
      }
    }
    return { status, body };
  }
}

/**
 * The three error shapes of HCS: `{error:{code,message}}` (ECS, EVS, IMS), `{error_code,error_msg}`
 * (API gateway, VPC, ELB) and keystone's `{error:{code:401,message,title}}` (IAM).
 */
function toApiError(status: number, text: string, method: string, path: string): HcsApiError {
  let code: string | undefined;
  let detail = text.trim().slice(0, 300) || `HTTP ${status}`;
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown };
      error_code?: unknown;
      error_msg?: unknown;
    };
    const nestedCode = body.error?.code;
    if (typeof nestedCode === 'string') code = nestedCode;
    else if (typeof body.error_code === 'string') code = body.error_code;
    const message = body.error?.message ?? body.error_msg;
    if (typeof message === 'string' && message) detail = message;
  } catch {
    // Not an HCS error body (a proxy's page, say): keep the start of the text.
  }
  return new HcsApiError(status, code, detail, method, path);
}
