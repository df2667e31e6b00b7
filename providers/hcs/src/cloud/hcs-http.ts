import type { LookupFunction } from 'node:net';
import { JsonTransport, type OutgoingRequest } from '@immutable-infra/provider-kit';
import { sdkDate, signRequest } from './aksk-signer.js';
import { type HcsRegion, type HcsService, serviceEndpoint } from './hcs-endpoints.js';
import { readHcsErrorAnswer } from './hcs-failures.js';

/** An access key of an HCS project; only ever held in memory, never logged. */
export interface HcsCredential extends HcsRegion {
  accessKey: string;
  secretKey: string;
  projectId: string;
  /** PEM of a private CA that signed the platform's certificates. */
  caCertificate?: string | undefined;
}

export interface HcsHttpOptions {
  /** Time for a whole request; 30 s by default, so a request HCS never answers cannot hold a reconcile. */
  timeoutMs?: number | undefined;
  /** Client-side rate limit per service endpoint; 20 requests per second with a burst of 40 by default. */
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
  query?: Record<string, string | number | readonly string[] | undefined> | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface HcsResponse {
  status: number;
  body: unknown;
}

/**
 * JSON requests to a region's services with one access key: one kit transport per service host
 * (`{scheme}://{service}.{region}.{domain}`), each request signed with the AK/SK signature as the
 * transport's auth hook. Failures are the kit's PlatformFailures, classified by the HCS error body.
 */
export class HcsHttp {
  private readonly transports = new Map<HcsService, JsonTransport>();

  constructor(
    private readonly credential: HcsCredential,
    private readonly options: HcsHttpOptions = {},
  ) {}

  get projectId(): string {
    return this.credential.projectId;
  }

  async close(): Promise<void> {
    const transports = [...this.transports.values()];
    this.transports.clear();
    await Promise.all(transports.map((transport) => transport.close()));
  }

  async request(spec: HcsRequest): Promise<HcsResponse> {
    const { status, body } = await this.transport(spec.service).request({
      method: spec.method,
      path: spec.path,
      query: spec.query,
      body: spec.body,
      signal: spec.signal,
    });
    return { status, body };
  }

  private transport(service: HcsService): JsonTransport {
    let transport = this.transports.get(service);
    if (!transport) {
      const { projectId } = this.credential;
      transport = new JsonTransport({
        endpoint: serviceEndpoint(service, this.credential).origin,
        caBundle: this.credential.caCertificate,
        lookup: this.options.lookup,
        requestTimeoutMs: this.options.timeoutMs,
        qps: this.options.qps,
        burst: this.options.burst,
        // Every call is sent once, as the controllers' steps expect: they retry on their next run.
        maxAttempts: 1,
        authenticate: (request) => this.sign(request),
        readErrorAnswer: readHcsErrorAnswer,
        // Errors name the path with the project as `{project_id}`: readable, and the same for every project.
        displayPath: (pathname) => pathname.split(`/${projectId}`).join('/{project_id}'),
        secrets: [this.credential.secretKey],
      });
      this.transports.set(service, transport);
    }
    return transport;
  }

  private sign(request: OutgoingRequest): Record<string, string> {
    const headers = {
      ...request.headers,
      'x-sdk-date': sdkDate(new Date()),
      'x-project-id': this.credential.projectId,
    };
    const authorization = signRequest(
      { method: request.method, url: request.url, headers, body: request.body },
      this.credential.accessKey,
      this.credential.secretKey,
    );
    return {
      'x-sdk-date': headers['x-sdk-date'],
      'x-project-id': headers['x-project-id'],
      authorization,
    };
  }
}
