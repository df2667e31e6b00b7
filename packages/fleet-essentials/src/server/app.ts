import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { KUBERNETES_RELEASE_LABEL, releaseTagsOf } from '@immutable-infra/core';
import type { KubeConfig } from '@kubernetes/client-node';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { AccessReviewer } from './access-review.js';
import { ClusterCache, type ClusterChange } from './cluster-cache.js';
import {
  type ClusterObjects,
  type ClusterRow,
  type KubeItem,
  parseClusterQuery,
  queryClusters,
} from './cluster-rows.js';
import { ExtensionRegistry } from './extension-registry.js';
import { healthCheckObject, healthCheckRows, MHC_PATH, parseHealthCheckRequest } from './health-checks.js';
import { KubeEndpoint, refusalMessage } from './kube-endpoint.js';
import { registerKubePassthrough } from './kube-passthrough.js';
import { ManifestApplier, parseManifests } from './manifest-apply.js';
import { PlatformProxy } from './platform-proxy.js';
import { planUpgrade, VERSION } from './rollout-plan.js';
import { type Session, SessionStore } from './sessions.js';

export interface FleetServerOptions {
  kubeConfig: KubeConfig;
  /** Allow signing in as the kubeconfig's own user (single-user local mode, e.g. the demo). */
  allowKubeconfigUser?: boolean;
  /** Installed provider package directories whose UI extensions to offer. */
  extensionPackages?: readonly string[];
  /**
   * Set the Secure flag on the session cookie. It is set anyway on a request that came over TLS
   * (`https`); give this behind a proxy that ends TLS and forwards plain HTTP.
   */
  secureCookies?: boolean;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Host names (without port) the server answers to; a request with another Host header is refused,
   * so a web page whose DNS name is made to point at this server cannot read from it (DNS
   * rebinding). `'any'` turns the check off. Default: localhost, 127.0.0.1 and [::1].
   */
  allowedHosts?: readonly string[] | 'any';
  /** Sign-in attempts one client address may make per minute (default 30). */
  signInsPerMinute?: number;
  /** Platform operations one session may start per minute (default 300), and connection tests (default 10). */
  platformCallsPerMinute?: { all?: number; testConnection?: number };
  logger?: boolean;
  /** The built single-page app (dist/app); found next to this module when omitted. */
  appDir?: string;
  /** How long a platform operation may run (default 30 s). */
  platformTimeLimitMs?: number;
}

const SESSION_COOKIE = 'fe_session';
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const CAPI = '/apis/cluster.x-k8s.io/v1beta2';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session | undefined;
  }
}

function fail(reply: FastifyReply, status: number, message: string, field?: string) {
  return reply.code(status).send({ error: { message, ...(field ? { field } : {}) } });
}

/**
 * The Fleet Essentials server: sign-in with the user's Kubernetes identity,
 * aggregated cluster views from watch-fed caches (shown only where the user's
 * RBAC allows), actions passed through as the user, live updates over
 * server-sent events, and the provider UI extension registry.
 */
export async function createFleetServer(options: FleetServerOptions): Promise<{
  app: FastifyInstance;
  cache: ClusterCache;
  close(): Promise<void>;
}> {
  const endpoint = new KubeEndpoint(options.kubeConfig);
  const sessions = new SessionStore();
  const reviewer = new AccessReviewer(endpoint);
  const cache = new ClusterCache(options.kubeConfig);
  const extensions = new ExtensionRegistry(options.extensionPackages ?? []);
  const platform = new PlatformProxy(extensions, endpoint, options.platformTimeLimitMs);
  const applier = new ManifestApplier(endpoint);
  await cache.start();

  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    logger: options.logger ?? false,
    bodyLimit: 1 << 20,
    // An open page holds /api/events forever; without this, close() would wait for the tab to go away.
    forceCloseConnections: true,
  });
  await app.register(fastifyCookie);
  // Limits are set per route (sign-in, platform operations); nothing else is limited.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      error: { message: `too many requests: try again in ${context.after}` },
    }),
  });

  const allowedHosts = options.allowedHosts ?? LOOPBACK_HOSTS;
  app.addHook('onRequest', async (request, reply) => {
    if (allowedHosts === 'any') return;
    const host = hostNameOf(request.headers.host);
    if (!host || !allowedHosts.includes(host))
      return fail(reply, 421, `this server does not answer to host ${host ?? '(none)'}`);
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // Fonts may also be data: URLs: the app's stylesheet carries its fonts inline (a font runs no script).
    reply.header(
      'content-security-policy',
      "default-src 'self'; font-src 'self' data:; frame-ancestors 'none'; object-src 'none'",
    );
  });

  // Every /api route but sign-in needs a session; every state change needs the CSRF token in a header,
  // which a cross-site form or image cannot send. The check goes by the route that matched, not by
  // the URL as sent: `/%61pi/clusters` or `/api//clusters` reach the same handler as `/api/clusters`.
  app.addHook('preHandler', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/api/') || route === '/api/health') return;
    request.session = sessions.get(request.cookies[SESSION_COOKIE]);
    const signingIn = route === '/api/session' && request.method === 'POST';
    if (!request.session && !signingIn) return fail(reply, 401, 'sign in first');
    if (request.method !== 'GET' && request.method !== 'HEAD' && !signingIn) {
      if (request.headers['x-csrf-token'] !== request.session?.csrfToken) {
        return fail(reply, 403, 'missing or wrong X-CSRF-Token header');
      }
    }
  });

  app.get('/api/health', async () => ({ ok: true, cacheReady: cache.ready }));

  // Tokens are guessed by trying them: sign-ins are limited per client address.
  const signInLimit = {
    rateLimit: { max: options.signInsPerMinute ?? 30, timeWindow: 60_000, hook: 'preHandler' as const },
  };
  app.post('/api/session', { config: signInLimit }, async (request, reply) => {
    const body = (request.body ?? {}) as { token?: unknown; mode?: unknown };
    let identity: Session['identity'];
    if (body.mode === 'kubeconfig') {
      if (!options.allowKubeconfigUser)
        return fail(reply, 403, 'signing in as the server kubeconfig user is disabled', 'mode');
      identity = { kind: 'kubeconfig' };
    } else if (typeof body.token === 'string' && body.token.trim() !== '') {
      identity = { kind: 'token', token: body.token.trim() };
    } else {
      return fail(reply, 400, 'a bearer token is required', 'token');
    }
    const review = await endpoint.request<{
      status?: { userInfo?: { username?: string; groups?: string[] } };
    }>(identity, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    if (review.status === 401) return fail(reply, 401, 'the API server did not accept this token', 'token');
    if (review.status !== 201)
      return fail(reply, 502, `cannot verify the identity: ${refusalMessage(review)}`);
    const user = review.body.status?.userInfo ?? {};
    const session = sessions.create(identity, user.username ?? 'unknown', user.groups ?? []);
    reply.setCookie(SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: options.secureCookies === true || request.protocol === 'https',
    });
    return { username: session.username, groups: session.groups, csrfToken: session.csrfToken };
  });

  app.get('/api/session', async (request) => {
    const session = request.session as Session;
    return { username: session.username, groups: session.groups, csrfToken: session.csrfToken };
  });

  app.delete('/api/session', async (request, reply) => {
    if (request.session) reviewer.forget(request.session.id);
    sessions.delete(request.session?.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { signedOut: true };
  });

  /** Which namespaces' clusters this user may list: all, or a checked subset. */
  async function visibility(
    session: Session,
    namespaces: Iterable<string>,
  ): Promise<(ns: string) => boolean> {
    const question = { verb: 'list', group: 'cluster.x-k8s.io', resource: 'clusters' };
    if (await reviewer.allowed(session.identity, session.id, question)) return () => true;
    const allowed = new Set<string>();
    for (const ns of new Set(namespaces)) {
      if (await reviewer.allowed(session.identity, session.id, { ...question, namespace: ns }))
        allowed.add(ns);
    }
    return (ns) => allowed.has(ns);
  }

  app.get('/api/clusters', async (request, reply) => {
    const parsed = parseClusterQuery(request.query as Record<string, string | undefined>);
    if ('problems' in parsed) return fail(reply, 400, parsed.problems.join('; '));
    const rows = [...cache.allRows()];
    const visible = await visibility(
      request.session as Session,
      rows.map((r) => r.namespace),
    );
    return queryClusters(rows, parsed.query, visible);
  });

  // The caches hold every namespace, so each detail route asks the API server
  // whether this user may read the cluster before answering from them.
  async function readableCluster(
    session: Session,
    namespace: string,
    name: string,
  ): Promise<{ objects: ClusterObjects } | { refusal: { status: number; message: string } }> {
    const allowed = await reviewer.allowed(session.identity, session.id, {
      verb: 'get',
      group: 'cluster.x-k8s.io',
      resource: 'clusters',
      namespace,
    });
    if (!allowed)
      return { refusal: { status: 403, message: `you may not read clusters in namespace ${namespace}` } };
    const objects = cache.objects(namespace, name);
    if (!objects) return { refusal: { status: 404, message: `cluster ${namespace}/${name} not found` } };
    return { objects };
  }

  app.get('/api/clusters/:namespace/:name', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const found = await readableCluster(request.session as Session, namespace, name);
    if ('refusal' in found) return fail(reply, found.refusal.status, found.refusal.message);
    const row = cache.row(namespace, name);
    if (!row) return fail(reply, 404, `cluster ${namespace}/${name} not found`);
    const session = request.session as Session;
    // The page offers the download only to whom RBAC lets read the Secret; the download asks again.
    const kubeconfigReadable = await reviewer.allowed(session.identity, session.id, {
      verb: 'get',
      group: '',
      resource: 'secrets',
      namespace,
      name: kubeconfigSecretName(name),
    });
    return { row, ...clusterDetail(found.objects), kubeconfigReadable };
  });

  // The cluster's events timeline: the namespace's Events about the cluster's own objects (the Cluster,
  // its infrastructure cluster, control plane, node pools, machines and their infrastructure machines),
  // listed as the user, newest first.
  app.get('/api/clusters/:namespace/:name/events', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const found = await readableCluster(request.session as Session, namespace, name);
    if ('refusal' in found) return fail(reply, found.refusal.status, found.refusal.message);
    const response = await endpoint.request<{ items?: KubeEvent[] }>((request.session as Session).identity, {
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?limit=${EVENTS_LISTED}`,
    });
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return { events: clusterEvents(found.objects, response.body.items ?? []) };
  });

  // MachineHealthChecks of the cluster, read, added and deleted as the user.
  app.get('/api/clusters/:namespace/:name/health-checks', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const response = await endpoint.request<{ items?: Parameters<typeof healthCheckRows>[1][number][] }>(
      (request.session as Session).identity,
      { method: 'GET', path: MHC_PATH(namespace) },
    );
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return { healthChecks: healthCheckRows(name, response.body.items ?? []) };
  });

  app.post('/api/clusters/:namespace/:name/health-checks', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const parsed = parseHealthCheckRequest(request.body);
    if ('problems' in parsed) {
      const [first] = parsed.problems;
      return reply.code(400).send({
        error: { field: first?.field, message: parsed.problems.map((p) => p.message).join('; ') },
        problems: parsed.problems,
      });
    }
    const object = healthCheckObject(namespace, name, parsed.request);
    const response = await endpoint.request((request.session as Session).identity, {
      method: 'POST',
      path: MHC_PATH(namespace),
      body: object,
    });
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return { created: object.metadata.name };
  });

  app.delete('/api/health-checks/:namespace/:name', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const response = await endpoint.request((request.session as Session).identity, {
      method: 'DELETE',
      path: MHC_PATH(namespace, name),
    });
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return { deleting: true };
  });

  // The workload cluster's admin kubeconfig (Cluster API's <cluster>-kubeconfig Secret), read as the
  // user: exactly what `kubectl get secret` would give them, never cached or logged here.
  app.get('/api/clusters/:namespace/:name/kubeconfig', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const secretName = kubeconfigSecretName(name);
    const response = await endpoint.request<{ data?: { value?: string } }>(
      (request.session as Session).identity,
      {
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(secretName)}`,
      },
    );
    if (response.status === 404)
      return fail(
        reply,
        404,
        `cluster ${namespace}/${name} has no kubeconfig yet (Secret ${secretName} appears once its control plane is initialized)`,
      );
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    const value = response.body.data?.value;
    if (!value) return fail(reply, 404, `Secret ${namespace}/${secretName} has no value key`);
    reply.header('cache-control', 'no-store');
    reply.header('content-disposition', `attachment; filename="${name}.kubeconfig"`);
    return reply.type('application/yaml').send(Buffer.from(value, 'base64'));
  });

  app.delete('/api/clusters/:namespace/:name', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const response = await endpoint.request((request.session as Session).identity, {
      method: 'DELETE',
      path: `${CAPI}/namespaces/${encodeURIComponent(namespace)}/clusters/${encodeURIComponent(name)}`,
    });
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return { deleting: true };
  });

  const poolPath = (namespace: string, kind: string, name: string) =>
    ({
      MachineDeployment: `${CAPI}/namespaces/${encodeURIComponent(namespace)}/machinedeployments/${encodeURIComponent(name)}`,
      KubeadmControlPlane: `/apis/controlplane.cluster.x-k8s.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/kubeadmcontrolplanes/${encodeURIComponent(name)}`,
    })[kind];

  // Scale, or change the Kubernetes version or machine template of, a MachineDeployment or the control plane.
  app.patch('/api/node-pools/:namespace/:kind/:name', async (request, reply) => {
    const { namespace, kind, name } = request.params as { namespace: string; kind: string; name: string };
    const path = poolPath(namespace, kind, name);
    if (!path) return fail(reply, 400, 'kind must be MachineDeployment or KubeadmControlPlane', 'kind');
    const parsed = parsePoolChange(request.body, kind);
    if ('problem' in parsed) return fail(reply, 400, parsed.problem.message, parsed.problem.field);
    const { replicas, version, template } = parsed.change;
    const identity = (request.session as Session).identity;
    // kubeadm pins CoreDNS and etcd per Kubernetes build: the provider's release data for the new
    // version says which tags, so the control plane does not come up on the old ones.
    const componentTags =
      kind === 'KubeadmControlPlane' && version !== undefined
        ? await controlPlaneComponentTags(identity, namespace, name, version)
        : undefined;
    if (componentTags && 'refusal' in componentTags)
      return fail(reply, componentTags.refusal.status, componentTags.refusal.message);
    const templateRef = template === undefined ? undefined : { infrastructureRef: { name: template } };
    const specPatch =
      kind === 'MachineDeployment'
        ? {
            ...(replicas !== undefined ? { replicas } : {}),
            ...(version !== undefined || templateRef
              ? { template: { spec: { ...(version ? { version } : {}), ...templateRef } } }
              : {}),
          }
        : {
            ...(replicas !== undefined ? { replicas } : {}),
            ...(version !== undefined ? { version } : {}),
            ...(templateRef ? { machineTemplate: { spec: templateRef } } : {}),
            ...(componentTags?.clusterConfiguration
              ? { kubeadmConfigSpec: { clusterConfiguration: componentTags.clusterConfiguration } }
              : {}),
          };
    const response = await endpoint.request(identity, {
      method: 'PATCH',
      path,
      body: { spec: specPatch },
      contentType: 'application/merge-patch+json',
    });
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return {
      ...parsed.change,
      ...(componentTags
        ? { componentTags: componentTags.tags ?? null, componentTagsSource: componentTags.source }
        : {}),
    };
  });

  /**
   * The CoreDNS and etcd tags of a Kubernetes build, from the release ConfigMaps providers ship
   * (label immutable-infra.io/kubernetes-release) in the cluster's namespace, read as the user.
   * A build no release ships, or ConfigMaps the user may not list, leave the tags as they are and
   * say why. A control plane on external etcd gets no local etcd tag.
   */
  async function controlPlaneComponentTags(
    identity: Session['identity'],
    namespace: string,
    name: string,
    version: string,
  ): Promise<
    | { refusal: { status: number; message: string } }
    | {
        tags?: { corednsTag: string; etcdTag: string };
        source: string;
        clusterConfiguration?: Record<string, unknown>;
      }
  > {
    const kcp = await endpoint.request<{
      spec?: { kubeadmConfigSpec?: { clusterConfiguration?: { etcd?: { external?: unknown } } } };
    }>(identity, { method: 'GET', path: poolPath(namespace, 'KubeadmControlPlane', name) as string });
    if (kcp.status >= 300) return { refusal: { status: kcp.status, message: refusalMessage(kcp) } };
    const listed = await endpoint.request<{ items?: Parameters<typeof releaseTagsOf>[0][] }>(identity, {
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?labelSelector=${encodeURIComponent(KUBERNETES_RELEASE_LABEL)}`,
    });
    if (listed.status >= 300)
      return { source: `release ConfigMaps in ${namespace} not readable: ${refusalMessage(listed)}` };
    const release = (listed.body.items ?? [])
      .map((item) => ({ item, tags: releaseTagsOf(item) }))
      .find(({ tags }) => tags?.kubernetesVersion === version);
    if (!release?.tags) return { source: `no release ConfigMap in ${namespace} ships ${version}` };
    const external = kcp.body.spec?.kubeadmConfigSpec?.clusterConfiguration?.etcd?.external !== undefined;
    const { corednsTag, etcdTag } = release.tags;
    return {
      tags: { corednsTag, etcdTag },
      source: `ConfigMap ${namespace}/${(release.item as { metadata?: { name?: string } }).metadata?.name ?? '?'}`,
      clusterConfiguration: {
        dns: { imageTag: corednsTag },
        ...(external ? {} : { etcd: { local: { imageTag: etcdTag } } }),
      },
    };
  }

  app.delete('/api/node-pools/:namespace/:kind/:name', async (request, reply) => {
    const { namespace, kind, name } = request.params as { namespace: string; kind: string; name: string };
    if (kind !== 'MachineDeployment')
      return fail(
        reply,
        400,
        'only a MachineDeployment can be deleted; the control plane goes with its cluster',
        'kind',
      );
    const response = await endpoint.request((request.session as Session).identity, {
      method: 'DELETE',
      path: poolPath(namespace, kind, name) as string,
    });
    if (response.status >= 300) return fail(reply, response.status, refusalMessage(response));
    return { deleting: true };
  });

  app.post('/api/clusters/:namespace/:name/upgrade-plan', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string };
    const found = await readableCluster(request.session as Session, namespace, name);
    if ('refusal' in found) return fail(reply, found.refusal.status, found.refusal.message);
    const { objects } = found;
    const body = (request.body ?? {}) as { version?: unknown; templates?: unknown };
    const templates =
      typeof body.templates === 'object' && body.templates !== null
        ? Object.fromEntries(
            Object.entries(body.templates).filter(([, v]) => typeof v === 'string' && v !== ''),
          )
        : {};
    return planUpgrade(objects, { version: String(body.version ?? ''), templates });
  });

  // Create a list of objects as the user: all checked with a dry run first, then created in order.
  app.post('/api/manifests', async (request, reply) => {
    const body = (request.body ?? {}) as { namespace?: unknown };
    if (typeof body.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(body.namespace))
      return fail(reply, 400, 'namespace must be a namespace name', 'namespace');
    const parsed = parseManifests(request.body);
    if ('problems' in parsed) return fail(reply, 400, parsed.problems.join('; '), 'manifests');
    const result = await applier.apply(
      (request.session as Session).identity,
      body.namespace,
      parsed.manifests,
    );
    return reply.code(result.ok ? 201 : 422).send(result);
  });

  registerKubePassthrough(app, endpoint);

  // HostApi.platform: the extension's server-side operation with the stored credential.
  // Each operation logs in to the platform with a stored credential: a session may start only so
  // many, and connection tests (which a form can fire on every keystroke) far fewer.
  const platformLimits = options.platformCallsPerMinute ?? {};
  const operationOf = (body: unknown) =>
    (body as { operation?: unknown } | undefined)?.operation === 'testConnection' ? 'testConnection' : 'all';
  const platformLimit = {
    rateLimit: {
      hook: 'preHandler' as const,
      timeWindow: 60_000,
      keyGenerator: (request: { session?: Session | undefined; body?: unknown }) =>
        `${request.session?.id ?? ''}|${operationOf(request.body)}`,
      max: (request: { body?: unknown }) =>
        operationOf(request.body) === 'testConnection'
          ? (platformLimits.testConnection ?? 10)
          : (platformLimits.all ?? 300),
    },
  };
  app.post('/api/platform', { config: platformLimit }, async (request, reply) => {
    const body = (request.body ?? {}) as { extension?: unknown };
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    const outcome = await platform.call(
      (request.session as Session).identity,
      String(body.extension ?? ''),
      request.body,
      gone.signal,
    );
    return reply.code(outcome.status).send(outcome.body);
  });

  // Live updates: each change to a cluster the user may see, as a server-sent event.
  app.get('/api/events', async (request, reply) => {
    const session = request.session as Session;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    reply.raw.write(': connected\n\n');
    const send = async (change: ClusterChange) => {
      const visible = await visibility(session, [change.namespace]);
      if (!visible(change.namespace)) return;
      reply.raw.write(`event: cluster\ndata: ${JSON.stringify(change)}\n\n`);
    };
    const listener = (change: ClusterChange) => void send(change).catch(() => {});
    cache.on('change', listener);
    const heartbeat = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      cache.off('change', listener);
    });
  });

  app.get('/api/extensions', async () =>
    extensions.extensions.map(({ bundlePath: _, platformProxyPath: __, ...extension }) => ({
      ...extension,
      ...(extension.load ? { bundleUrl: `/extensions/${encodeURIComponent(extension.id)}/bundle.js` } : {}),
    })),
  );

  app.get('/extensions/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const id = decodeURIComponent(rest.replace(/\/bundle\.js$/, ''));
    const bundle = extensions.bundle(id);
    if (!bundle || !rest.endsWith('/bundle.js')) return fail(reply, 404, 'no such extension bundle');
    return reply.type('text/javascript; charset=utf-8').send(readFileSync(bundle));
  });

  const appDir = options.appDir ?? findAppDir();
  if (appDir) serveApp(app, appDir);

  return {
    app,
    cache,
    close: async () => {
      await app.close();
      await cache.stop();
      endpoint.close();
    },
  };
}

/** The host name of a Host header, without its port; IPv6 addresses keep their brackets. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const host = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0];
  return host ? host.toLowerCase() : undefined;
}

/** The cluster page's data: machines, node pools, the control plane, conditions and what holds a deletion. */
export function clusterDetail(objects: NonNullable<ReturnType<ClusterCache['objects']>>) {
  const conditions =
    (objects.cluster.status?.conditions as {
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }[]) ?? [];
  return {
    conditions,
    finalizers: objects.cluster.metadata.finalizers ?? [],
    deletionTimestamp: objects.cluster.metadata.deletionTimestamp,
    controlPlane: objects.controlPlane
      ? {
          name: objects.controlPlane.metadata.name,
          replicas: objects.controlPlane.spec?.replicas,
          readyReplicas: objects.controlPlane.status?.readyReplicas ?? 0,
          upToDateReplicas: objects.controlPlane.status?.upToDateReplicas,
          version: objects.controlPlane.spec?.version,
          template: refOf(objects.controlPlane.spec, 'machineTemplate', 'spec', 'infrastructureRef'),
        }
      : undefined,
    nodePools: objects.machineDeployments.map((md) => ({
      kind: 'MachineDeployment',
      name: md.metadata.name,
      replicas: md.spec?.replicas ?? 0,
      readyReplicas: md.status?.readyReplicas ?? 0,
      upToDateReplicas: md.status?.upToDateReplicas,
      version: (md.spec?.template as { spec?: { version?: string } } | undefined)?.spec?.version,
      template: refOf(md.spec, 'template', 'spec', 'infrastructureRef'),
      bootstrap: refOf(md.spec, 'template', 'spec', 'bootstrap', 'configRef'),
      ...maxSurgeOf(md.spec),
      deleting: md.metadata.deletionTimestamp !== undefined,
    })),
    machines: objects.machines.map((m) => ({
      name: m.metadata.name,
      phase: m.status?.phase,
      providerID: m.spec?.providerID,
      nodeName: (m.status?.nodeRef as { name?: string } | undefined)?.name,
      version: m.spec?.version,
      owner: m.metadata.ownerReferences?.find((o) => o.controller)?.name,
      pool:
        m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] ??
        m.metadata.labels?.['cluster.x-k8s.io/control-plane-name'],
      infrastructureRef: refOf(m.spec, 'infrastructureRef'),
      waitingFor: machineWaitingFor(m),
    })),
  };
}

/**
 * The Machine's conditions in the order a machine comes up: the first not True is what it waits
 * for. InfrastructureReady carries the provider's own words (the host names the step that waits
 * and for what, and Cluster API mirrors that onto the Machine).
 */
const MACHINE_PROGRESS = ['BootstrapConfigReady', 'InfrastructureReady', 'NodeReady', 'NodeHealthy'];

export function machineWaitingFor(
  machine: KubeItem,
): { condition: string; reason?: string; message?: string } | undefined {
  const conditions = ((machine.status as { conditions?: unknown } | undefined)?.conditions ?? []) as {
    type: string;
    status: string;
    reason?: string;
    message?: string;
  }[];
  for (const type of MACHINE_PROGRESS) {
    const condition = conditions.find((c) => c.type === type);
    if (condition && condition.status !== 'True')
      return {
        condition: type,
        ...(condition.reason ? { reason: condition.reason } : {}),
        ...(condition.message ? { message: condition.message } : {}),
      };
  }
  return undefined;
}

/** An object reference at `path` (apiGroup, kind, name), when there is one. */
/** A MachineDeployment's rollout `maxSurge` as written (v1beta2, or v1beta1's `strategy`), count or percentage. */
function maxSurgeOf(spec: Record<string, unknown> | undefined): { maxSurge?: number | string } {
  const rolling = (path: unknown) =>
    (path as { rollingUpdate?: { maxSurge?: unknown } } | undefined)?.rollingUpdate?.maxSurge;
  const surge =
    rolling((spec?.rollout as { strategy?: unknown } | undefined)?.strategy) ?? rolling(spec?.strategy);
  return typeof surge === 'number' || typeof surge === 'string' ? { maxSurge: surge } : {};
}

function refOf(
  object: unknown,
  ...path: string[]
): { apiGroup?: string; kind: string; name: string } | undefined {
  let value = object;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  const ref = value as { apiGroup?: string; kind?: string; name?: string } | undefined;
  if (!ref?.kind || !ref.name) return undefined;
  return { ...(ref.apiGroup ? { apiGroup: ref.apiGroup } : {}), kind: ref.kind, name: ref.name };
}

interface PoolChange {
  replicas?: number;
  version?: string;
  template?: string;
}

/**
 * Reads a node pool change; the first bad field is named. The control plane is not scaled here:
 * the documented clusters keep three control plane nodes (etcd's quorum), as the create wizard
 * does, so only its version and template change from this page; a deliberate resize stays a YAML
 * change.
 */
export function parsePoolChange(
  body: unknown,
  kind = 'MachineDeployment',
): { change: PoolChange } | { problem: { field: string; message: string } } {
  const b = (body ?? {}) as { replicas?: unknown; version?: unknown; template?: unknown };
  const change: PoolChange = {};
  if (b.replicas !== undefined && kind === 'KubeadmControlPlane')
    return {
      problem: {
        field: 'replicas',
        message: 'the control plane keeps its 3 nodes; change its version or template instead',
      },
    };
  if (b.replicas !== undefined) {
    if (
      typeof b.replicas !== 'number' ||
      !Number.isInteger(b.replicas) ||
      b.replicas < 0 ||
      b.replicas > 1000
    )
      return { problem: { field: 'replicas', message: 'replicas must be a whole number from 0 to 1000' } };
    change.replicas = b.replicas;
  }
  if (b.version !== undefined) {
    // The upgrade preview's pattern: a platform's builds carry a suffix (v1.34.5-3).
    if (typeof b.version !== 'string' || !VERSION.test(b.version))
      return { problem: { field: 'version', message: 'version must look like v1.35.4' } };
    change.version = b.version;
  }
  if (b.template !== undefined) {
    if (typeof b.template !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(b.template))
      return { problem: { field: 'template', message: 'template must be a machine template name' } };
    change.template = b.template;
  }
  if (Object.keys(change).length === 0)
    return { problem: { field: 'replicas', message: 'give replicas, version or template' } };
  return { change };
}

export type { ClusterRow };

function findAppDir(): string | undefined {
  for (const candidate of ['./app/', '../app/', '../../dist/app/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** At most this many of a namespace's Events are read for one cluster's timeline. */
const EVENTS_LISTED = 1000;
/** And at most this many are shown, newest first. */
const EVENTS_SHOWN = 200;

interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  eventTime?: string | null;
  lastTimestamp?: string | null;
  firstTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string };
  source?: { component?: string };
  reportingComponent?: string;
}

/** The cluster's own objects by kind and name, as its Events name them. */
function clusterObjectNames(objects: ClusterObjects): Set<string> {
  const names = new Set<string>();
  const add = (kind: string | undefined, name: string | undefined) => {
    if (kind && name) names.add(`${kind}/${name}`);
  };
  const ref = (item: KubeItem, ...path: string[]) => {
    let value: unknown = item;
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    return value as { kind?: string; name?: string } | undefined;
  };
  add('Cluster', objects.cluster.metadata.name);
  const infra = ref(objects.cluster, 'spec', 'infrastructureRef');
  add(infra?.kind, infra?.name);
  if (objects.controlPlane) add('KubeadmControlPlane', objects.controlPlane.metadata.name);
  for (const md of objects.machineDeployments) add('MachineDeployment', md.metadata.name);
  for (const machine of objects.machines) {
    add('Machine', machine.metadata.name);
    const infraMachine = ref(machine, 'spec', 'infrastructureRef');
    add(infraMachine?.kind, infraMachine?.name);
  }
  return names;
}

/** The Events about a cluster's objects, newest first, in the shape the Events tab shows. */
export function clusterEvents(objects: ClusterObjects, events: readonly KubeEvent[]) {
  const names = clusterObjectNames(objects);
  const when = (e: KubeEvent) =>
    e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
  return events
    .filter((e) => names.has(`${e.involvedObject?.kind}/${e.involvedObject?.name}`))
    .map((e) => ({
      time: when(e),
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${e.involvedObject?.kind}/${e.involvedObject?.name}`,
      message: e.message ?? '',
      count: e.count ?? 1,
      source: e.reportingComponent || e.source?.component || '',
    }))
    .sort((a, b) => b.time.localeCompare(a.time))
    .slice(0, EVENTS_SHOWN);
}

/** Cluster API's Secret with a workload cluster's admin kubeconfig (key `value`). */
const kubeconfigSecretName = (cluster: string) => `${cluster}-kubeconfig`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/**
 * The copy of `file` to send for an Accept-Encoding header: the build's brotli copy when the browser
 * takes br, else its gzip copy for gzip, else the file itself (a q=0 excludes an encoding).
 */
export function encodedFile(
  file: string,
  acceptEncoding: string | undefined,
  exists: (path: string) => boolean = existsSync,
): { path: string; encoding?: 'br' | 'gzip' } {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, ...params]) => !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p)))
      .map(([name]) => (name ?? '').trim().toLowerCase()),
  );
  for (const [encoding, suffix] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (accepted.has(encoding) && exists(file + suffix)) return { path: file + suffix, encoding };
  }
  return { path: file };
}

/** The app's files, and index.html for the app's own paths (it routes in the URL fragment). */
function serveApp(app: FastifyInstance, dir: string): void {
  const send = (reply: FastifyReply, file: string, acceptEncoding: string | undefined) => {
    const chosen = encodedFile(file, acceptEncoding);
    // Caches keep one copy per encoding.
    reply.header('vary', 'accept-encoding');
    if (chosen.encoding) reply.header('content-encoding', chosen.encoding);
    return reply
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .send(readFileSync(chosen.path));
  };
  app.get('/', async (request, reply) =>
    send(reply, join(dir, 'index.html'), request.headers['accept-encoding']),
  );
  app.get('/assets/*', async (request, reply) => {
    const rest = normalize((request.params as { '*': string })['*']);
    if (rest.startsWith('..')) return fail(reply, 404, 'not found');
    const file = join(dir, 'assets', rest);
    if (!existsSync(file)) return fail(reply, 404, 'not found');
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return send(reply, file, request.headers['accept-encoding']);
  });
}
