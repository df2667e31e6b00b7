import type { KubeClient } from '@immutable-infra/core';
import { Agent, request } from 'undici';
import { parse } from 'yaml';

/** An answer of the workload cluster's API server: its status and JSON body (undefined when none). */
export interface WorkloadAnswer<T = unknown> {
  status: number;
  body: T | undefined;
}

/** The few REST calls a cluster step makes on the workload cluster's API server. */
export interface WorkloadApi {
  /** The cluster's API server, for messages. */
  readonly server: string;
  call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<WorkloadAnswer<T>>;
  close(): Promise<void>;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users?: {
    name: string;
    user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string };
  }[];
}

/** A body as JSON; a plain-text answer (a proxy's 404 page) as none. */
function jsonOrNothing<T>(text: string): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

const decode = (data: string | undefined) => (data ? Buffer.from(data, 'base64').toString() : undefined);

/**
 * A client of the API server a kubeconfig names (its current context, else its first cluster and
 * user): the CA, client certificate or bearer token inline, as the kubeconfig Secret Cluster API's
 * control plane provider writes carries them. Only for that Secret's content: nothing is read from disk.
 */
export function workloadApiFromKubeconfig(kubeconfig: string, timeoutMs = 10_000): WorkloadApi {
  const file = parse(kubeconfig) as KubeconfigFile;
  const context = file.contexts?.find((c) => c.name === file['current-context'])?.context;
  const cluster = (file.clusters?.find((c) => c.name === context?.cluster) ?? file.clusters?.[0])?.cluster;
  const user = (file.users?.find((u) => u.name === context?.user) ?? file.users?.[0])?.user;
  if (!cluster?.server) throw new Error('the kubeconfig names no cluster server');
  const server = cluster.server.replace(/\/+$/, '');
  const ca = decode(cluster['certificate-authority-data']);
  const cert = decode(user?.['client-certificate-data']);
  const key = decode(user?.['client-key-data']);
  const dispatcher = new Agent({
    connect: { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}), timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    server,
    async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) {
      const answer = await request(`${server}${path}`, {
        method,
        dispatcher,
        headers: {
          accept: 'application/json',
          ...(user?.token ? { authorization: `Bearer ${user.token}` } : {}),
          ...(body === undefined
            ? {}
            : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await answer.body.text();
      return { status: answer.statusCode, body: jsonOrNothing<T>(text) };
    },
    close: () => dispatcher.close(),
  };
}

/**
 * The workload cluster's API, from the `<cluster>-kubeconfig` Secret of the cluster's namespace
 * (key `value`), or undefined while that Secret is not there (the control plane is not up yet).
 */
export async function workloadApiOf(
  kube: KubeClient,
  namespace: string,
  cluster: string,
): Promise<WorkloadApi | undefined> {
  const secret = await kube.get<{ data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    name: `${cluster}-kubeconfig`,
  });
  const kubeconfig = decode(secret?.data?.value);
  return kubeconfig ? workloadApiFromKubeconfig(kubeconfig) : undefined;
}
