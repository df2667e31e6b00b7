import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterPage, createFleetServer } from '../src/index.js';
import { encodedFile } from '../src/server/app.js';
import { createCapiCluster, createEvents, setStatus } from './cluster-fixtures.ts';
import { grant, grantRules } from './rbac.ts';
import { type SessionHeaders, signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let app: FastifyInstance;
let teamA: string;
let teamB: string;

const page = async (who: SessionHeaders, query: string): Promise<ClusterPage> => {
  const response = await app.inject({
    method: 'GET',
    url: `/api/clusters?${query}`,
    headers: { cookie: who.cookie },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  teamA = await createTestNamespace(kubeConfig, 'team-a');
  teamB = await createTestNamespace(kubeConfig, 'team-b');
  await grant(
    kubeConfig,
    'fleet-operators',
    undefined,
    ['get', 'list', 'watch', 'delete', 'patch'],
    'fleet-operator',
  );
  await grant(kubeConfig, 'fleet-viewers', teamA, ['get', 'list', 'watch', 'patch'], 'fleet-viewer');
  await createCapiCluster(kubeConfig, teamA, 'alpha', {
    version: 'v1.35.4',
    controlPlane: [3, 3],
    workers: [2, 3],
    phase: 'Provisioned',
  });
  await createCapiCluster(kubeConfig, teamA, 'bravo', {
    version: 'v1.34.2',
    controlPlane: [0, 1],
    workers: [0, 2],
    phase: 'Provisioning',
    provider: 'hcs',
  });
  await createCapiCluster(kubeConfig, teamB, 'charlie', {
    version: 'v1.35.4',
    controlPlane: [1, 1],
    workers: [1, 1],
    phase: 'Provisioned',
  });
  server = await createFleetServer({ kubeConfig });
  app = server.app;
});

afterAll(async () => {
  await server?.close();
});

describe('sign-in with the user own Kubernetes identity', () => {
  it('rejects a missing or unknown token, naming the field, and accepts a real one', async () => {
    const none = await app.inject({ method: 'POST', url: '/api/session', payload: {} });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toEqual({ message: 'a bearer token is required', field: 'token' });
    const wrong = await app.inject({ method: 'POST', url: '/api/session', payload: { token: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: TEST_USERS.operator.token },
    });
    expect(ok.json()).toMatchObject({
      username: 'olivia',
      groups: expect.arrayContaining(['fleet-operators']),
    });
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain(TEST_USERS.operator.token);
    expect((await app.inject({ method: 'GET', url: '/api/clusters' })).statusCode).toBe(401);
  });

  it('kubeconfig-user sign-in is refused unless the server allows it', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { mode: 'kubeconfig' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.field).toBe('mode');
  });
});

describe('the cluster list', () => {
  it('aggregates every cluster with provider, version, phase and readiness, paged and sorted', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    await eventually('three clusters cached', async () =>
      (await page(operator, 'limit=50')).total >= 3 ? true : undefined,
    );
    const mine = await page(operator, `search=${teamA.slice(0, 12)}&sort=name&order=desc&limit=1&page=1`);
    expect(mine.total).toBe(2);
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({
      namespace: teamA,
      name: 'bravo',
      provider: 'hcs',
      kubernetesVersion: 'v1.34.2',
      phase: 'Provisioning',
      controlPlane: { ready: 0, desired: 1 },
      workers: { ready: 0, desired: 2 },
      waitingFor: { condition: 'ControlPlaneInitialized', reason: 'WaitingForControlPlane' },
    });
    const second = await page(operator, `search=${teamA.slice(0, 12)}&sort=name&order=desc&limit=1&page=2`);
    expect(second.items[0]).toMatchObject({
      name: 'alpha',
      provider: 'dcs',
      controlPlane: { ready: 3, desired: 3 },
      workers: { ready: 2, desired: 3 },
    });
    const dcsOnly = await page(operator, 'provider=dcs&limit=500');
    expect(dcsOnly.items.every((row) => row.provider === 'dcs')).toBe(true);
  });

  it('names every bad query parameter', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await app.inject({
      method: 'GET',
      url: '/api/clusters?page=0&limit=9999&sort=color',
      headers: { cookie: operator.cookie },
    });
    expect(response.statusCode).toBe(400);
    const message = response.json().error.message;
    expect(message).toContain('page must be');
    expect(message).toContain('limit must be');
    expect(message).toContain('sort must be one of');
  });

  it('shows a user only the namespaces their RBAC lets them list', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    // Other test files grant this user other namespaces; only these two are this test's.
    const rows = (await page(viewer, 'limit=500')).items.filter(
      (r) => r.namespace === teamA || r.namespace === teamB,
    );
    expect(rows.map((r) => `${r.namespace === teamA ? 'A' : 'B'}/${r.name}`).sort()).toEqual([
      'A/alpha',
      'A/bravo',
    ]);
    const detail = await app.inject({
      method: 'GET',
      url: `/api/clusters/${teamB}/charlie`,
      headers: { cookie: viewer.cookie },
    });
    expect(detail.statusCode).toBe(403);
  });

  it('explains on the cluster page what the cluster waits for, and lists its node pools', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await app.inject({
      method: 'GET',
      url: `/api/clusters/${teamA}/bravo`,
      headers: { cookie: operator.cookie },
    });
    expect(response.statusCode).toBe(200);
    const detail = response.json();
    expect(detail.row.waitingFor.message).toBe('waiting for KubeadmControlPlane bravo-cp to initialize');
    expect(detail.nodePools).toEqual([
      {
        kind: 'MachineDeployment',
        name: 'bravo-workers',
        replicas: 2,
        readyReplicas: 0,
        version: 'v1.34.2',
        template: {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: 'DCSMachineTemplate',
          name: 'bravo-w',
        },
        deleting: false,
      },
    ]);
    expect(detail.controlPlane).toMatchObject({ name: 'bravo-cp', replicas: 1, version: 'v1.34.2' });
  });
});

describe("a cluster's events", () => {
  it("lists the namespace's Events about the cluster's own objects, newest first, as the user", async () => {
    await createEvents(kubeConfig, teamA, [
      {
        name: 'e1',
        kind: 'Cluster',
        object: 'alpha',
        reason: 'Provisioned',
        type: 'Normal',
        at: '2026-12-01T10:00:00Z',
      },
      {
        name: 'e2',
        kind: 'KubeadmControlPlane',
        object: 'alpha-cp',
        reason: 'ScalingUp',
        type: 'Normal',
        at: '2026-12-01T10:05:00Z',
      },
      {
        name: 'e3',
        kind: 'MachineDeployment',
        object: 'alpha-workers',
        reason: 'PlatformUnavailable',
        type: 'Warning',
        at: '2026-12-01T10:10:00Z',
      },
      // Not the cluster's: another cluster's object of the same kind.
      {
        name: 'e4',
        kind: 'Cluster',
        object: 'bravo',
        reason: 'Provisioned',
        type: 'Normal',
        at: '2026-12-01T10:15:00Z',
      },
    ]);
    const operator = await signIn(app, TEST_USERS.operator.token);
    const list = () =>
      app.inject({
        method: 'GET',
        url: `/api/clusters/${teamA}/alpha/events`,
        headers: { cookie: operator.cookie },
      });
    const refused = await list();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('cannot list resource "events"');
    await grantRules(
      kubeConfig,
      'fleet-operators',
      teamA,
      [{ apiGroups: [''], resources: ['events'], verbs: ['list'] }],
      'events-reader',
    );
    const listed = await eventually('events listed', async () => {
      const response = await list();
      return response.statusCode === 200
        ? (response.json() as { events: { object: string; reason: string; type: string }[] })
        : undefined;
    });
    expect(
      listed.events.map((e: { object: string; reason: string; type: string }) => [
        e.object,
        e.reason,
        e.type,
      ]),
    ).toEqual([
      ['MachineDeployment/alpha-workers', 'PlatformUnavailable', 'Warning'],
      ['KubeadmControlPlane/alpha-cp', 'ScalingUp', 'Normal'],
      ['Cluster/alpha', 'Provisioned', 'Normal'],
    ]);
    expect(listed.events[0]).toMatchObject({
      message: 'PlatformUnavailable on alpha-workers',
      source: 'iinfra-manager',
      count: 1,
    });
  });
});

describe("a workload cluster's kubeconfig", () => {
  it('is offered and sent only to whom RBAC lets read the Secret, as they would read it', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\n';
    await objects.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'alpha-kubeconfig', namespace: teamA },
      data: { value: Buffer.from(kubeconfig).toString('base64') },
    } as never);
    const operator = await signIn(app, TEST_USERS.operator.token);
    const detail = async (who: SessionHeaders) =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/clusters/${teamA}/alpha`,
          headers: { cookie: who.cookie },
        })
      ).json();
    expect((await detail(operator)).kubeconfigReadable).toBe(false);
    const refused = await app.inject({
      method: 'GET',
      url: `/api/clusters/${teamA}/alpha/kubeconfig`,
      headers: { cookie: operator.cookie },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('cannot get resource "secrets"');
    expect(refused.body).not.toContain('Config');
    // That one Secret only, as a platform admin would grant it.
    await grantRules(
      kubeConfig,
      'fleet-operators',
      teamA,
      [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['alpha-kubeconfig'] }],
      'alpha-kubeconfig-reader',
    );
    // A new session: access answers are remembered for 30 s per session.
    const again = await signIn(app, TEST_USERS.operator.token);
    await eventually('the grant is in effect', async () =>
      (await detail(again)).kubeconfigReadable ? true : undefined,
    );
    const sent = await app.inject({
      method: 'GET',
      url: `/api/clusters/${teamA}/alpha/kubeconfig`,
      headers: { cookie: again.cookie },
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toBe(kubeconfig);
    expect(sent.headers['cache-control']).toBe('no-store');
    expect(sent.headers['content-disposition']).toBe('attachment; filename="alpha.kubeconfig"');
    const none = await app.inject({
      method: 'GET',
      url: `/api/clusters/${teamB}/charlie/kubeconfig`,
      headers: { cookie: again.cookie },
    });
    expect(none.statusCode).toBe(403);
  });
});

describe('actions as the user', () => {
  it('requires the CSRF header on every change', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await app.inject({
      method: 'DELETE',
      url: `/api/clusters/${teamB}/charlie`,
      headers: { cookie: operator.cookie },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.message).toContain('X-CSRF-Token');
  });

  it('scales a node pool, and names the field of a bad replica count', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/node-pools/${teamA}/MachineDeployment/alpha-workers`,
      headers: viewer,
      payload: { replicas: -1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('replicas');
    const ok = await app.inject({
      method: 'PATCH',
      url: `/api/node-pools/${teamA}/MachineDeployment/alpha-workers`,
      headers: viewer,
      payload: { replicas: 5 },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const md = (await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: teamA,
      plural: 'machinedeployments',
      name: 'alpha-workers',
    })) as { spec: { replicas: number } };
    expect(md.spec.replicas).toBe(5);
  });

  it('shows the API server own refusal when RBAC forbids a delete, and deletes for a user who may', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const refused = await app.inject({
      method: 'DELETE',
      url: `/api/clusters/${teamA}/alpha`,
      headers: viewer,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('User "victor" cannot delete resource "clusters"');
    const operator = await signIn(app, TEST_USERS.operator.token);
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/clusters/${teamB}/charlie`,
      headers: operator,
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    await eventually('charlie gone from the list', async () =>
      (await page(operator, 'limit=500')).items.some((r) => r.name === 'charlie') ? undefined : true,
    );
  });
});

describe('live updates', () => {
  it('pushes a changed row to a signed-in browser over server-sent events', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const operator = await signIn(app, TEST_USERS.operator.token);
    const abort = new AbortController();
    const response = await fetch(`${address}/api/events`, {
      headers: { cookie: operator.cookie },
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await setStatus(kubeConfig, 'cluster.x-k8s.io', 'machinedeployments', teamA, 'bravo-workers', {
      readyReplicas: 2,
      replicas: 2,
    });
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('"name":"bravo"') || !text.includes('"workers":{"ready":2')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect(text).toContain('event: cluster');
    expect(text).toContain('"workers":{"ready":2,"desired":2}');
  });

  it('closes while a browser still holds the event stream open', async () => {
    const other = await createFleetServer({ kubeConfig });
    const address = await other.app.listen({ port: 0, host: '127.0.0.1' });
    const login = await other.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: TEST_USERS.operator.token },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const response = await fetch(`${address}/api/events`, { headers: { cookie } });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');
    // Before the fix this never resolved: the server waited for the stream to end.
    await other.close();
    // The stream is cut (undici says "terminated") or ends: either way the page sees it go.
    const end = await reader.read().then(
      (r) => (r.done ? 'ended' : 'data'),
      () => 'cut',
    );
    expect(['ended', 'cut']).toContain(end);
  });
});

describe('security headers', () => {
  it('sends a restrictive content security policy and no token anywhere', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: operator.cookie },
    });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).not.toContain(TEST_USERS.operator.token);
    expect(readFileSync(new URL('../src/server/app.ts', import.meta.url), 'utf8')).not.toContain(
      'console.log',
    );
  });
});

describe("the app's files", () => {
  it("sends the build's brotli or gzip copy the browser accepts, else the file itself", async () => {
    const dist = (path: string) => readFileSync(new URL(`../dist/app/${path}`, import.meta.url));
    const script = /src="\/(assets\/index-[^"]+\.js)"/.exec(dist('index.html').toString())?.[1];
    if (!script) throw new Error('the built index.html names no script');
    const get = (url: string, acceptEncoding?: string) =>
      app.inject({
        method: 'GET',
        url,
        headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
      });
    const br = await get(`/${script}`, 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).equals(dist(script))).toBe(true);
    // The copy is much smaller: what the browser downloads.
    expect(br.rawPayload.length).toBeLessThan(dist(script).length / 2);
    const gzip = await get('/', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).equals(dist('index.html'))).toBe(true);
    const plain = await get(`/${script}`, 'br;q=0, identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(dist(script))).toBe(true);
  });

  it('reads Accept-Encoding as HTTP does: preference br, then gzip; q=0 refuses one', () => {
    const all = () => true;
    expect(encodedFile('/a.js', 'gzip, br', all)).toEqual({ path: '/a.js.br', encoding: 'br' });
    expect(encodedFile('/a.js', 'br;q=0, gzip;q=0.5', all)).toEqual({ path: '/a.js.gz', encoding: 'gzip' });
    expect(encodedFile('/a.js', 'BR', all)).toEqual({ path: '/a.js.br', encoding: 'br' });
    expect(encodedFile('/a.js', undefined, all)).toEqual({ path: '/a.js' });
    expect(encodedFile('/a.woff2', 'br, gzip', (p) => !p.endsWith('.br'))).toEqual({
      path: '/a.woff2.gz',
      encoding: 'gzip',
    });
    expect(encodedFile('/a.woff2', 'br', () => false)).toEqual({ path: '/a.woff2' });
  });
});
