import { KUBERNETES_RELEASE_LABEL } from '@immutable-infra/core';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { createCapiCluster } from './cluster-fixtures.ts';
import { grant, grantRules } from './rbac.ts';
import { signIn } from './session.ts';
import { TEST_USERS } from './users.ts';

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let app: FastifyInstance;
let ns: string;

const get = (group: string, plural: string, name: string) =>
  kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group,
    version: 'v1beta2',
    namespace: ns,
    plural,
    name,
  }) as Promise<{ spec: Record<string, never> }>;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'pools');
  await grant(
    kubeConfig,
    'fleet-operators',
    ns,
    ['get', 'list', 'watch', 'patch', 'delete'],
    'pools-operator',
  );
  await grant(kubeConfig, 'fleet-viewers', ns, ['get', 'list', 'watch'], 'pools-viewer');
  await createCapiCluster(kubeConfig, ns, 'alpha', {
    version: 'v1.34.2',
    controlPlane: [3, 3],
    workers: [2, 2],
    phase: 'Provisioned',
  });
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const [name, labels] of [
    ['alpha-cp-1', { 'cluster.x-k8s.io/control-plane-name': 'alpha-cp' }],
    ['alpha-w-1', { 'cluster.x-k8s.io/deployment-name': 'alpha-workers' }],
    ['alpha-w-2', { 'cluster.x-k8s.io/deployment-name': 'alpha-workers' }],
  ] as const) {
    await objects.create({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata: { name, namespace: ns, labels: { 'cluster.x-k8s.io/cluster-name': 'alpha', ...labels } },
      spec: {
        clusterName: 'alpha',
        version: 'v1.34.2',
        bootstrap: { dataSecretName: 'unused' },
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSMachine', name },
      },
    } as never);
  }
  server = await createFleetServer({ kubeConfig });
  app = server.app;
});

afterAll(async () => {
  await server?.close();
});

describe('node pools: version, template, delete, and the upgrade preview', () => {
  it('changes a MachineDeployment version and template, and the control plane version, as the user', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const md = await app.inject({
      method: 'PATCH',
      url: `/api/node-pools/${ns}/MachineDeployment/alpha-workers`,
      headers: operator,
      payload: { version: 'v1.35.4', template: 'alpha-w-v2' },
    });
    expect(md.statusCode, md.body).toBe(200);
    const stored = await get('cluster.x-k8s.io', 'machinedeployments', 'alpha-workers');
    expect(stored.spec).toMatchObject({
      replicas: 2,
      template: {
        spec: {
          version: 'v1.35.4',
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DCSMachineTemplate',
            name: 'alpha-w-v2',
          },
        },
      },
    });
    const cp = await app.inject({
      method: 'PATCH',
      url: `/api/node-pools/${ns}/KubeadmControlPlane/alpha-cp`,
      headers: operator,
      payload: { version: 'v1.35.4', template: 'alpha-cp-v2' },
    });
    expect(cp.statusCode, cp.body).toBe(200);
    const kcp = await get('controlplane.cluster.x-k8s.io', 'kubeadmcontrolplanes', 'alpha-cp');
    expect(kcp.spec).toMatchObject({
      version: 'v1.35.4',
      machineTemplate: { spec: { infrastructureRef: { kind: 'DCSMachineTemplate', name: 'alpha-cp-v2' } } },
    });
    // The control plane keeps its three nodes: a resize is named and refused, nothing is written.
    const resize = await app.inject({
      method: 'PATCH',
      url: `/api/node-pools/${ns}/KubeadmControlPlane/alpha-cp`,
      headers: operator,
      payload: { replicas: 5 },
    });
    expect(resize.statusCode).toBe(400);
    expect(resize.json().error).toMatchObject({
      field: 'replicas',
      message: expect.stringMatching(/3 nodes/),
    });
    const unchanged = await get('controlplane.cluster.x-k8s.io', 'kubeadmcontrolplanes', 'alpha-cp');
    expect(unchanged.spec.replicas).toBe(kcp.spec.replicas);
  });

  it('names a bad version or template, and refuses a change the user may not make', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    const url = `/api/node-pools/${ns}/MachineDeployment/alpha-workers`;
    const badVersion = await app.inject({
      method: 'PATCH',
      url,
      headers: operator,
      payload: { version: '1.35' },
    });
    expect(badVersion.json().error).toEqual({ field: 'version', message: 'version must look like v1.35.4' });
    const badTemplate = await app.inject({
      method: 'PATCH',
      url,
      headers: operator,
      payload: { template: 'A B' },
    });
    expect(badTemplate.json().error.field).toBe('template');
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const refused = await app.inject({
      method: 'PATCH',
      url,
      headers: viewer,
      payload: { version: 'v1.35.5' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('cannot patch resource "machinedeployments"');
  });

  it('previews the upgrade from the cached cluster: control plane first, then the workers', async () => {
    const operator = await signIn(app, TEST_USERS.operator.token);
    await eventually('machines cached', async () => {
      const detail = await app.inject({ method: 'GET', url: `/api/clusters/${ns}/alpha`, headers: operator });
      return detail.json().machines?.length === 3 && detail.json().controlPlane?.version === 'v1.35.4'
        ? true
        : undefined;
    });
    const response = await app.inject({
      method: 'POST',
      url: `/api/clusters/${ns}/alpha/upgrade-plan`,
      headers: operator,
      payload: { version: 'v1.35.4', templates: { 'alpha-workers': 'alpha-w-v3' } },
    });
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json();
    expect(plan.problems).toEqual([]);
    // The control plane is already at v1.35.4 with its template, so only the workers roll.
    expect(plan.pools).toHaveLength(1);
    expect(plan.pools[0]).toMatchObject({
      name: 'alpha-workers',
      from: { version: 'v1.35.4', template: 'alpha-w-v2' },
      to: { version: 'v1.35.4', template: 'alpha-w-v3' },
      waves: [
        { create: 1, delete: ['alpha-w-1'] },
        { create: 1, delete: ['alpha-w-2'] },
      ],
    });
  });

  it('deletes a MachineDeployment as the user, and refuses to delete the control plane', async () => {
    const viewer = await signIn(app, TEST_USERS.viewer.token);
    const refused = await app.inject({
      method: 'DELETE',
      url: `/api/node-pools/${ns}/MachineDeployment/alpha-workers`,
      headers: viewer,
    });
    expect(refused.statusCode).toBe(403);
    const operator = await signIn(app, TEST_USERS.operator.token);
    const cp = await app.inject({
      method: 'DELETE',
      url: `/api/node-pools/${ns}/KubeadmControlPlane/alpha-cp`,
      headers: operator,
    });
    expect(cp.statusCode).toBe(400);
    expect(cp.json().error.field).toBe('kind');
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/node-pools/${ns}/MachineDeployment/alpha-workers`,
      headers: operator,
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    await expect(get('cluster.x-k8s.io', 'machinedeployments', 'alpha-workers')).rejects.toThrow();
  });
  it("sets the control plane's CoreDNS and etcd tags from the provider's release data for the new build", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    // As the Helm chart installs it (release-data/kubernetes-releases.yaml of a provider).
    await objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: '440-dcs-vm-template',
        namespace: ns,
        labels: { [KUBERNETES_RELEASE_LABEL]: 'dcs', 'cpaas.io/kubernetes-version': 'v1.35' },
      },
      data: { kubernetesVersion: 'v1.35.6-acp.1', corednsTag: '1.14.3-v4.4.6', etcdTag: 'v3.6.13-acp.0' },
    } as never);
    const operator = await signIn(app, TEST_USERS.operator.token);
    const url = `/api/node-pools/${ns}/KubeadmControlPlane/alpha-cp`;
    // Without the right to list ConfigMaps the version still changes; the answer says why the tags did not.
    const unread = await app.inject({
      method: 'PATCH',
      url,
      headers: operator,
      payload: { version: 'v1.35.6-acp.1' },
    });
    expect(unread.statusCode, unread.body).toBe(200);
    expect(unread.json()).toMatchObject({ componentTags: null });
    expect(unread.json().componentTagsSource).toMatch(/not readable/);
    await grantRules(
      kubeConfig,
      'fleet-operators',
      ns,
      [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
      'pools-operator-releases',
    );
    await eventually('the release ConfigMap is read and its tags written', async () => {
      const patched = await app.inject({
        method: 'PATCH',
        url,
        headers: operator,
        payload: { version: 'v1.35.6-acp.1' },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({
        version: 'v1.35.6-acp.1',
        componentTags: { corednsTag: '1.14.3-v4.4.6', etcdTag: 'v3.6.13-acp.0' },
        componentTagsSource: `ConfigMap ${ns}/440-dcs-vm-template`,
      });
      return true;
    });
    const kcp = (await get(
      'controlplane.cluster.x-k8s.io',
      'kubeadmcontrolplanes',
      'alpha-cp',
    )) as unknown as {
      spec: { version: string; kubeadmConfigSpec: { clusterConfiguration: Record<string, unknown> } };
    };
    expect(kcp.spec.version).toBe('v1.35.6-acp.1');
    expect(kcp.spec.kubeadmConfigSpec.clusterConfiguration).toMatchObject({
      dns: { imageTag: '1.14.3-v4.4.6' },
      etcd: { local: { imageTag: 'v3.6.13-acp.0' } },
    });
    // A build no release ships keeps the tags it has, and says so.
    const unknown = await app.inject({
      method: 'PATCH',
      url,
      headers: operator,
      payload: { version: 'v1.35.7' },
    });
    expect(unknown.json()).toMatchObject({ componentTags: null });
    expect(unknown.json().componentTagsSource).toBe(`no release ConfigMap in ${ns} ships v1.35.7`);
    const kept = (await get(
      'controlplane.cluster.x-k8s.io',
      'kubeadmcontrolplanes',
      'alpha-cp',
    )) as unknown as typeof kcp;
    expect(kept.spec.kubeadmConfigSpec.clusterConfiguration).toMatchObject({
      dns: { imageTag: '1.14.3-v4.4.6' },
    });
  });
});
