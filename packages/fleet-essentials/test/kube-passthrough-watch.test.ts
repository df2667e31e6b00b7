import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { KubeEndpoint } from '../src/server/kube-endpoint.js';
import { refuseSecretsResponse } from '../src/server/kube-passthrough.js';
import { grantRules } from './rbac.ts';
import { type SessionHeaders, signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

// Two Secrets whose values no response may carry, plain or base64.
const VALUES = ['Wq7-first-s3cret-value', 'Pm2-second-s3cret-value'];
const FORMS = VALUES.flatMap((v) => [v, Buffer.from(v).toString('base64')]);

// Every spelling the API server reads as a watch (k8s.io/apimachinery's Convert_Slice_string_To_bool:
// only absent, "0" and "false" in any case are false). timeoutSeconds=1 makes the server end the
// stream after its first events, so a passthrough that forwarded it would answer rather than hang.
const WATCHES = ['watch=1', 'watch=True', 'watch=TRUE', 'watch', 'watch=', 'watch=true'];

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let app: FastifyInstance;
let ns: string;
let operator: SessionHeaders;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'watchsecret');
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const [i, value] of VALUES.entries()) {
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: `cred-${i}` }, stringData: { password: value } },
    });
  }
  await grantRules(
    kubeConfig,
    'fleet-operators',
    ns,
    [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    'watch-operator',
  );
  server = await createFleetServer({ kubeConfig });
  app = server.app;
  operator = await signIn(app, TEST_USERS.operator.token);
});

afterAll(async () => {
  await server?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { ...operator } });

describe('watches of Secrets through /api/kube', () => {
  it('the API server streams for every watch spelling, and lists for watch=false and watch=0', async () => {
    // The premise, from the real server: these spellings are watches, so each must be refused.
    const endpoint = new KubeEndpoint(kubeConfig);
    try {
      for (const spelling of WATCHES) {
        const response = await endpoint.request(
          { kind: 'kubeconfig' },
          { method: 'GET', path: `/api/v1/namespaces/${ns}/secrets?${spelling}&timeoutSeconds=1` },
        );
        // Several JSON documents do not parse as one: the endpoint keeps the text.
        expect(typeof response.body, spelling).toBe('string');
        expect(response.body as string, spelling).toContain(
          Buffer.from(VALUES[0] as string).toString('base64'),
        );
        expect(refuseSecretsResponse(response.body), spelling).toBeDefined();
      }
      for (const spelling of ['watch=false', 'watch=0']) {
        const response = await endpoint.request(
          { kind: 'kubeconfig' },
          { method: 'GET', path: `/api/v1/namespaces/${ns}/secrets?${spelling}` },
        );
        expect((response.body as { kind: string }).kind, spelling).toBe('SecretList');
        expect(refuseSecretsResponse(response.body), spelling).toBeUndefined();
      }
    } finally {
      endpoint.close();
    }
  });

  it('refuses every watch spelling and the /watch/ path, with no byte of either Secret', async () => {
    const urls = [
      ...WATCHES.map((spelling) => `/api/kube/api/v1/namespaces/${ns}/secrets?${spelling}&timeoutSeconds=1`),
      `/api/kube/api/v1/watch/namespaces/${ns}/secrets?timeoutSeconds=1`,
    ];
    for (const url of urls) {
      const response = await get(url);
      for (const form of FORMS) expect(response.body, url).not.toContain(form);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error, url).toEqual({
        message: 'watches are not passed through; poll instead',
        field: 'path',
      });
    }
  });

  it('lists normally for watch=false and watch=0, every value emptied', async () => {
    for (const spelling of ['watch=false', 'watch=0']) {
      const response = await get(`/api/kube/api/v1/namespaces/${ns}/secrets?${spelling}`);
      expect(response.statusCode, spelling).toBe(200);
      const list = response.json() as { kind: string; items: { metadata: { name: string }; data: object }[] };
      expect(list.kind).toBe('SecretList');
      expect(list.items.map((s) => [s.metadata.name, s.data])).toEqual([
        ['cred-0', { password: '' }],
        ['cred-1', { password: '' }],
      ]);
      for (const form of FORMS) expect(response.body, spelling).not.toContain(form);
    }
  });
});
