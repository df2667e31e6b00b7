import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import {
  type KubeconfigDocument,
  type KubeconfigPem,
  looksLikePem,
  resolveKubeconfig,
} from '@immutable-infra/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** What KubeTransport needs to reach one API server: its URL and the credentials of each request. */
export interface ClusterCredentials {
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** The current context's namespace (in a Pod: the service account's), when it names one. */
  readonly namespace?: string | undefined;
  /** Adds the TLS material and the Authorization of one request to its options. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

/** Credentials loaded from a kubeconfig or the Pod's service account. */
export interface LoadedKubeconfig extends ClusterCredentials {
  /** Where they came from, for messages: the file(s), or `in-cluster`. */
  readonly source: string;
  /**
   * True when the current user needs `@kubernetes/client-node` (exec plugins, auth providers, or
   * anything this loader does not cover): then it resolves every request's credentials.
   */
  readonly viaClientNode: boolean;
  /** The same configuration as client-node's KubeConfig, for code built on client-node's API clients. */
  toKubeConfig(): Promise<KubeConfig>;
}

export interface KubeconfigSources {
  /** `--kubeconfig`: this file only, as kubectl does. */
  kubeconfigPath?: string | undefined;
  /** Where `KUBECONFIG`, `KUBERNETES_SERVICE_HOST/PORT` and `HOME` are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The service account's directory (token, ca.crt, namespace); tests point it elsewhere. */
  serviceAccountDir?: string;
  /** Milliseconds, by which a token file is re-read; Date.now by default. */
  now?: () => number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

// As client-go: bound service account tokens rotate (the kubelet refreshes them at 80% of their
// lifetime, 10 minutes at the least), so a token file is read again after a minute.
const TOKEN_FILE_REREAD_MS = 60_000;

/**
 * Loads the credentials the manager talks to the API server with, in controller-runtime's order:
 * `--kubeconfig`; else `$KUBECONFIG` (a list of files merged as kubectl merges them: the first
 * file to name a cluster, user or context, or to set current-context, wins); else the Pod's
 * service account; else ~/.kube/config. Certificates, tokens and basic auth are handled here;
 * only a user with an exec plugin, an auth provider or another field not covered here loads
 * `@kubernetes/client-node` (its generated API client alone costs about 70 MiB of memory).
 */
export async function loadKubeconfigCredentials(sources: KubeconfigSources = {}): Promise<LoadedKubeconfig> {
  const env = sources.env ?? process.env;
  const now = sources.now ?? Date.now;
  if (sources.kubeconfigPath) return fromDocuments(readKubeconfigFiles([sources.kubeconfigPath], true), now);
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (list.length > 0) return fromDocuments(readKubeconfigFiles(list, false), now);

  const home = join(env.HOME || homedir(), '.kube', 'config');
  let inClusterError: Error | undefined;
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
    try {
      return inClusterCredentials(env, sources.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, now);
    } catch (error) {
      // As controller-runtime: a broken in-cluster config falls through to the home kubeconfig.
      inClusterError = error as Error;
    }
  }
  if (existsSync(home)) return fromDocuments(readKubeconfigFiles([home], true), now);
  if (inClusterError) throw inClusterError;
  throw new Error(
    `no kubeconfig found: pass --kubeconfig, set KUBECONFIG, run in a Pod with a service account, or create ${home}`,
  );
}

function readKubeconfigFile(file: string): KubeconfigDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `kubeconfig ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return { content: parseYaml(text), origin: file };
  } catch (error) {
    throw new Error(`kubeconfig ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

function readKubeconfigFiles(files: string[], explicit: boolean): KubeconfigDocument[] {
  // kubectl skips the files of KUBECONFIG that do not exist; an explicit file must.
  const documents = files.filter((file) => explicit || existsSync(file)).map(readKubeconfigFile);
  if (documents.length === 0)
    throw new Error(`KUBECONFIG names no kubeconfig file that exists (${files.join(delimiter)})`);
  return documents;
}

// Relative paths in a kubeconfig are relative to the file that holds them (kubectl's ResolveLocalPaths).
const relativeToFile = (path: string, file: string) => (isAbsolute(path) ? path : join(dirname(file), path));

function fromDocuments(documents: KubeconfigDocument[], now: () => number): LoadedKubeconfig {
  const source = documents.map((document) => document.origin).join(delimiter);
  const resolution = resolveKubeconfig(documents, { resolvePath: relativeToFile });
  if (!resolution.ok) throw new Error(resolution.problems.join('; '));
  const resolved = resolution.kubeconfig;

  const toKubeConfig = async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    // The merged configuration, with every path already absolute.
    kubeConfig.loadFromString(stringifyYaml({ apiVersion: 'v1', kind: 'Config', ...resolved.merged }));
    return kubeConfig;
  };
  if (resolved.unsupported.length > 0)
    return delegateToClientNode({
      source,
      namespace: resolved.namespace,
      server: resolved.server,
      toKubeConfig,
    });

  const problems: string[] = [];
  const tls: TlsOptions = {};
  const pem = (material: KubeconfigPem | undefined) => (material ? readPem(material, problems) : undefined);
  const ca = pem(resolved.certificateAuthority);
  const cert = pem(resolved.clientCertificate);
  const key = pem(resolved.clientKey);
  if (ca) tls.ca = ca;
  if (resolved.insecureSkipTlsVerify) tls.rejectUnauthorized = false;
  if (resolved.tlsServerName) tls.servername = resolved.tlsServerName;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  let bearer: (() => string) | undefined;
  const { token, tokenFile, basicAuth } = resolved;
  try {
    bearer = token
      ? () => token
      : tokenFile
        ? rereadingToken(tokenFile.file, tokenFile.field, now)
        : undefined;
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return {
    server: resolved.server,
    namespace: resolved.namespace,
    source,
    viaClientNode: false,
    toKubeConfig,
    async applyToHTTPSOptions(options) {
      Object.assign(options, tls);
      if (bearer) withHeaders(options).Authorization = `Bearer ${bearer()}`;
      else if (basicAuth) options.auth = `${basicAuth.username}:${basicAuth.password}`;
    },
  };
}

type TlsOptions = Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

/** Inline PEM as resolved, or the file a kubeconfig names, read and checked here. */
function readPem(material: KubeconfigPem, problems: string[]): string | Buffer | undefined {
  if ('pem' in material) return material.pem;
  let pem: Buffer;
  try {
    pem = readFileSync(material.file);
  } catch (error) {
    problems.push(
      `${material.field}: cannot read ${material.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return undefined;
  }
  if (!looksLikePem(pem.toString('latin1'))) {
    problems.push(`${material.field} (${material.file}) is not PEM`);
    return undefined;
  }
  return pem;
}

/** A token file, read now (so a missing one fails at start) and again once a minute. */
function rereadingToken(file: string, what: string, now: () => number): () => string {
  const read = () => {
    const text = readFileSync(file, 'utf8').trim();
    if (!text) throw new Error(`${what}: ${file} is empty`);
    return text;
  };
  let token: string;
  try {
    token = read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code ? `${what}: cannot read ${file} (${code})` : (error as Error).message);
  }
  let readAt = now();
  return () => {
    if (now() - readAt >= TOKEN_FILE_REREAD_MS) {
      readAt = now();
      try {
        token = read();
      } catch {
        // As client-go: keep the last token while the file is being replaced or unreadable.
      }
    }
    return token;
  };
}

function inClusterCredentials(env: NodeJS.ProcessEnv, dir: string, now: () => number): LoadedKubeconfig {
  const host = env.KUBERNETES_SERVICE_HOST as string;
  const port = env.KUBERNETES_SERVICE_PORT as string;
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const what = 'in-cluster config (KUBERNETES_SERVICE_HOST is set)';
  const token = rereadingToken(join(dir, 'token'), `${what}: service account token`, now);
  const caFile = join(dir, 'ca.crt');
  let ca: Buffer;
  try {
    ca = readFileSync(caFile);
  } catch (error) {
    throw new Error(`${what}: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code})`);
  }
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile)
    ? readFileSync(namespaceFile, 'utf8').trim() || undefined
    : undefined;
  return {
    server,
    namespace,
    source: 'in-cluster',
    viaClientNode: false,
    async toKubeConfig() {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'inCluster', server, caFile, skipTLSVerify: false }],
        users: [
          {
            name: 'inClusterUser',
            authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } },
          },
        ],
        contexts: [
          {
            name: 'inClusterContext',
            cluster: 'inCluster',
            user: 'inClusterUser',
            ...(namespace ? { namespace } : {}),
          },
        ],
        currentContext: 'inClusterContext',
      });
      return kubeConfig;
    },
    async applyToHTTPSOptions(options) {
      options.ca = ca;
      withHeaders(options).Authorization = `Bearer ${token()}`;
    },
  };
}

/**
 * Exec plugins, auth providers and the rest: client-node's KubeConfig resolves them (and refreshes
 * their tokens) per request; it is imported only here, so only these users pay for it.
 */
function delegateToClientNode(input: {
  source: string;
  namespace: string | undefined;
  server: string;
  toKubeConfig: () => Promise<KubeConfig>;
}): LoadedKubeconfig {
  let kubeConfig: Promise<KubeConfig> | undefined;
  return {
    server: input.server,
    namespace: input.namespace,
    source: input.source,
    viaClientNode: true,
    toKubeConfig: input.toKubeConfig,
    async applyToHTTPSOptions(options) {
      kubeConfig ??= input.toKubeConfig();
      await (await kubeConfig).applyToHTTPSOptions(options);
    },
  };
}

/** The request's header map, created when it has none. */
function withHeaders(options: RequestOptions): Record<string, string> {
  if (!options.headers) options.headers = {};
  return options.headers as Record<string, string>;
}
