import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { parseHealthCheckRequest } from '../src/server/health-checks.js';
import { createCapiCluster, setStatus } from './cluster-fixtures.ts';
import { grant, grantRules } from './rbac.ts';
import { signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let app: FastifyInstance;
let ns: string;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'mhc');
  await grant(kubeConfig, 'fleet-operators', ns, ['get', 'list', 'watch'], 'mhc-operator');
  await createCapiCluster(kubeConfig, ns, 'alpha', {
    version: 'v1.35.4',
    controlPlane: [3, 3],
    workers: [2, 2],
    phase: 'Provisioned',
  });
  server = await createFleetServer({ kubeConfig });
  app = server.app;
});

afterAll(async () => {
  await server?.close();
});

describe('MachineHealthChecks of a cluster, as the user', () => {
  it('names every bad field of the form', () => {
    expect(
      parseHealthCheckRequest({ kind: 'Machine', pool: 'A B', unhealthySeconds: 5, maxUnhealthy: '140%' }),
    ).toEqual({
      problems: [
        { field: 'kind', message: 'kind must be MachineDeployment or KubeadmControlPlane' },
        { field: 'pool', message: 'pool must be the name of a node pool' },
        {
          field: 'unhealthySeconds',
          message: 'unhealthySeconds must be a whole number of seconds from 30 to 86400',
        },
        {
          field: 'maxUnhealthy',
          message: 'maxUnhealthy must be a number of machines or a percentage such as 40%',
        },
      ],
    });
  });

  it('adds a check for a node pool, lists it with its status, and deletes it; RBAC decides each', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const url = `/api/clusters/${ns}/alpha/health-checks`;
    const refused = await app.inject({ method: 'GET', url, headers: { cookie: operator.cookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('cannot list resource "machinehealthchecks"');
    await grantRules(
      kubeConfig,
      'fleet-operators',
      ns,
      [
        {
          apiGroups: ['cluster.x-k8s.io'],
          resources: ['machinehealthchecks'],
          verbs: ['list', 'create', 'delete'],
        },
      ],
      'mhc-editor',
    );
    const bad = await app.inject({
      method: 'POST',
      url,
      headers: operator,
      payload: { kind: 'MachineDeployment', pool: 'alpha-workers', unhealthySeconds: 1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('unhealthySeconds');
    const created = await app.inject({
      method: 'POST',
      url,
      headers: operator,
      payload: {
        kind: 'MachineDeployment',
        pool: 'alpha-workers',
        unhealthySeconds: 300,
        maxUnhealthy: '40%',
      },
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toEqual({ created: 'alpha-workers-health' });
    const stored = (await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: ns,
      plural: 'machinehealthchecks',
      name: 'alpha-workers-health',
    })) as { spec: Record<string, unknown> };
    expect(stored.spec).toEqual({
      clusterName: 'alpha',
      selector: { matchLabels: { 'cluster.x-k8s.io/deployment-name': 'alpha-workers' } },
      checks: {
        nodeStartupTimeoutSeconds: 600,
        unhealthyNodeConditions: [
          { type: 'Ready', status: 'False', timeoutSeconds: 300 },
          { type: 'Ready', status: 'Unknown', timeoutSeconds: 300 },
        ],
      },
      remediation: { triggerIf: { unhealthyLessThanOrEqualTo: '40%' } },
    });
    // Another cluster's check in the same namespace is not this cluster's.
    await KubernetesObjectApi.makeApiClient(kubeConfig).create({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineHealthCheck',
      metadata: { name: 'bravo-health', namespace: ns },
      spec: { clusterName: 'bravo', selector: { matchLabels: { any: 'thing' } } },
    } as never);
    await setStatus(kubeConfig, 'cluster.x-k8s.io', 'machinehealthchecks', ns, 'alpha-workers-health', {
      expectedMachines: 2,
      currentHealthy: 1,
      remediationsAllowed: 0,
      targets: ['alpha-w-1', 'alpha-w-2'],
    });
    const listed = await app.inject({ method: 'GET', url, headers: { cookie: operator.cookie } });
    expect(listed.json().healthChecks).toEqual([
      {
        name: 'alpha-workers-health',
        pool: 'alpha-workers',
        unhealthyNodeConditions: ['Ready=False for 300s', 'Ready=Unknown for 300s'],
        nodeStartupTimeoutSeconds: 600,
        maxUnhealthy: '40%',
        expectedMachines: 2,
        currentHealthy: 1,
        remediationsAllowed: 0,
        targets: ['alpha-w-1', 'alpha-w-2'],
      },
    ]);
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/health-checks/${ns}/alpha-workers-health`,
      headers: operator,
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    const after = await app.inject({ method: 'GET', url, headers: { cookie: operator.cookie } });
    expect(after.json().healthChecks).toEqual([]);
  });
});
