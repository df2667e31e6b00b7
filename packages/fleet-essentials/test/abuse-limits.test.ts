import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateCertificateAuthority } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { AccessReviewer } from '../src/server/access-review.js';
import { hostNameOf } from '../src/server/app.js';
import { KubeEndpoint } from '../src/server/kube-endpoint.js';
import { SessionStore } from '../src/server/sessions.js';
import { type ExamplePlatform, startExamplePlatform } from './example-platform.ts';
import { grantRules } from './rbac.ts';
import { signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

// Issue 15 item 8: bounded memory, limits on sign-ins and connection tests, a Secure cookie
// behind TLS, the Host header checked, and the sign-in check on the route that matched.

let kubeConfig: KubeConfig;
let platform: ExamplePlatform;
let ns: string;
const servers: Awaited<ReturnType<typeof createFleetServer>>[] = [];

async function server(options: Partial<Parameters<typeof createFleetServer>[0]> = {}) {
  const started = await createFleetServer({
    kubeConfig,
    extensionPackages: [fileURLToPath(new URL('./fixtures/ext-full/', import.meta.url))],
    ...options,
  });
  servers.push(started);
  return started.app;
}

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'limits');
  platform = await startExamplePlatform({ admin: 'limits-s3cret' });
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: ns,
    body: {
      metadata: { name: 'cred' },
      stringData: { endpoint: platform.url, username: 'admin', password: 'limits-s3cret' },
    },
  });
  await grantRules(
    kubeConfig,
    'fleet-operators',
    ns,
    [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
    'limits-operator',
  );
});

afterAll(async () => {
  for (const started of servers) await started.close();
  await platform?.close();
});

describe('the sign-in check', () => {
  it('holds for every spelling of an /api path that reaches a handler', async () => {
    const app = await server();
    // `%61` is `a`: the router decodes it and runs the clusters handler; before, the check read
    // the raw URL, let the request through without a session, and the handler failed with a 500.
    for (const url of ['/api/clusters', '/%61pi/clusters', '/api/%63lusters']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json().error.message).toBe('sign in first');
    }
  });
});

describe('the Host header', () => {
  it('answers loopback names and refuses any other (DNS rebinding)', async () => {
    const app = await server();
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:9000']) {
      const response = await app.inject({ method: 'GET', url: '/api/health', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
    const refused = await app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { host: 'attacker.example:8080' },
    });
    expect(refused.statusCode).toBe(421);
    expect(refused.json().error.message).toBe('this server does not answer to host attacker.example');
  });

  it('answers the names it is given, or any with "any"', async () => {
    const named = await server({ allowedHosts: ['fleet.example.com'] });
    const ok = await named.inject({
      method: 'GET',
      url: '/api/health',
      headers: { host: 'Fleet.Example.com' },
    });
    expect(ok.statusCode).toBe(200);
    const loopback = await named.inject({
      method: 'GET',
      url: '/api/health',
      headers: { host: 'localhost' },
    });
    expect(loopback.statusCode).toBe(421);
    const open = await server({ allowedHosts: 'any' });
    const anyHost = await open.inject({ method: 'GET', url: '/api/health', headers: { host: 'x.example' } });
    expect(anyHost.statusCode).toBe(200);
    expect(hostNameOf('[fe80::1]:443')).toBe('[fe80::1]');
    expect(hostNameOf(undefined)).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('limits sign-in attempts per client address and says when to try again', async () => {
    const app = await server({ signInsPerMinute: 3 });
    const attempt = () =>
      app.inject({ method: 'POST', url: '/api/session', payload: { token: 'not-a-real-token' } });
    for (let i = 0; i < 3; i += 1) expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toMatch(/^too many requests: try again in /);
    expect(limited.headers['retry-after']).toBeDefined();
    // A right token is refused too while the address is limited: the limit is on trying.
    const right = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: TEST_USERS.operator.token },
    });
    expect(right.statusCode).toBe(429);
  });

  it('limits connection tests per session more tightly than other platform operations', async () => {
    const app = await server({ platformCallsPerMinute: { testConnection: 2, all: 5 } });
    const operator = await signIn(app, TEST_USERS.operator.token);
    const call = (operation: string) =>
      app.inject({
        method: 'POST',
        url: '/api/platform',
        headers: { ...operator },
        payload: {
          extension: '@example/provider-full',
          credential: { namespace: ns, name: 'cred' },
          operation,
        },
      });
    expect((await call('testConnection')).statusCode).toBe(200);
    expect((await call('testConnection')).statusCode).toBe(200);
    const reached = platform.seen.length;
    expect((await call('testConnection')).statusCode).toBe(429);
    // The refused test never reached the platform: no login was tried with the credential.
    expect(platform.seen.length).toBe(reached);
    // Other operations have their own, larger, allowance.
    expect((await call('listImages')).statusCode).not.toBe(429);
    // Another session is not held back by this one.
    const second = await signIn(app, TEST_USERS.operator.token);
    const other = await app.inject({
      method: 'POST',
      url: '/api/platform',
      headers: { ...second },
      payload: {
        extension: '@example/provider-full',
        credential: { namespace: ns, name: 'cred' },
        operation: 'testConnection',
      },
    });
    expect(other.statusCode).toBe(200);
  });
});

describe('the session cookie', () => {
  it('is Secure when the request came over TLS, and not on plain loopback HTTP', async () => {
    const ca = await generateCertificateAuthority('fleet test CA');
    const leaf = await ca.issue({
      subject: 'CN=fleet',
      usage: 'server',
      ips: ['127.0.0.1'],
      dnsNames: ['localhost'],
    });
    const app = await server({ tls: { cert: leaf.certificate, key: leaf.privateKey } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const setCookie = await new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ token: TEST_USERS.operator.token });
      const request = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/session',
          method: 'POST',
          ca: ca.certificate,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(String(response.headers['set-cookie'])));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    expect(setCookie).toMatch(/; Secure/);
    const plain = await (await server()).inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: TEST_USERS.operator.token },
    });
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
  });
});

describe('bounded memory', () => {
  it('keeps at most the newest sessions and drops expired ones on the next sign-in', () => {
    let now = 0;
    const store = new SessionStore(() => now, 3);
    const ids = Array.from({ length: 5 }, () => store.create({ kind: 'kubeconfig' }, 'u', []).id);
    expect(store.size).toBe(3);
    expect(store.get(ids[0])).toBeUndefined();
    expect(store.get(ids[4])).toBeDefined();
    now += 9 * 60 * 60 * 1000;
    store.create({ kind: 'kubeconfig' }, 'u', []);
    // The three old ones expired: only the new session is held.
    expect(store.size).toBe(1);
  });

  it("forgets a session's access answers at sign-out and bounds the rest", async () => {
    const reviewer = new AccessReviewer(new KubeEndpoint(kubeConfig), Date.now, 4);
    const question = { verb: 'list', group: 'cluster.x-k8s.io', resource: 'clusters' };
    for (const ns of ['a', 'b', 'c']) {
      await reviewer.allowed({ kind: 'kubeconfig' }, 's1', { ...question, namespace: ns });
      await reviewer.allowed({ kind: 'kubeconfig' }, 's2', { ...question, namespace: ns });
    }
    expect(reviewer.size).toBe(4);
    reviewer.forget('s2');
    // s1's answers for b and c are left: a went first when the fifth and sixth came.
    expect(reviewer.size).toBe(2);
  });

  it('signs out when the session is deleted, and its answers go with it', async () => {
    const app = await server();
    const operator = await signIn(app, TEST_USERS.operator.token);
    expect((await app.inject({ method: 'GET', url: '/api/clusters', headers: operator })).statusCode).toBe(
      200,
    );
    const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: operator });
    expect(out.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/clusters', headers: operator })).statusCode).toBe(
      401,
    );
  });
});
