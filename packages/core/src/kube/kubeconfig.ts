/**
 * A kubeconfig's current (or a named) context resolved to the API server and the credentials of
 * its cluster and user. Pure: the caller reads the files or the Secret, parses the YAML and reads
 * the files a kubeconfig names; this module only checks and resolves, naming every field it cannot
 * use, all at once.
 */

/** One kubeconfig document as a YAML parser returns it, and where it came from. */
export interface KubeconfigDocument {
  /** The parsed document: a mapping of clusters, users, contexts and current-context (null: an empty file). */
  readonly content: unknown;
  /** Where it came from, named in every problem: a file path, or for example `Secret ns/name-kubeconfig`. */
  readonly origin: string;
}

/** How {@link resolveKubeconfig} resolves. */
export interface ResolveKubeconfigOptions {
  /** The context to resolve instead of the current-context. */
  readonly context?: string | undefined;
  /**
   * The path a file field (certificate-authority, client-certificate, client-key, tokenFile) of a
   * document stands for; kubectl reads a relative one relative to the kubeconfig file. Paths are
   * kept as written without it.
   */
  readonly resolvePath?: ((path: string, origin: string) => string) | undefined;
  /**
   * The kubeconfig must carry everything itself, as the `<cluster>-kubeconfig` Secret does: a field
   * naming a file, and a field this resolver does not cover (an exec plugin, an auth provider), is a problem.
   */
  readonly selfContained?: boolean | undefined;
}

/** PEM text given inline (`<field>-data`, base64-decoded here), or a file the caller reads. */
export type KubeconfigPem = { readonly pem: string; readonly field: string } | KubeconfigFileReference;

/** A file a kubeconfig field names. */
export interface KubeconfigFileReference {
  /** The path, resolved by {@link ResolveKubeconfigOptions.resolvePath}. */
  readonly file: string;
  /** The field as problems name it, for the caller's messages: `kubeconfig /path: users[name=u].user.tokenFile`. */
  readonly field: string;
}

/** The fields of a kubeconfig as a merge keeps them, for clients that take a whole kubeconfig. */
export interface KubeconfigContent {
  /** The context resolved. */
  readonly 'current-context': string;
  /** Every cluster entry of the documents, the first of each name. */
  readonly clusters: readonly { readonly name: string; readonly cluster: Record<string, unknown> }[];
  /** Every user entry of the documents, the first of each name. */
  readonly users: readonly { readonly name: string; readonly user: Record<string, unknown> }[];
  /** Every context entry of the documents, the first of each name. */
  readonly contexts: readonly { readonly name: string; readonly context: Record<string, unknown> }[];
}

/** A context resolved: where the API server is and how to authenticate to it. */
export interface ResolvedKubeconfig {
  /** The name of the context resolved. */
  readonly context: string;
  /** The name of the cluster entry the context names. */
  readonly cluster: string;
  /** The name of the user entry the context names, when it names one (no user: anonymous). */
  readonly user?: string | undefined;
  /** The context's namespace, when it names one. */
  readonly namespace?: string | undefined;
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** The CA that signs the server's certificate (certificate-authority-data or certificate-authority). */
  readonly certificateAuthority?: KubeconfigPem | undefined;
  /** insecure-skip-tls-verify: the server's certificate is not verified. */
  readonly insecureSkipTlsVerify: boolean;
  /** tls-server-name: the name the server's certificate is checked against instead of the URL's host. */
  readonly tlsServerName?: string | undefined;
  /** The client certificate; set exactly when {@link ResolvedKubeconfig.clientKey} is. */
  readonly clientCertificate?: KubeconfigPem | undefined;
  /** The client certificate's private key. */
  readonly clientKey?: KubeconfigPem | undefined;
  /** A bearer token given inline; it wins over a token file, as in client-go. */
  readonly token?: string | undefined;
  /** tokenFile, when no inline token is given: the caller reads it (and again as it rotates). */
  readonly tokenFile?: KubeconfigFileReference | undefined;
  /** username and password (an empty password when only a username is given). */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /**
   * Fields of the cluster or user this resolver does not cover (`users[name=u].user.exec`,
   * `auth-provider`, `proxy-url`, ...): a client that handles them (client-node) must serve this
   * kubeconfig. Always empty with `selfContained`, where they are problems.
   */
  readonly unsupported: readonly string[];
  /** Every document merged, current-context set to the context resolved and file paths resolved. */
  readonly merged: KubeconfigContent;
}

/** The resolved context, or every problem found, each naming its document and field. */
export type KubeconfigResolution =
  | { readonly ok: true; readonly kubeconfig: ResolvedKubeconfig }
  | { readonly ok: false; readonly problems: readonly string[] };

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
const FILE_FIELDS = {
  clusters: ['certificate-authority'],
  users: ['client-certificate', 'client-key', 'tokenFile'],
  contexts: [],
} as const;
const LISTS = [
  ['clusters', 'cluster'],
  ['users', 'user'],
  ['contexts', 'context'],
] as const;
type ListName = (typeof LISTS)[number][0];

type Entry = Record<string, unknown>;
interface Named {
  name: string;
  body: Entry;
  origin: string;
}
interface Merged {
  currentContext?: { name: string; origin: string };
  entries: Record<ListName, Map<string, Named>>;
  /** Names of entries (or `*`: the whole list) too broken to keep, so a context naming one is not also "dangling". */
  broken: Record<ListName, Set<string>>;
}

const isBroken = (merged: Merged, listName: ListName, name: string) =>
  merged.broken[listName].has(name) || merged.broken[listName].has('*');
const where = (origin: string) => `kubeconfig ${origin}`;
const isMapping = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether text holds a PEM block (a certificate or a key). */
export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/**
 * Resolves a kubeconfig's current-context (or `options.context`) to its server, CA, client
 * certificate and key, token or basic auth. Several documents merge as kubectl merges the files
 * of KUBECONFIG: the first to name a cluster, user or context, or to set current-context, wins.
 * Every problem is reported, each naming the document and the field, for example
 * `kubeconfig /root/.kube/config: clusters[name=k].cluster.server is required`; none holds a
 * credential's value.
 */
export function resolveKubeconfig(
  documents: KubeconfigDocument | readonly KubeconfigDocument[],
  options: ResolveKubeconfigOptions = {},
): KubeconfigResolution {
  const list = Array.isArray(documents) ? documents : [documents as KubeconfigDocument];
  if (list.length === 0) return { ok: false, problems: ['no kubeconfig to resolve'] };
  const problems: string[] = [];
  const merged = merge(list, options, problems);
  const kubeconfig = resolveContext(merged, list, options, problems);
  return kubeconfig && problems.length === 0 ? { ok: true, kubeconfig } : { ok: false, problems };
}

function merge(
  documents: readonly KubeconfigDocument[],
  options: ResolveKubeconfigOptions,
  problems: string[],
) {
  const merged: Merged = {
    entries: { clusters: new Map(), users: new Map(), contexts: new Map() },
    broken: { clusters: new Set(), users: new Set(), contexts: new Set() },
  };
  for (const { content, origin } of documents) {
    if (content === null || content === undefined) continue;
    if (!isMapping(content)) {
      problems.push(`${where(origin)}: expected a mapping with clusters, users and contexts`);
      continue;
    }
    const current = content['current-context'];
    if (current !== undefined && current !== null && typeof current !== 'string')
      problems.push(`${where(origin)}: current-context must be a string`);
    else if (!merged.currentContext && current) merged.currentContext = { name: current, origin };
    for (const [listName, single] of LISTS) {
      const items = content[listName] ?? [];
      if (!Array.isArray(items)) {
        problems.push(`${where(origin)}: ${listName} must be a list`);
        merged.broken[listName].add('*');
        continue;
      }
      items.forEach((item: unknown, index) => {
        const entry = isMapping(item) ? item : {};
        const name = entry.name;
        if (typeof name !== 'string' || !name) {
          problems.push(`${where(origin)}: ${listName}[${index}].name is required`);
          merged.broken[listName].add('*');
          return;
        }
        if (merged.entries[listName].has(name) || merged.broken[listName].has(name)) return;
        const body = entry[single] ?? {};
        if (!isMapping(body)) {
          problems.push(`${where(origin)}: ${listName}[name=${name}].${single} must be a mapping`);
          merged.broken[listName].add(name);
          return;
        }
        const resolved = { ...body };
        for (const field of FILE_FIELDS[listName]) {
          const value = resolved[field];
          if (options.resolvePath && typeof value === 'string' && value)
            resolved[field] = options.resolvePath(value, origin);
        }
        merged.entries[listName].set(name, { name, body: resolved, origin });
      });
    }
  }
  return merged;
}

function resolveContext(
  merged: Merged,
  documents: readonly KubeconfigDocument[],
  options: ResolveKubeconfigOptions,
  problems: string[],
): ResolvedKubeconfig | undefined {
  const everyOrigin = where(documents.map((document) => document.origin).join(', '));
  const named = options.context ? { name: options.context, origin: undefined } : merged.currentContext;
  if (!named) {
    problems.push(`${everyOrigin}: current-context is not set`);
    return undefined;
  }
  const context = merged.entries.contexts.get(named.name);
  if (!context) {
    if (!isBroken(merged, 'contexts', named.name))
      problems.push(
        named.origin
          ? `${where(named.origin)}: current-context "${named.name}" names no entry of contexts`
          : `${everyOrigin}: context "${named.name}" names no entry of contexts`,
      );
    return undefined;
  }

  const contextField = `${where(context.origin)}: contexts[name=${context.name}].context`;
  const clusterName = requiredString(context.body, 'cluster', contextField, problems);
  const userName = optionalString(context.body, 'user', contextField, problems);
  const namespace = optionalString(context.body, 'namespace', contextField, problems);
  const entryOf = (listName: 'clusters' | 'users', name: string, field: string) => {
    const entry = merged.entries[listName].get(name);
    if (!entry && !isBroken(merged, listName, name))
      problems.push(`${contextField}.${field} "${name}" names no entry of ${listName}`);
    return entry;
  };
  const cluster = clusterName ? entryOf('clusters', clusterName, 'cluster') : undefined;
  const user = userName ? entryOf('users', userName, 'user') : undefined;

  const unsupported: string[] = [];
  const unsupportedOf = (entry: Named | undefined, listName: 'clusters' | 'users', covered: Set<string>) => {
    if (!entry) return;
    const field = `${listName}[name=${entry.name}].${listName === 'clusters' ? 'cluster' : 'user'}`;
    for (const name of Object.keys(entry.body).filter((key) => !covered.has(key))) {
      if (options.selfContained)
        problems.push(
          `${where(entry.origin)}: ${field}.${name} is not supported here: this kubeconfig must carry certificates, a token or basic auth itself`,
        );
      else unsupported.push(`${field}.${name}`);
    }
  };
  unsupportedOf(cluster, 'clusters', CLUSTER_FIELDS);
  unsupportedOf(user, 'users', USER_FIELDS);

  const clusterAccess = cluster ? clusterAccessOf(cluster, options, problems) : undefined;
  const userAccess = user ? userAccessOf(user, options, problems) : {};
  if (!cluster || !clusterName || !clusterAccess) return undefined;

  const entriesOf = <Key extends string>(listName: ListName, single: Key) =>
    [...merged.entries[listName].values()].map(
      (entry) => ({ name: entry.name, [single]: entry.body }) as { name: string } & Record<Key, Entry>,
    );
  return {
    context: context.name,
    cluster: clusterName,
    user: user ? user.name : undefined,
    namespace,
    ...clusterAccess,
    ...userAccess,
    unsupported,
    merged: {
      'current-context': context.name,
      clusters: entriesOf('clusters', 'cluster'),
      users: entriesOf('users', 'user'),
      contexts: entriesOf('contexts', 'context'),
    },
  };
}

type ClusterAccess = Pick<
  ResolvedKubeconfig,
  'server' | 'certificateAuthority' | 'insecureSkipTlsVerify' | 'tlsServerName'
>;

function clusterAccessOf(
  cluster: Named,
  options: ResolveKubeconfigOptions,
  problems: string[],
): ClusterAccess | undefined {
  const field = `${where(cluster.origin)}: clusters[name=${cluster.name}].cluster`;
  const before = problems.length;
  const server = requiredString(cluster.body, 'server', field, problems);
  if (server !== undefined && !URL.canParse(server))
    problems.push(`${field}.server "${server}" is not a URL`);
  const certificateAuthority = pemOf(cluster.body, 'certificate-authority', field, options, problems);
  const skip = cluster.body['insecure-skip-tls-verify'];
  if (skip !== undefined && skip !== null && typeof skip !== 'boolean')
    problems.push(`${field}.insecure-skip-tls-verify must be true or false`);
  const tlsServerName = optionalString(cluster.body, 'tls-server-name', field, problems);
  if (problems.length > before || server === undefined) return undefined;
  return {
    server: server.replace(/\/+$/, ''),
    certificateAuthority,
    insecureSkipTlsVerify: skip === true,
    tlsServerName,
  };
}

type UserAccess = Pick<
  ResolvedKubeconfig,
  'clientCertificate' | 'clientKey' | 'token' | 'tokenFile' | 'basicAuth'
>;

function userAccessOf(user: Named, options: ResolveKubeconfigOptions, problems: string[]): UserAccess {
  const field = `${where(user.origin)}: users[name=${user.name}].user`;
  const clientCertificate = pemOf(user.body, 'client-certificate', field, options, problems);
  const clientKey = pemOf(user.body, 'client-key', field, options, problems);
  const certificateSet =
    hasValue(user.body, 'client-certificate-data') || hasValue(user.body, 'client-certificate');
  const keySet = hasValue(user.body, 'client-key-data') || hasValue(user.body, 'client-key');
  if (certificateSet && !keySet) problems.push(`${field} has a client certificate but no client-key(-data)`);
  if (keySet && !certificateSet) problems.push(`${field} has a client key but no client-certificate(-data)`);

  const token = optionalString(user.body, 'token', field, problems);
  const tokenFile = optionalString(user.body, 'tokenFile', field, problems);
  if (tokenFile && options.selfContained) problems.push(namesAFile(field, 'tokenFile', 'token'));
  const username = optionalString(user.body, 'username', field, problems);
  const password = optionalString(user.body, 'password', field, problems);
  if ((token || tokenFile) && (username || password))
    problems.push(`${field} sets both a token and username/password; keep one`);
  if (password && !username) problems.push(`${field}.password is set without a username`);
  return {
    clientCertificate,
    clientKey,
    token,
    tokenFile: !token && tokenFile ? { file: tokenFile, field: `${field}.tokenFile` } : undefined,
    basicAuth: username ? { username, password: password ?? '' } : undefined,
  };
}

const hasValue = (body: Entry, name: string) =>
  body[name] !== undefined && body[name] !== null && body[name] !== '';

const namesAFile = (field: string, name: string, inline: string) =>
  `${field}.${name} names a file, which this kubeconfig cannot; give ${inline} instead`;

/** A string field's value; absent, null and '' are all unset (as in kubectl). */
function optionalString(body: Entry, name: string, field: string, problems: string[]): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    problems.push(`${field}.${name} must be a string`);
    return undefined;
  }
  return value;
}

function requiredString(body: Entry, name: string, field: string, problems: string[]): string | undefined {
  const before = problems.length;
  const value = optionalString(body, name, field, problems);
  if (value === undefined && problems.length === before) problems.push(`${field}.${name} is required`);
  return value;
}

/** `<name>-data` (base64 PEM) or `<name>` (a PEM file); both at once is an error, as in kubectl. */
function pemOf(
  body: Entry,
  name: string,
  field: string,
  options: ResolveKubeconfigOptions,
  problems: string[],
): KubeconfigPem | undefined {
  const data = optionalString(body, `${name}-data`, field, problems);
  const file = optionalString(body, name, field, problems);
  if (data && file) {
    problems.push(`${field} sets both ${name}-data and ${name}; keep one`);
    return undefined;
  }
  if (file) {
    if (options.selfContained) {
      problems.push(namesAFile(field, name, `${name}-data`));
      return undefined;
    }
    return { file, field: `${field}.${name}` };
  }
  if (!data) return undefined;
  let pem: string;
  try {
    pem = atob(data);
  } catch {
    problems.push(`${field}.${name}-data is not base64`);
    return undefined;
  }
  if (!looksLikePem(pem)) {
    problems.push(`${field}.${name}-data is not PEM once base64-decoded`);
    return undefined;
  }
  return { pem, field: `${field}.${name}-data` };
}
