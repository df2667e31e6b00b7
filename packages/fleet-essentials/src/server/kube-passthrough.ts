import type { FastifyInstance } from 'fastify';
import type { KubeEndpoint } from './kube-endpoint.js';
import { credentialForms, isSecretsPath, redact, scrubSecrets, secretValuesOf } from './secret-scrub.js';
import type { Session } from './sessions.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Whether the API server would answer this query with a watch stream. It reads
 * `watch` as k8s.io/apimachinery's Convert_Slice_string_To_bool does: only an
 * absent parameter, `0` or `false` (any case) is false; `1`, `True`, an empty
 * `?watch` and anything else is a watch. The server looks at the first value
 * only; every value is checked here, so a repeated parameter cannot slip one by.
 */
export function isWatch(query: string): boolean {
  return new URLSearchParams(query)
    .getAll('watch')
    .some((value) => value !== '0' && value.toLowerCase() !== 'false');
}

/**
 * Why a response to a request for Secrets may not reach the browser, or
 * undefined when it may. Only one parsed Secret, SecretList or Status can be
 * scrubbed; anything else (several JSON documents, as a watch stream is, or
 * text that is not JSON) could carry values the scrubber never saw.
 */
export function refuseSecretsResponse(body: unknown): string | undefined {
  const kind = typeof body === 'object' && body !== null ? (body as { kind?: unknown }).kind : undefined;
  if (body === undefined || kind === 'Secret' || kind === 'SecretList' || kind === 'Status') return undefined;
  return 'the API server answered with something other than one Secret or SecretList; it is not passed through';
}

/** Why a path may not pass through, or undefined when it may. */
export function refusePath(path: string): string | undefined {
  const [pathname = '', query = ''] = path.split('?', 2);
  if (!/^\/(api|apis)(\/|$)/.test(pathname)) return 'the path must start with /api or /apis';
  if (pathname.includes('..') || pathname.includes('//')) return 'the path must be a plain API path';
  // Streams and connection upgrades cannot be scrubbed object by object; none of the anchors need them.
  if (isWatch(query) || /\/watch(\/|$)/.test(pathname)) return 'watches are not passed through; poll instead';
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
      // A reply the endpoint could not parse stays text, which the scrubber passes on untouched.
      const unscrubbable =
        secrets || (typeof response.body === 'string' && /"kind"\s*:\s*"Secret/.test(response.body))
          ? refuseSecretsResponse(response.body)
          : undefined;
      if (unscrubbable) return reply.code(502).send({ error: { message: unscrubbable, field: 'path' } });
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
