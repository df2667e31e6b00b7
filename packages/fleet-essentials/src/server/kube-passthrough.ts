import type { FastifyInstance } from 'fastify';
import type { KubeEndpoint } from './kube-endpoint.js';
import { credentialForms, isSecretsPath, redact, scrubSecrets, secretValuesOf } from './secret-scrub.js';
import type { Session } from './sessions.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Why a path may not pass through, or undefined when it may. */
export function refusePath(path: string): string | undefined {
  const [pathname = '', query = ''] = path.split('?', 2);
  if (!/^\/(api|apis)(\/|$)/.test(pathname)) return 'the path must start with /api or /apis';
  if (pathname.includes('..') || pathname.includes('//')) return 'the path must be a plain API path';
  // Streams and connection upgrades cannot be scrubbed object by object; none of the anchors need them.
  if (new URLSearchParams(query).get('watch') === 'true' || /\/watch(\/|$)/.test(pathname))
    return 'watches are not passed through; poll instead';
  if (/\/(proxy|exec|attach|portforward)(\/|$)/.test(pathname))
    return 'proxy, exec, attach and port-forward are not passed through';
  return undefined;
}

/**
 * `/api/kube/<Kubernetes API path>`: a request to the API server as the
 * signed-in user, for extensions (HostApi.kubernetes) and the app. RBAC
 * decides; the CSRF check of every change happens in the server's preHandler.
 * Secrets come back with their values emptied, in single objects, lists, and
 * error messages alike.
 */
export function registerKubePassthrough(app: FastifyInstance, endpoint: KubeEndpoint): void {
  app.route({
    method: [...METHODS],
    url: '/api/kube/*',
    handler: async (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      const queryStart = request.url.indexOf('?');
      const path = `/${rest}${queryStart >= 0 ? request.url.slice(queryStart) : ''}`;
      const refused = refusePath(path);
      if (refused) return reply.code(400).send({ error: { message: refused, field: 'path' } });
      const body = request.body;
      const response = await endpoint.request((request.session as Session).identity, {
        method: request.method,
        path,
        ...(body !== undefined ? { body } : {}),
        // The browser always sends JSON; a PATCH is a JSON merge patch.
        ...(request.method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
      });
      const secrets = isSecretsPath(path);
      const scrubbed = scrubSecrets(response.body, secrets);
      // A Secret the user just wrote may be echoed in an error message (e.g. a rejected value); a patch
      // to a Secret carries no kind, so the path says what it is.
      const written = secrets && body && typeof body === 'object' ? { ...body, kind: 'Secret' } : body;
      const forms = credentialForms(secretValuesOf(written));
      const text = redact(JSON.stringify(scrubbed ?? null), forms);
      return reply.code(response.status).type('application/json; charset=utf-8').send(text);
    },
  });
}
