// The documented vSphere CPI delivery (ConfigMaps `<cluster>-vsphere-cpi-config` and
// `-manifests`, Secret `-secret`, ClusterResourceSet `<cluster>-vsphere-cpi`): what the create
// wizard and the clusterctl template write is accepted as it is by the API server with Cluster
// API's CRDs, and the provider makes the Secret (the vCenter account) from the credential.
import { readFileSync } from 'node:fs';
import { createLogger, Manager } from '@immutable-infra/manager';
import { CLUSTER_API_VERSION, clusterApiObjects, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createVsphereProvider } from '../../src/provider.js';
import { initialDraft } from '../../src/ui/cluster-create/draft.js';
import type { VsphereClusterFacts } from '../../src/ui/cluster-create/facts.js';
import { buildManifests } from '../../src/ui/cluster-create/manifests.js';
import { CLUSTER, INFRA, VsphereFixtures } from './vsphere-fixtures.js';

const USERNAME = 'svc-capv@example.local';
const PASSWORD = 'not-a-real-password';
const CPI_KINDS = new Set(['ConfigMap', 'Secret', 'ClusterResourceSet']);

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  vcsim = await startVcsim({ documentedNames: true, username: USERNAME, password: PASSWORD });
});

afterAll(async () => {
  await Promise.all(managers.map((m) => m.stop()));
  await vcsim?.stop();
});

type Loose = KubernetesObject & { spec?: unknown; data?: Record<string, string>; type?: string };

/** A server-side dry run: the object as the API server would store it (defaults added, unknown fields pruned). */
const dryRun = (object: Loose) => objects.create(object, undefined, 'All') as Promise<Loose>;

function expectStoredUnchanged(object: Loose, stored: Loose): void {
  const what = `${object.kind}/${object.metadata?.name}`;
  expect(stored.spec, what).toEqual(object.spec);
  expect(stored.data, what).toEqual(object.data);
  expect(stored.metadata?.labels, what).toEqual(object.metadata?.labels);
}

describe('the documented CPI ClusterResourceSet objects', { timeout: 300_000 }, () => {
  it("from the create wizard and from the clusterctl template are accepted unchanged by the API server with Cluster API's CRDs", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-cpi-dry');
    const facts = {
      namespace,
      credentials: {},
      machineTemplates: [],
      configPools: [],
      existing: [],
      globalCluster: { 'cpaas.io/registry-address': 'registry.lab:5000' },
      capiVersion: 'v1beta2',
      vcenter: { datacenters: ['dc-a'] },
    } as unknown as VsphereClusterFacts;
    const draft = {
      ...initialDraft(),
      name: 'lab',
      credential: 'vcenter-lab',
      kubernetesVersion: 'v1.34.2',
      server: 'vcenter.example.com',
      datacenter: 'dc-a',
    };
    const wizard = (buildManifests(draft, facts) as unknown as Loose[]).filter((o) =>
      CPI_KINDS.has(o.kind ?? ''),
    );
    expect(wizard.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ConfigMap/lab-vsphere-cpi-config',
      'ConfigMap/lab-vsphere-cpi-manifests',
      'ClusterResourceSet/lab-vsphere-cpi',
    ]);
    for (const object of wizard) expectStoredUnchanged(object, await dryRun(object));

    // The shipped template with its variables filled in, as clusterctl generate does.
    const values: Record<string, string> = {
      NAMESPACE: namespace,
      CLUSTER_NAME: 'tpl',
      VSPHERE_SERVER: 'vcenter.example.com',
      CPI_DATACENTERS: 'dc-a,dc-b',
      IMAGE_REGISTRY: 'registry.lab:5000',
      CPI_IMAGE_TAG: 'v1.34.0',
    };
    const text = readFileSync(new URL('../../clusterctl/cluster-template.yaml', import.meta.url), 'utf8');
    const filled = text.replace(
      /\$\{([A-Z0-9_]+)(?:[:=][^}]*)?\}/g,
      (whole, name: string) => values[name] ?? whole,
    );
    const template = parseAllDocuments(filled)
      .map((d) => d.toJSON() as Loose)
      .filter((o) => CPI_KINDS.has(o.kind ?? ''));
    expect(template.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ConfigMap/tpl-vsphere-cpi-config',
      'ConfigMap/tpl-vsphere-cpi-manifests',
      'ClusterResourceSet/tpl-vsphere-cpi',
    ]);
    for (const object of template) expectStoredUnchanged(object, await dryRun(object));
    const conf = JSON.parse(template[0]?.data?.data ?? '{}') as { data: Record<string, string> };
    expect(conf.data['vsphere.conf']).toContain('datacenters = "dc-a,dc-b"');
    expect(conf.data['vsphere.conf']).toContain('insecure-flag = "1"');
    expect(conf.data['vsphere.conf']).not.toContain('[Labels]');
    // No password anywhere in the template: the provider makes the CPI's Secret.
    expect(text).not.toMatch(/PASSWORD/i);
  });

  it("is completed by the provider: the CPI's Secret made from the credential for a Cluster with the CPI label, and a user's own left alone", async () => {
    const host = new URL(vcsim.server).hostname;
    const setUp = async (prefix: string) => {
      const namespace = await createTestNamespace(kubeConfig, prefix);
      const manager = new Manager({
        kubeConfig,
        namespace,
        providers: [createVsphereProvider({ sessions: { requestTimeoutMs: 5_000 } })],
        log: createLogger({ level: 'error' }),
      });
      managers.push(manager);
      void manager.start();
      return { namespace, fixtures: new VsphereFixtures(objects, vcsim, namespace) };
    };
    const labelCluster = async (namespace: string) => {
      await objects.patch(
        {
          apiVersion: CLUSTER_API_VERSION,
          kind: 'Cluster',
          metadata: {
            name: CLUSTER,
            namespace,
            labels: { 'addons.cluster.x-k8s.io/vsphere-cpi': 'enabled' },
          },
        },
        undefined,
        undefined,
        'test',
        undefined,
        PatchStrategy.MergePatch,
      );
      // The VSphereCluster is reconciled again on its own change.
      await objects.patch(
        {
          apiVersion: INFRA,
          kind: 'VSphereCluster',
          metadata: { name: CLUSTER, namespace, annotations: { 'test/nudge': '1' } },
        },
        undefined,
        undefined,
        'test',
        undefined,
        PatchStrategy.MergePatch,
      );
    };
    const secretName = `${CLUSTER}-vsphere-cpi-secret`;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const readSecret = (namespace: string) =>
      core.readNamespacedSecret({ namespace, name: secretName }).catch(() => undefined);

    const ours = await setUp('vs-cpi-made');
    await ours.fixtures.createCluster();
    await eventually('VSphereCluster ready', async () => {
      const c = await ours.fixtures.read<{ status?: { ready?: boolean } }>('VSphereCluster', CLUSTER);
      return c?.status?.ready || undefined;
    });
    // Without the label the provider makes nothing.
    expect(await readSecret(ours.namespace)).toBeUndefined();
    await labelCluster(ours.namespace);
    const made = await eventually('the CPI Secret', () => readSecret(ours.namespace));
    expect(made.type).toBe('addons.cluster.x-k8s.io/resource-set');
    expect(made.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'VSphereCluster', name: CLUSTER }),
    ]);
    const inner = JSON.parse(Buffer.from(made.data?.data ?? '', 'base64').toString()) as Loose & {
      stringData: Record<string, string>;
    };
    expect(inner).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'vsphere-cloud-secret', namespace: 'kube-system' },
      type: 'Opaque',
    });
    // Keyed by vcsim's host alone: a Secret key cannot hold the `:` of host:port (the port is in vsphere.conf).
    expect(inner.stringData).toEqual({ [`${host}.username`]: USERNAME, [`${host}.password`]: PASSWORD });
    // Its Event names the Secret, never the password.
    const events = await core.listNamespacedEvent({ namespace: ours.namespace });
    expect(events.items.some((e) => e.reason === 'CPISecret')).toBe(true);
    expect(events.items.filter((e) => e.message?.includes(PASSWORD))).toEqual([]);

    // A Secret the user applied from the documentation is theirs: the provider does not touch it.
    const theirs = await setUp('vs-cpi-own');
    const own = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: theirs.namespace },
      type: 'addons.cluster.x-k8s.io/resource-set',
      stringData: { data: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: vsphere-cloud-secret\n' },
    };
    await objects.create(own);
    const before = await readSecret(theirs.namespace);
    // The Cluster carries the CPI label from the start, so the reconcile that reports the
    // VSphereCluster ready has run the CPI step with it.
    const capi = clusterApiObjects({
      namespace: theirs.namespace,
      cluster: CLUSTER,
      infrastructureKinds: { cluster: 'VSphereCluster', machine: 'VSphereMachine' },
    });
    await theirs.fixtures.apply(
      theirs.fixtures.documentedObject('Secret', 'demo-cluster-vsphere-credentials') as unknown as Record<
        string,
        unknown
      >,
    );
    const labelled = capi.cluster();
    const cluster = await theirs.fixtures.apply({
      ...labelled,
      metadata: { ...labelled.metadata, labels: { 'addons.cluster.x-k8s.io/vsphere-cpi': 'enabled' } },
    });
    const infra = theirs.fixtures.documentedObject('VSphereCluster', CLUSTER);
    await theirs.fixtures.apply({
      ...infra,
      metadata: { ...infra.metadata, labels: capi.labels, ownerReferences: [capi.ownerReference(cluster)] },
    });
    await eventually('VSphereCluster ready', async () => {
      const c = await theirs.fixtures.read<{ status?: { ready?: boolean } }>('VSphereCluster', CLUSTER);
      return c?.status?.ready || undefined;
    });
    const after = await readSecret(theirs.namespace);
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
  });
});
