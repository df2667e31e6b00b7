import { installCrds, parseCrdManifests } from '@immutable-infra/management-plane';
import {
  ApiException,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, testKubeConfig } from '../src/vitest.js';

const GROUP = 'testkit.immutable-infra.dev';

/** A CRD with a CEL rule, a schema bound and a status subresource. */
const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${GROUP}
spec:
  group: ${GROUP}
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [minReplicas, maxReplicas]
              properties:
                minReplicas: { type: integer, minimum: 0 }
                maxReplicas: { type: integer }
              x-kubernetes-validations:
                - rule: self.minReplicas <= self.maxReplicas
                  message: must be at least minReplicas
                  fieldPath: .maxReplicas
            status:
              type: object
              properties:
                phase: { type: string }
`;

function errorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return `${error.code} ${body?.message ?? ''}`;
  }
  throw error;
}

let kc: KubeConfig;
let custom: CustomObjectsApi;
let namespace: string;

beforeAll(async () => {
  kc = testKubeConfig();
  custom = kc.makeApiClient(CustomObjectsApi);
  namespace = await createTestNamespace(kc, 'apiserver');
  await installCrds(kc, parseCrdManifests(widgetCrd));
});

describe('the real kube-apiserver', () => {
  it('reports the pinned Kubernetes release', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.3[45]\.\d+$/);
    expect(version.gitVersion).not.toBe('v0.0.0-master+$Format:%H$');
  });

  it('rejects an object that breaks a CEL rule, naming the field path', async () => {
    const bad = {
      apiVersion: `${GROUP}/v1`,
      kind: 'Widget',
      metadata: { name: 'inverted' },
      spec: { minReplicas: 5, maxReplicas: 2 },
    };
    const message = await custom
      .createNamespacedCustomObject({ group: GROUP, version: 'v1', namespace, plural: 'widgets', body: bad })
      .then(() => 'accepted', errorMessage);
    expect(message).toContain('422');
    expect(message).toContain('spec.maxReplicas');
    expect(message).toContain('must be at least minReplicas');
  });

  it('rejects an object that breaks the structural schema, naming the field path', async () => {
    const bad = {
      apiVersion: `${GROUP}/v1`,
      kind: 'Widget',
      metadata: { name: 'negative' },
      spec: { minReplicas: -1, maxReplicas: 2 },
    };
    const message = await custom
      .createNamespacedCustomObject({ group: GROUP, version: 'v1', namespace, plural: 'widgets', body: bad })
      .then(() => 'accepted', errorMessage);
    expect(message).toMatch(/spec\.minReplicas: Invalid value: -1/);
  });

  it('keeps status out of spec updates and writes it through the status subresource', async () => {
    const base = { group: GROUP, version: 'v1', namespace, plural: 'widgets' };
    await custom.createNamespacedCustomObject({
      ...base,
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: 'Widget',
        metadata: { name: 'with-status' },
        spec: { minReplicas: 1, maxReplicas: 2 },
        status: { phase: 'IgnoredOnCreate' },
      },
    });
    const created = (await custom.getNamespacedCustomObject({ ...base, name: 'with-status' })) as {
      status?: { phase?: string };
    };
    expect(created.status).toBeUndefined();
    await custom.replaceNamespacedCustomObjectStatus({
      ...base,
      name: 'with-status',
      body: { ...created, status: { phase: 'Ready' } },
    });
    const updated = (await custom.getNamespacedCustomObject({ ...base, name: 'with-status' })) as {
      status?: { phase?: string };
    };
    expect(updated.status?.phase).toBe('Ready');
  });

  it('streams add, update and delete events to a watch', async () => {
    const base = { group: GROUP, version: 'v1', namespace, plural: 'widgets' };
    const events: string[] = [];
    let notify = () => {};
    const watch = new Watch(kc);
    const request = await watch.watch(
      `/apis/${GROUP}/v1/namespaces/${namespace}/widgets`,
      { fieldSelector: 'metadata.name=watched' },
      (type: string, object: KubernetesObject & { spec?: { maxReplicas?: number } }) => {
        events.push(`${type}:${object.spec?.maxReplicas}`);
        notify();
      },
      () => {},
    );
    const until = (count: number) =>
      new Promise<void>((resolve) => {
        notify = () => events.length >= count && resolve();
        notify();
      });
    try {
      await custom.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: `${GROUP}/v1`,
          kind: 'Widget',
          metadata: { name: 'watched' },
          spec: { minReplicas: 1, maxReplicas: 2 },
        },
      });
      await until(1);
      await custom.patchNamespacedCustomObject({
        ...base,
        name: 'watched',
        body: [{ op: 'replace', path: '/spec/maxReplicas', value: 3 }],
      });
      await until(2);
      await custom.deleteNamespacedCustomObject({ ...base, name: 'watched' });
      await until(3);
    } finally {
      request.abort();
    }
    expect(events).toEqual(['ADDED:2', 'MODIFIED:3', 'DELETED:3']);
  });
});

describe('Cluster API CRDs from the pinned module', () => {
  const clusters = (version: string) => ({
    group: 'cluster.x-k8s.io',
    version,
    namespace,
    plural: 'clusters',
  });
  const machines = (version: string) => ({
    group: 'cluster.x-k8s.io',
    version,
    namespace,
    plural: 'machines',
  });

  it('serves Cluster in v1beta2 (storage) and v1beta1', async () => {
    await custom.createNamespacedCustomObject({
      ...clusters('v1beta2'),
      body: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'demo' },
        spec: {
          clusterNetwork: { pods: { cidrBlocks: ['10.244.0.0/16'] } },
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DCSCluster',
            name: 'demo',
          },
        },
      },
    });
    const v1beta1 = (await custom.getNamespacedCustomObject({ ...clusters('v1beta1'), name: 'demo' })) as {
      apiVersion: string;
      metadata: { name: string };
    };
    expect(v1beta1.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(v1beta1.metadata.name).toBe('demo');
  });

  it('creates a Machine through v1beta2 and through v1beta1, each validated by its own schema', async () => {
    await custom.createNamespacedCustomObject({
      ...machines('v1beta2'),
      body: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Machine',
        metadata: { name: 'demo-cp-0' },
        spec: {
          clusterName: 'demo',
          bootstrap: { dataSecretName: 'demo-cp-0-bootstrap' },
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DCSMachine',
            name: 'demo-cp-0',
          },
        },
      },
    });
    await custom.createNamespacedCustomObject({
      ...machines('v1beta1'),
      body: {
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'Machine',
        metadata: { name: 'demo-md-0' },
        spec: {
          clusterName: 'demo',
          bootstrap: { dataSecretName: 'demo-md-0-bootstrap' },
          infrastructureRef: {
            apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
            kind: 'DCSMachine',
            name: 'demo-md-0',
          },
        },
      },
    });
    const list = (await custom.listNamespacedCustomObject(machines('v1beta2'))) as {
      items: { metadata: { name: string } }[];
    };
    expect(list.items.map((m) => m.metadata.name).sort()).toEqual(['demo-cp-0', 'demo-md-0']);

    // v1beta2 requires infrastructureRef.apiGroup; v1beta1 does not know the field.
    const message = await custom
      .createNamespacedCustomObject({
        ...machines('v1beta2'),
        body: {
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'Machine',
          metadata: { name: 'no-group' },
          spec: {
            clusterName: 'demo',
            bootstrap: { dataSecretName: 'x' },
            infrastructureRef: { kind: 'DCSMachine', name: 'x' },
          },
        },
      })
      .then(() => 'accepted', errorMessage);
    expect(message).toMatch(/spec\.infrastructureRef\.apiGroup: Required value/);
  });

  it('has the IPAM, kubeadm bootstrap and kubeadm control plane kinds established', async () => {
    for (const [group, version, plural] of [
      ['ipam.cluster.x-k8s.io', 'v1beta2', 'ipaddressclaims'],
      ['bootstrap.cluster.x-k8s.io', 'v1beta2', 'kubeadmconfigs'],
      ['controlplane.cluster.x-k8s.io', 'v1beta2', 'kubeadmcontrolplanes'],
    ] as const) {
      const list = (await custom.listNamespacedCustomObject({ group, version, namespace, plural })) as {
        items: unknown[];
      };
      expect(list.items).toEqual([]);
    }
  });
});
