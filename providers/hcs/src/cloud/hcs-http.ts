import type { LookupFunction } from 'node:net';
import type { PlatformLimits } from '@immutable-infra/core';
import {
  accountTransportLimits,
  JsonTransport,
  LookupCache,
  type OutgoingRequest,
} from '@immutable-infra/provider-kit';
import { sdkDate, signRequest } from './aksk-signer.js';
import { type HcsRegion, type HcsService, serviceEndpoint } from './hcs-endpoints.js';
import { readHcsErrorAnswer, readObsErrorAnswer } from './hcs-failures.js';
import { encodeObjectKey, presignObsGet, signObsRequest } from './obs-signer.js';

/** An access key of an HCS project; only ever held in memory, never logged. */
export interface HcsCredential extends HcsRegion {
  accessKey: string;
  secretKey: string;
  projectId: string;
  /** PEM of a private CA that signed the platform's certificates. */
  caCertificate?: string | undefined;
  /** This account's request limits (from its Secret or the manager), per service endpoint. */
  limits?: PlatformLimits | undefined;
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

/** An OBS bucket: its name and, when it is not `obs.{region}.{externalGlobalDomain}`, the OBS endpoint. */
export interface ObsBucketRef {
  bucket: string;
  /** `https://obs.example.com[:port]`; the bucket is addressed as a virtual host under it. */
  endpoint?: string | undefined;
}

export interface ObjectRequest {
  target: ObsBucketRef;
  method: 'PUT' | 'HEAD' | 'DELETE';
  key: string;
  bytes?: { data: Uint8Array; contentType: string } | undefined;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * JSON requests to a region's services with one access key: one kit transport per service host
 * (`{scheme}://{service}.{region}.{domain}`), each request signed with the AK/SK signature as the
 * transport's auth hook. Failures are the kit's PlatformFailures, classified by the HCS error body.
 */
export class HcsHttp {
  private readonly transports = new Map<HcsService, JsonTransport>();
  /** OBS transports by bucket origin (each bucket is its own virtual host). */
  private readonly objectTransports = new Map<string, JsonTransport>();
  /** The account's inventory lookups (HcsClient's `lookups`), kept as long as its transports. */
  readonly lookups = new LookupCache();

  constructor(
    private readonly credential: HcsCredential,
    private readonly options: HcsHttpOptions = {},
  ) {}

  get projectId(): string {
    return this.credential.projectId;
  }

  async close(): Promise<void> {
    const transports = [...this.transports.values(), ...this.objectTransports.values()];
    this.transports.clear();
    this.objectTransports.clear();
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

  /** A request to an OBS object, signed with OBS's own signature; failures read from OBS's XML errors. */
  async objectRequest(spec: ObjectRequest): Promise<{ status: number; headers: Record<string, string> }> {
    const { target, key } = spec;
    const { status, headers } = await this.objectTransport(target).request({
      method: spec.method,
      path: `/${encodeObjectKey(key)}`,
      bytes: spec.bytes,
      headers: spec.headers,
      signal: spec.signal,
      operation: `${spec.method} OBS object in bucket ${target.bucket}`,
      authenticate: (request) =>
        signObsRequest(
          { method: request.method, bucket: target.bucket, key, headers: { ...request.headers } },
          this.credential.accessKey,
          this.credential.secretKey,
          new Date(),
        ),
    });
    return { status, headers };
  }

  /** A GET URL of the object that works without credentials until `expiresAt` (see presignObsGet). */
  presignedObjectUrl(target: ObsBucketRef, key: string, expiresAt: Date): string {
    const objectUrl = new URL(`/${encodeObjectKey(key)}`, this.bucketOrigin(target));
    return presignObsGet(
      objectUrl,
      { bucket: target.bucket, key },
      this.credential.accessKey,
      this.credential.secretKey,
      expiresAt,
    ).href;
  }

  /** Virtual-host addressing, as HCS's OBS endpoint and its SDKs use it: `{bucket}.obs.{region}.{domain}`. */
  private bucketOrigin(target: ObsBucketRef): string {
    const endpoint = new URL(
      target.endpoint ??
        `${this.credential.scheme}://obs.${this.credential.region}.${this.credential.externalGlobalDomain}`,
    );
    return `${endpoint.protocol}//${target.bucket}.${endpoint.host}`;
  }

  private objectTransport(target: ObsBucketRef): JsonTransport {
    const origin = this.bucketOrigin(target);
    let transport = this.objectTransports.get(origin);
    if (!transport) {
      transport = new JsonTransport({
        ...this.transportOptions(origin),
        readErrorAnswer: readObsErrorAnswer,
      });
      this.objectTransports.set(origin, transport);
    }
    return transport;
  }

  /** What every transport of this account shares: TLS, name lookup, timeouts, rate, the secret to mask. */
  private transportOptions(endpoint: string) {
    return {
      endpoint,
      caBundle: this.credential.caCertificate,
      lookup: this.options.lookup,
      requestTimeoutMs: this.options.timeoutMs,
      ...accountTransportLimits(this.credential.limits, this.options),
      // Every call is sent once, as the controllers' steps expect: they retry on their next run.
      maxAttempts: 1,
      secrets: [this.credential.secretKey],
    };
  }

  private transport(service: HcsService): JsonTransport {
    let transport = this.transports.get(service);
    if (!transport) {
      const { projectId } = this.credential;
      transport = new JsonTransport({
        ...this.transportOptions(serviceEndpoint(service, this.credential).origin),
        authenticate: (request) => this.sign(request),
        readErrorAnswer: readHcsErrorAnswer,
        // Errors name the path with the project as `{project_id}`: readable, and the same for every project.
        displayPath: (pathname) => pathname.split(`/${projectId}`).join('/{project_id}'),
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
