import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
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

const CLUSTER_FIELDS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'extensions',
]);
const USER_FIELDS = new Set([
  'token',
  'tokenFile',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'username',
  'password',
  'extensions',
]);

type Entry = Record<string, unknown>;
interface Named {
  name: string;
  /** The entry's fields (the `cluster`, `user` or `context` map). */
  body: Entry;
  /** The file that defined it, for messages. */
  file: string;
}
interface MergedConfig {
  files: string[];
  currentContext?: { name: string; file: string };
  clusters: Map<string, Named>;
  users: Map<string, Named>;
  contexts: Map<string, Named>;
}

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
  if (sources.kubeconfigPath) return fromMergedConfig(mergeFiles([sources.kubeconfigPath], true), now);
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (list.length > 0) return fromMergedConfig(mergeFiles(list, false), now);

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
  if (existsSync(home)) return fromMergedConfig(mergeFiles([home], true), now);
  if (inClusterError) throw inClusterError;
  throw new Error(
    `no kubeconfig found: pass --kubeconfig, set KUBECONFIG, run in a Pod with a service account, or create ${home}`,
  );
}

function readKubeconfigFile(file: string): Entry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `kubeconfig ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new Error(`kubeconfig ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document))
    throw new Error(`kubeconfig ${file}: expected a mapping with clusters, users and contexts`);
  return document as Entry;
}

// Relative paths in a kubeconfig are relative to the file that holds them (kubectl's ResolveLocalPaths).
const PATH_FIELDS: Record<'clusters' | 'users', string[]> = {
  clusters: ['certificate-authority'],
  users: ['client-certificate', 'client-key', 'tokenFile'],
};

function mergeFiles(files: string[], explicit: boolean): MergedConfig {
  const merged: MergedConfig = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    // kubectl skips the files of KUBECONFIG that do not exist; an explicit file must.
    if (!explicit && !existsSync(file)) continue;
    const document = readKubeconfigFile(file);
    merged.files.push(file);
    const current = document['current-context'];
    if (!merged.currentContext && typeof current === 'string' && current)
      merged.currentContext = { name: current, file };
    for (const [list, single] of [
      ['clusters', 'cluster'],
      ['users', 'user'],
      ['contexts', 'context'],
    ] as const) {
      const entries = document[list] ?? [];
      if (!Array.isArray(entries)) throw new Error(`kubeconfig ${file}: ${list} must be a list`);
      entries.forEach((item: unknown, index) => {
        const entry = (item ?? {}) as Entry;
        if (typeof entry.name !== 'string' || !entry.name)
          throw new Error(`kubeconfig ${file}: ${list}[${index}].name is required`);
        const body = entry[single] ?? {};
        if (typeof body !== 'object' || Array.isArray(body))
          throw new Error(`kubeconfig ${file}: ${list}[name=${entry.name}].${single} must be a mapping`);
        const map = merged[list];
        if (map.has(entry.name)) return;
        const resolved = { ...(body as Entry) };
        for (const field of list === 'contexts' ? [] : PATH_FIELDS[list]) {
          const value = resolved[field];
          if (typeof value === 'string' && value && !isAbsolute(value))
            resolved[field] = join(dirname(file), value);
        }
        map.set(entry.name, { name: entry.name, body: resolved, file });
      });
    }
  }
  if (merged.files.length === 0)
    throw new Error(`KUBECONFIG names no kubeconfig file that exists (${files.join(delimiter)})`);
  return merged;
}

function fromMergedConfig(config: MergedConfig, now: () => number): LoadedKubeconfig {
  const source = config.files.join(delimiter);
  const where = (file: string) => `kubeconfig ${file}`;
  if (!config.currentContext) throw new Error(`kubeconfig ${source}: current-context is not set`);
  const contextName = config.currentContext.name;
  const context = config.contexts.get(contextName);
  if (!context)
    throw new Error(
      `${where(config.currentContext.file)}: current-context "${contextName}" names no entry of contexts`,
    );
  const contextField = `contexts[name=${contextName}].context`;
  const clusterName = context.body.cluster;
  if (typeof clusterName !== 'string' || !clusterName)
    throw new Error(`${where(context.file)}: ${contextField}.cluster is required`);
  const cluster = config.clusters.get(clusterName);
  if (!cluster)
    throw new Error(
      `${where(context.file)}: ${contextField}.cluster "${clusterName}" names no entry of clusters`,
    );
  const userName = context.body.user;
  const user = typeof userName === 'string' && userName ? config.users.get(userName) : undefined;
  if (typeof userName === 'string' && userName && !user)
    throw new Error(`${where(context.file)}: ${contextField}.user "${userName}" names no entry of users`);
  const namespace =
    typeof context.body.namespace === 'string' && context.body.namespace ? context.body.namespace : undefined;

  const clusterField = `clusters[name=${clusterName}].cluster`;
  const server = cluster.body.server;
  if (typeof server !== 'string' || !server)
    throw new Error(`${where(cluster.file)}: ${clusterField}.server is required`);
  try {
    new URL(server);
  } catch {
    throw new Error(`${where(cluster.file)}: ${clusterField}.server "${server}" is not a URL`);
  }

  const toKubeConfig = async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    // The merged configuration, with every path already absolute.
    const entries = (map: Map<string, Named>, single: string) =>
      [...map.values()].map((entry) => ({ name: entry.name, [single]: entry.body }));
    kubeConfig.loadFromString(
      stringifyYaml({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': contextName,
        clusters: entries(config.clusters, 'cluster'),
        users: entries(config.users, 'user'),
        contexts: entries(config.contexts, 'context'),
      }),
    );
    return kubeConfig;
  };

  const unsupported = [
    ...Object.keys(cluster.body).filter((field) => !CLUSTER_FIELDS.has(field)),
    ...Object.keys(user?.body ?? {}).filter((field) => !USER_FIELDS.has(field)),
  ];
  if (unsupported.length > 0) return delegateToClientNode({ source, namespace, server, toKubeConfig });

  const tls = clusterTls(cluster, clusterField, where(cluster.file));
  const auth = user ? userAuth(user, where(user.file), now) : { tls: {}, authorize: () => {} };
  return {
    server: server.replace(/\/$/, ''),
    namespace,
    source,
    viaClientNode: false,
    toKubeConfig,
    async applyToHTTPSOptions(options) {
      Object.assign(options, tls, auth.tls);
      auth.authorize(options);
    },
  };
}

type TlsOptions = Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

function clusterTls(cluster: Named, field: string, where: string): TlsOptions {
  const tls: TlsOptions = {};
  const ca = pemFromDataOrFile(cluster.body, 'certificate-authority', field, where);
  if (ca) tls.ca = ca;
  const skip = cluster.body['insecure-skip-tls-verify'];
  if (skip !== undefined && typeof skip !== 'boolean')
    throw new Error(`${where}: ${field}.insecure-skip-tls-verify must be true or false`);
  if (skip === true) tls.rejectUnauthorized = false;
  const serverName = cluster.body['tls-server-name'];
  if (serverName !== undefined && (typeof serverName !== 'string' || !serverName))
    throw new Error(`${where}: ${field}.tls-server-name must be a host name`);
  if (serverName) tls.servername = serverName;
  return tls;
}

function userAuth(
  user: Named,
  where: string,
  now: () => number,
): { tls: TlsOptions; authorize(options: RequestOptions): void } {
  const field = `users[name=${user.name}].user`;
  const tls: TlsOptions = {};
  const cert = pemFromDataOrFile(user.body, 'client-certificate', field, where);
  const key = pemFromDataOrFile(user.body, 'client-key', field, where);
  if (cert && !key) throw new Error(`${where}: ${field} has a client certificate but no client-key(-data)`);
  if (key && !cert) throw new Error(`${where}: ${field} has a client key but no client-certificate(-data)`);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;

  const token = stringField(user.body, 'token', field, where);
  const tokenFile = stringField(user.body, 'tokenFile', field, where);
  const username = stringField(user.body, 'username', field, where);
  const password = stringField(user.body, 'password', field, where);
  if ((token || tokenFile) && (username || password))
    throw new Error(`${where}: ${field} sets both a token and username/password; keep one`);
  // As client-go: an inline token wins over tokenFile.
  const bearer = token
    ? () => token
    : tokenFile
      ? rereadingToken(tokenFile, `${where}: ${field}.tokenFile`, now)
      : undefined;
  return {
    tls,
    authorize(options) {
      if (bearer) withHeaders(options).Authorization = `Bearer ${bearer()}`;
      else if (username) options.auth = `${username}:${password ?? ''}`;
    },
  };
}

function stringField(body: Entry, name: string, field: string, where: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: ${field}.${name} must be a string`);
  return value;
}

/** `<name>-data` (base64 PEM) or `<name>` (a PEM file); both at once is an error, as in kubectl. */
function pemFromDataOrFile(body: Entry, name: string, field: string, where: string): Buffer | undefined {
  const data = stringField(body, `${name}-data`, field, where);
  const file = stringField(body, name, field, where);
  if (data && file) throw new Error(`${where}: ${field} sets both ${name}-data and ${name}; keep one`);
  let pem: Buffer;
  let from: string;
  if (data) {
    pem = Buffer.from(data, 'base64');
    from = `${field}.${name}-data`;
  } else if (file) {
    try {
      pem = readFileSync(file);
    } catch (error) {
      throw new Error(
        `${where}: ${field}.${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    from = `${field}.${name} (${file})`;
  } else return undefined;
  if (!pem.toString('latin1').includes('-----BEGIN '))
    throw new Error(`${where}: ${from} is not PEM${data ? ' once base64-decoded' : ''}`);
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
    server: input.server.replace(/\/$/, ''),
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
