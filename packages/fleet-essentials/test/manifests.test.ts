import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { grantRules } from './rbac.ts';
import { signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let app: FastifyInstance;
let ns: string;

const exampleCluster = (name: string, port: number) => ({
  apiVersion: 'infrastructure.example.com/v1alpha1',
  kind: 'ExampleCluster',
  metadata: { name },
  spec: { credentialRef: { name: 'cred' }, controlPlaneEndpoint: { host: '10.0.0.10', port } },
});

const machineTemplate = (name: string, cpus: number) => ({
  apiVersion: 'infrastructure.example.com/v1alpha1',
  kind: 'ExampleMachineTemplate',
  metadata: { name },
  spec: { template: { spec: { image: 'ubuntu', cpus, memoryMiB: 4096 } } },
});

const capiCluster = (name: string) => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'Cluster',
  metadata: { name, labels: { 'cluster.x-k8s.io/cluster-name': name } },
  spec: {
    infrastructureRef: { apiGroup: 'infrastructure.example.com', kind: 'ExampleCluster', name },
  },
});

async function exists(group: string, plural: string, name: string): Promise<boolean> {
  try {
    await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group,
      version: group === 'cluster.x-k8s.io' ? 'v1beta2' : 'v1alpha1',
      namespace: ns,
      plural,
      name,
    });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'apply');
  const rules = [
    { apiGroups: ['cluster.x-k8s.io'], resources: ['clusters'], verbs: ['get', 'create'] },
    { apiGroups: ['infrastructure.example.com'], resources: ['*'], verbs: ['get', 'create'] },
  ];
  await grantRules(kubeConfig, 'fleet-operators', ns, rules, 'apply-operator');
  server = await createFleetServer({ kubeConfig });
  app = server.app;
});

afterAll(async () => {
  await server?.close();
});

describe('creating a reviewed list of objects as the user', () => {
  it('checks every object with a dry run first and creates none when any fails, naming object and field', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await app.inject({
      method: 'POST',
      url: '/api/manifests',
      headers: operator,
      payload: {
        namespace: ns,
        manifests: [
          capiCluster('one'),
          exampleCluster('one', 0),
          machineTemplate('one-md', 0),
          {
            apiVersion: 'infrastructure.example.com/v1alpha1',
            kind: 'ExampleWidget',
            metadata: { name: 'w' },
          },
        ],
      },
    });
    expect(response.statusCode, response.body).toBe(422);
    const report = response.json();
    expect(report.phase).toBe('dry-run');
    expect(report.objects.map((o: { status: string }) => o.status)).toEqual([
      'valid',
      'invalid',
      'invalid',
      'invalid',
    ]);
    // A CEL rule of the CRD, and an OpenAPI minimum, each with the field the API server named.
    expect(report.objects[1]).toMatchObject({
      kind: 'ExampleCluster',
      name: 'one',
      namespace: ns,
      causes: [
        {
          field: 'spec.controlPlaneEndpoint.port',
          message: expect.stringContaining('port must be from 1 to 65535'),
        },
      ],
    });
    expect(report.objects[2].causes).toEqual([
      {
        field: 'spec.template.spec.cpus',
        message: expect.stringContaining('should be greater than or equal to 1'),
      },
    ]);
    expect(report.objects[3].message).toBe(
      'the API server does not serve kind ExampleWidget in infrastructure.example.com/v1alpha1',
    );
    expect(await exists('cluster.x-k8s.io', 'clusters', 'one')).toBe(false);
  });

  it('creates every object in order once all pass, and reports each', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const manifests = [exampleCluster('two', 6443), capiCluster('two'), machineTemplate('two-md', 4)];
    const response = await app.inject({
      method: 'POST',
      url: '/api/manifests',
      headers: operator,
      payload: { namespace: ns, manifests },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toEqual({
      phase: 'create',
      ok: true,
      objects: [
        {
          index: 0,
          apiVersion: 'infrastructure.example.com/v1alpha1',
          kind: 'ExampleCluster',
          name: 'two',
          namespace: ns,
          status: 'created',
        },
        {
          index: 1,
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'Cluster',
          name: 'two',
          namespace: ns,
          status: 'created',
        },
        {
          index: 2,
          apiVersion: 'infrastructure.example.com/v1alpha1',
          kind: 'ExampleMachineTemplate',
          name: 'two-md',
          namespace: ns,
          status: 'created',
        },
      ],
    });
    expect(await exists('infrastructure.example.com', 'exampleclusters', 'two')).toBe(true);
    expect(await exists('cluster.x-k8s.io', 'clusters', 'two')).toBe(true);
    // The same list again: the dry run says what already exists, and nothing changes.
    const again = await app.inject({
      method: 'POST',
      url: '/api/manifests',
      headers: operator,
      payload: { namespace: ns, manifests },
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().objects[0].message).toContain('already exists');
  });

  it('lets RBAC decide: a user who may not create gets the refusal and nothing is created', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const response = await app.inject({
      method: 'POST',
      url: '/api/manifests',
      headers: viewer,
      payload: { namespace: ns, manifests: [exampleCluster('three', 6443), capiCluster('three')] },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().objects[0].message).toContain(
      'User "victor" cannot create resource "exampleclusters"',
    );
    expect(await exists('infrastructure.example.com', 'exampleclusters', 'three')).toBe(false);
  });

  it('names every malformed object before asking the API server', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const response = await app.inject({
      method: 'POST',
      url: '/api/manifests',
      headers: operator,
      payload: { namespace: ns, manifests: [{ kind: 'Cluster', metadata: { name: 'Bad_Name' } }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      field: 'manifests',
      message:
        'manifests[0].apiVersion is required; manifests[0].metadata.name must be a lower-case DNS name',
    });
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/manifests',
      headers: { cookie: operator.cookie },
      payload: { namespace: ns, manifests: [capiCluster('x')] },
    });
    expect(noCsrf.statusCode).toBe(403);
  });
});
