import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Who a request to the API server is made as. */
export type Identity = { kind: 'token'; token: string } | { kind: 'kubeconfig' };

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * The management cluster's API server, reached either as the signed-in user
 * (their bearer token, so Kubernetes RBAC decides) or as the kubeconfig's own
 * user (the caches, and single-user local mode).
 */
export class KubeEndpoint {
  readonly server: string;

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/$/, '');
  }

  private agent: Agent | undefined;

  private userAgent(): Agent {
    if (!this.agent) {
      const cluster = this.kubeConfig.getCurrentCluster();
      const ca = cluster?.caData
        ? Buffer.from(cluster.caData, 'base64')
        : cluster?.caFile
          ? readFileSync(cluster.caFile)
          : undefined;
      this.agent = new Agent({
        keepAlive: true,
        ...(ca ? { ca } : {}),
        rejectUnauthorized: cluster?.skipTLSVerify !== true,
      });
    }
    return this.agent;
  }

  close(): void {
    this.agent?.destroy();
  }

  async request<T = unknown>(
    identity: Identity,
    spec: { method: string; path: string; body?: unknown; contentType?: string },
  ): Promise<KubeResponse<T>> {
    const url = new URL(this.server + spec.path);
    const options: RequestOptions = { method: spec.method, headers: { accept: 'application/json' } };
    const headers = options.headers as Record<string, string>;
    if (identity.kind === 'token') {
      // Only the cluster's CA and the user's token: never the kubeconfig's own credentials (a client
      // certificate would authenticate first and the user would act as the server's identity).
      options.agent = this.userAgent();
      headers.authorization = `Bearer ${identity.token}`;
    } else {
      await this.kubeConfig.applyToHTTPSOptions(options);
    }
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    if (payload !== undefined) headers['content-type'] = spec.contentType ?? 'application/json';
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...options, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON: keep the text for the error message.
          }
          resolve({ status: res.statusCode ?? 0, body: body as T });
        });
      });
      req.on('timeout', () =>
        req.destroy(new Error(`the API server did not answer ${spec.method} ${spec.path} in 30s`)),
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

/** The API server's own words for a refusal (a Status object's message), else the HTTP status. */
export function refusalMessage(response: KubeResponse): string {
  const body = response.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : `the API server answered HTTP ${response.status}`;
}
