import {
  type KubeClient,
  type KubeconfigPem,
  rememberSecretValue,
  resolveKubeconfig,
} from '@immutable-infra/core';
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

/** A body as JSON; a plain-text answer (a proxy's 404 page) as none. */
function jsonOrNothing<T>(text: string): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

const decode = (data: string | undefined) => (data ? Buffer.from(data, 'base64').toString() : undefined);

/** Inline PEM (a self-contained kubeconfig has no other). */
const inlinePem = (material: KubeconfigPem | undefined) =>
  material && 'pem' in material ? material.pem : undefined;

/**
 * A client of the API server a kubeconfig names (its current context): the CA, client certificate,
 * bearer token or basic auth inline, as the kubeconfig Secret Cluster API's control plane provider
 * writes carries them. Only for that Secret's content: nothing is read from disk and no plugin is
 * run, so a kubeconfig naming a file or an exec plugin is refused with every such field named.
 * `origin` names the kubeconfig in those messages.
 */
export function workloadApiFromKubeconfig(
  kubeconfig: string,
  timeoutMs = 10_000,
  origin = 'of the workload cluster',
): WorkloadApi {
  let content: unknown;
  try {
    content = parse(kubeconfig);
  } catch (error) {
    throw new Error(`kubeconfig ${origin} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const resolution = resolveKubeconfig({ content, origin }, { selfContained: true });
  if (!resolution.ok) throw new Error(resolution.problems.join('; '));
  const resolved = resolution.kubeconfig;
  const { server, token, basicAuth } = resolved;
  const ca = inlinePem(resolved.certificateAuthority);
  const cert = inlinePem(resolved.clientCertificate);
  const key = inlinePem(resolved.clientKey);
  // Whatever error text a request builds must not carry them.
  rememberSecretValue(token);
  rememberSecretValue(basicAuth?.password);
  const authorization = token
    ? `Bearer ${token}`
    : basicAuth
      ? `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64')}`
      : undefined;
  const dispatcher = new Agent({
    connect: {
      ...(ca ? { ca } : {}),
      ...(cert && key ? { cert, key } : {}),
      ...(resolved.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
      ...(resolved.tlsServerName ? { servername: resolved.tlsServerName } : {}),
      timeout: timeoutMs,
    },
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
          ...(authorization ? { authorization } : {}),
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
  return kubeconfig
    ? workloadApiFromKubeconfig(kubeconfig, undefined, `Secret ${namespace}/${cluster}-kubeconfig`)
    : undefined;
}
