import { fileURLToPath } from 'node:url';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { type ExamplePlatform, startExamplePlatform } from './example-platform.ts';
import { grantRules } from './rbac.ts';
import { type SessionHeaders, signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

// The value no response may ever carry, in any form.
const PASSWORD = 'Zq81x-pl4tform-s3cret';
const FORMS = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), encodeURIComponent(PASSWORD)];
const EXTENSION = '@example/provider-full';

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let app: FastifyInstance;
let platform: ExamplePlatform;
let ns: string;
const bodies: string[] = [];

async function as(
  who: SessionHeaders,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const response = await app.inject({
    method,
    url,
    headers: { ...who },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  bodies.push(response.body);
  return response;
}

const platformCall = (who: SessionHeaders, operation: string, secret = 'example-cred', params?: unknown) =>
  as(who, 'POST', '/api/platform', {
    extension: EXTENSION,
    credential: { namespace: ns, name: secret },
    operation,
    ...(params ? { params } : {}),
  });

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'hostapi');
  platform = await startExamplePlatform({ admin: PASSWORD });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const credential = (name: string, password: string, annotations?: Record<string, string>) =>
    core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: {
          name,
          labels: { 'example.com/credential': 'true' },
          ...(annotations ? { annotations } : {}),
        },
        stringData: { endpoint: platform.url, username: 'admin', password },
      },
    });
  await credential('example-cred', PASSWORD, {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
      stringData: { password: PASSWORD },
    }),
  });
  await credential('wrong-cred', 'not-the-password');
  // The operator may read and write Secrets here; the viewer may not touch them.
  await grantRules(
    kubeConfig,
    'fleet-operators',
    ns,
    [{ apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list', 'create', 'patch'] }],
    'hostapi-operator',
  );
  await grantRules(
    kubeConfig,
    'fleet-viewers',
    ns,
    [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    'hostapi-viewer',
  );
  server = await createFleetServer({
    kubeConfig,
    extensionPackages: [fileURLToPath(new URL('./fixtures/ext-full/', import.meta.url))],
    platformTimeLimitMs: 500,
  });
  app = server.app;
});

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

describe('HostApi.kubernetes: the API server as the signed-in user', () => {
  it('reads a Secret with every value emptied, keys kept, and the last-applied copy dropped', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await as(operator, 'GET', `/api/kube/api/v1/namespaces/${ns}/secrets/example-cred`);
    expect(response.statusCode, response.body).toBe(200);
    const secret = response.json();
    expect(secret.data).toEqual({ endpoint: '', username: '', password: '' });
    expect(secret.metadata.annotations ?? {}).not.toHaveProperty(
      'kubectl.kubernetes.io/last-applied-configuration',
    );
    expect(secret.metadata.labels).toEqual({ 'example.com/credential': 'true' });
  });

  it('empties the values of every Secret in a list, with label selectors passed through', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await as(
      operator,
      'GET',
      `/api/kube/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent('example.com/credential=true')}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const list = response.json() as { kind: string; items: { metadata: { name: string }; data: object }[] };
    expect(list.kind).toBe('SecretList');
    expect(list.items.map((s) => s.metadata.name).sort()).toEqual(['example-cred', 'wrong-cred']);
    for (const item of list.items) expect(item.data).toEqual({ endpoint: '', username: '', password: '' });
  });

  it('writes a Secret (CSRF required) and answers with its values emptied', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const body = { metadata: { name: 'written' }, stringData: { password: PASSWORD } };
    const noCsrf = await app.inject({
      method: 'POST',
      url: `/api/kube/api/v1/namespaces/${ns}/secrets`,
      headers: { cookie: operator.cookie },
      payload: body,
    });
    expect(noCsrf.statusCode).toBe(403);
    const created = await as(operator, 'POST', `/api/kube/api/v1/namespaces/${ns}/secrets`, body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().data).toEqual({ password: '' });
    const stored = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: ns, name: 'written' });
    expect(Buffer.from(stored.data?.password ?? '', 'base64').toString()).toBe(PASSWORD);
    const patched = await as(operator, 'PATCH', `/api/kube/api/v1/namespaces/${ns}/secrets/written`, {
      metadata: { labels: { touched: 'yes' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().metadata.labels).toEqual({ touched: 'yes' });
    expect(patched.json().data).toEqual({ password: '' });
  });

  it('lets RBAC decide, with the API server own refusal', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const refused = await as(viewer, 'GET', `/api/kube/api/v1/namespaces/${ns}/secrets/example-cred`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('User "victor" cannot get resource "secrets"');
    const allowed = await as(viewer, 'GET', `/api/kube/api/v1/namespaces/${ns}/configmaps`);
    expect(allowed.statusCode).toBe(200);
  });

  it('refuses watches, streams and paths outside the Kubernetes API, naming the path', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    for (const path of [
      `/api/kube/api/v1/namespaces/${ns}/secrets?watch=true`,
      `/api/kube/api/v1/watch/namespaces/${ns}/secrets`,
      `/api/kube/api/v1/namespaces/${ns}/pods/x/exec`,
      '/api/kube/version',
    ]) {
      const response = await as(operator, 'GET', path);
      expect(response.statusCode, path).toBe(400);
      expect(response.json().error.field).toBe('path');
    }
  });
});

describe('HostApi.platform: server-side operations with the stored credential', () => {
  it('runs testConnection with the Secret values, which the platform receives and the browser never sees', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const ok = await platformCall(operator, 'testConnection');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().result).toEqual({ ok: true, message: 'signed in to Example Platform 4.2' });
    expect(platform.seen).toContain(`Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`);
    const wrong = await platformCall(operator, 'testConnection', 'wrong-cred');
    expect(wrong.json().result).toMatchObject({ ok: false, reason: 'LoginFailed' });
    const images = await platformCall(operator, 'listImages');
    expect(images.json().result).toEqual(['ubuntu-24.04-k8s-v1.35.4', 'ubuntu-24.04-k8s-v1.36.0']);
  });

  it('checks a declared operation: a param of the wrong type is refused by name before any platform call; a valid call round-trips', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const calls = platform.seen.length;
    const wrongType = await platformCall(operator, 'findImages', 'example-cred', { prefix: 42 });
    expect(wrongType.statusCode).toBe(422);
    expect(wrongType.json().error).toEqual({
      reason: 'InvalidParams',
      message: 'findImages: params.prefix: expected a non-empty string',
      field: 'params.prefix',
    });
    const both = await platformCall(operator, 'findImages', 'example-cred', { limit: 'two' });
    expect(both.json().error.message).toBe(
      'findImages: params.prefix: expected a non-empty string; params.limit: expected a positive integer',
    );
    expect(platform.seen.length).toBe(calls);

    const found = await platformCall(operator, 'findImages', 'example-cred', {
      prefix: 'ubuntu-24.04-k8s-v1.36',
      limit: 5,
    });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().result).toEqual(['ubuntu-24.04-k8s-v1.36.0']);
    expect(platform.seen.length).toBe(calls + 1);

    const wrongResult = await platformCall(operator, 'findImagesWrongly');
    expect(wrongResult.statusCode).toBe(502);
    expect(wrongResult.json().error).toEqual({
      reason: 'InvalidResult',
      message:
        "@example/provider-full's operation findImagesWrongly returned a result its declaration refuses: result: expected a list of image names",
    });
  });

  it('refuses a user who may not get the Secret, before the operation runs', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const calls = platform.seen.length;
    const refused = await platformCall(viewer, 'testConnection');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ reason: 'Forbidden', field: 'credential' });
    expect(refused.json().error.message).toContain('cannot get resource "secrets"');
    expect(platform.seen.length).toBe(calls);
  });

  it('refuses a result that echoes a credential value, and scrubs one from an error message', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const echoed = await platformCall(operator, 'echoCredential');
    expect(echoed.statusCode).toBe(502);
    expect(echoed.json().error.reason).toBe('CredentialInResult');
    const failed = await platformCall(operator, 'failMentioningPassword');
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error).toEqual({
      reason: 'LoginFailed',
      message: 'login failed with password [redacted]',
    });
  });

  it('ends an operation at the time limit, whether or not it honours its signal', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    for (const operation of ['hang', 'ignoreSignal']) {
      const response = await platformCall(operator, operation);
      expect(response.statusCode, operation).toBe(504);
      expect(response.json().error).toEqual({
        reason: 'Timeout',
        message: 'the operation did not finish in 0.5s',
      });
    }
  });

  it('names what is wrong with a call: unknown operation, extension, credential, or a bad request', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const unknown = await platformCall(operator, 'deleteEverything');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ reason: 'UnknownOperation', field: 'operation' });
    const proto = await platformCall(operator, 'toString');
    expect(proto.json().error.reason).toBe('UnknownOperation');
    const missing = await platformCall(operator, 'testConnection', 'no-such-secret');
    expect(missing.json().error).toMatchObject({ reason: 'CredentialNotFound', field: 'credential' });
    const other = await as(operator, 'POST', '/api/platform', {
      extension: '@example/provider-good',
      credential: { namespace: ns, name: 'example-cred' },
      operation: 'testConnection',
    });
    expect(other.json().error.reason).toBe('NoPlatformProxy');
    const bad = await as(operator, 'POST', '/api/platform', { extension: EXTENSION, credential: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe(
      'credential.namespace must be a namespace name; credential.name must be a Secret name; operation must be an operation name',
    );
  });

  it('never sent a credential value in any response of this file', () => {
    expect(bodies.length).toBeGreaterThan(15);
    for (const body of bodies) for (const form of FORMS) expect(body).not.toContain(form);
  });
});
