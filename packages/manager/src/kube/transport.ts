import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { RateLimiter } from '@immutable-infra/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './api-error.js';
import type { ClusterCredentials } from './kubeconfig-credentials.js';

// A request the API server leaves unanswered must not hold a reconcile (and shutdown) forever.
const REQUEST_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  qps?: number;
  burst?: number;
  /** Milliseconds on the host's clock, by which the rate limit earns its tokens; monotonic by default. */
  now?: () => number;
  /**
   * Called after every request with its verb, the resource's plural name, the subresource ('' for
   * the object itself, `status` for its status) and outcome.
   */
  onRequest?: (event: {
    method: string;
    resource: string;
    subresource: string;
    status: number;
    durationMs: number;
  }) => void;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * Talks to the API server over HTTPS with the kubeconfig's credentials, through one
 * keep-alive agent and a client-side rate limit. The credentials are ours
 * (loadKubeconfigCredentials) or, for callers that have one, client-node's KubeConfig.
 */
export class KubeTransport {
  readonly server: string;
  private readonly credentials: Pick<ClusterCredentials, 'applyToHTTPSOptions'>;
  private readonly limiter: RateLimiter;
  private agent: Agent | undefined;

  constructor(
    credentials: ClusterCredentials | KubeConfig,
    private readonly options: TransportOptions = {},
  ) {
    if ('getCurrentCluster' in credentials) {
      const cluster = credentials.getCurrentCluster();
      if (!cluster) throw new Error('kubeconfig has no current cluster');
      this.server = cluster.server.replace(/\/$/, '');
    } else this.server = credentials.server.replace(/\/$/, '');
    this.credentials = credentials;
    this.limiter = new RateLimiter(options.qps ?? 50, options.burst ?? 100, options.now);
  }

  private async requestOptions(spec: RequestSpec): Promise<{ url: URL; options: RequestOptions }> {
    const url = new URL(this.server + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const options: RequestOptions = { method: spec.method, headers: { Accept: 'application/json' } };
    // Resolves auth per request: service account tokens rotate, tokens from exec plugins and OIDC expire.
    await this.credentials.applyToHTTPSOptions(options);
    if (url.protocol === 'https:') {
      this.agent ??= new Agent({
        keepAlive: true,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        ...(options.rejectUnauthorized !== undefined
          ? { rejectUnauthorized: options.rejectUnauthorized }
          : {}),
      });
      options.agent = this.agent;
    }
    if (spec.signal) options.signal = spec.signal;
    const headers = options.headers as Record<string, string>;
    if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
    return { url, options };
  }

  private async open(spec: RequestSpec): Promise<IncomingMessage> {
    await this.limiter.acquire();
    const { url, options } = await this.requestOptions(spec);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, resolve);
      req.on('error', reject);
      if (spec.body !== undefined) req.write(JSON.stringify(spec.body));
      req.end();
    });
  }

  /** One request; resolves with the decoded JSON body or throws KubeApiError. Times out after 30 s. */
  async request<T = unknown>(spec: RequestSpec): Promise<T> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const response = await this.open({ ...spec, signal });
    let text = '';
    response.setEncoding('utf8');
    for await (const chunk of response) text += chunk;
    const status = response.statusCode ?? 0;
    this.options.onRequest?.({
      method: spec.method,
      resource: resourceOfPath(spec.path),
      subresource: subresourceOfPath(spec.path),
      status,
      durationMs: performance.now() - started,
    });
    if (status < 200 || status >= 300) throw toApiError(status, text, spec);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A streaming GET (watch); yields one parsed JSON object per line. */
  async *stream<T = unknown>(spec: Omit<RequestSpec, 'method' | 'body'>): AsyncGenerator<T> {
    const started = performance.now();
    const response = await this.open({ ...spec, method: 'GET' });
    const status = response.statusCode ?? 0;
    // A watch is a request to the API server too: counted when its answer starts.
    this.options.onRequest?.({
      method: 'GET',
      resource: resourceOfPath(spec.path),
      subresource: subresourceOfPath(spec.path),
      status,
      durationMs: performance.now() - started,
    });
    if (status < 200 || status >= 300) {
      let text = '';
      for await (const chunk of response) text += chunk;
      throw toApiError(status, text, { ...spec, method: 'GET' });
    }
    response.setEncoding('utf8');
    let buffer = '';
    for await (const chunk of response as AsyncIterable<string>) {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) yield JSON.parse(line) as T;
        newline = buffer.indexOf('\n');
      }
    }
  }

  close(): void {
    this.agent?.destroy();
  }
}

/**
 * The resource a request path addresses, e.g. `machines` for
 * `/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/machines/m1/status`: a metric label with a
 * bounded set of values (object names and namespaces are left out).
 */
export function resourceOfPath(path: string): string {
  const segments = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const rest = segments.slice(segments[0] === 'api' ? 2 : 3);
  if (rest[0] === 'namespaces' && rest.length >= 3) return rest[2] ?? 'unknown';
  return rest[0] ?? (segments.length > 0 ? 'discovery' : 'unknown');
}

/**
 * The subresource a request path addresses, e.g. `status` for
 * `/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/machines/m1/status`; '' for the object or a list.
 */
export function subresourceOfPath(path: string): string {
  const segments = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const rest = segments.slice(segments[0] === 'api' ? 2 : 3);
  const named = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  return named[2] ?? '';
}

function toApiError(status: number, text: string, spec: Pick<RequestSpec, 'method' | 'path'>): KubeApiError {
  let reason = 'Unknown';
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? reason;
    message = body.message ?? message;
  } catch {
    // Not a Status object; keep the raw text.
  }
  return new KubeApiError(status, reason, message, spec.method, spec.path);
}
