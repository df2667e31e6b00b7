import { createLogger, Manager } from '@immutable-infra/manager';
import {
  CLUSTER_API_VERSION,
  type ControlPlane,
  captureLog,
  eventually,
  startControlPlane,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubeConfig as KubeConfigFile,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createVsphereProvider } from '../../src/provider.js';
import { CLUSTER, VsphereFixtures } from './vsphere-fixtures.js';

// The VSphereCluster controller acting on the Cluster's cpaas.io/kube-ovn-version annotation, as the
// vSphere upgrade documentation has the provider do: the workload cluster's AppRelease
// cpaas-system/cni-kube-ovn follows the annotation and its chart status is reported on
// KubeOvnAppReleaseReady. The workload cluster is a second real kube-apiserver and etcd (the one the
// workload simulator runs for a cluster), with a stand-in AppRelease CRD that the management cluster
// does not have, reached through the cluster's kubeconfig Secret; the test plays the platform's
// AppRelease operator by writing the chart status there.

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONDITION = 'KubeOvnAppReleaseReady';
const APP_RELEASE = {
  group: 'operator.alauda.io',
  version: 'v1alpha1',
  namespace: 'cpaas-system',
  plural: 'appreleases',
  name: 'cni-kube-ovn',
};
const APP_RELEASE_CRD = `appreleases.${APP_RELEASE.group}`;

let kubeConfig: KubeConfig;
let custom: CustomObjectsApi;
let workload: ControlPlane;
let workloadConfig: KubeConfig;
let workloadCustom: CustomObjectsApi;
let vcsim: Vcsim;
let namespace: string;
let fixtures: VsphereFixtures;
let manager: Manager | undefined;
const managerLog = captureLog();

type Condition = { type: string; status: string; reason?: string; message?: string };
type AppRelease = {
  spec: {
    source: { repoURL: string; charts: { name: string; releaseName: string; targetRevision: string }[] };
  };
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  workload = await startControlPlane({ assets: inject('iinfraEnvtestAssets'), name: 'vsphere-workload' });
  workloadConfig = new KubeConfigFile();
  workloadConfig.loadFromFile(workload.kubeconfigPath);
  workloadCustom = workloadConfig.makeApiClient(CustomObjectsApi);
  const core = workloadConfig.makeApiClient(CoreV1Api);
  // The account of the documented credential Secret.
  vcsim = await startVcsim({
    documentedNames: true,
    username: 'svc-capv@example.local',
    password: 'not-a-real-password',
  });
  const crds = workloadConfig.makeApiClient(ApiextensionsV1Api);
  await crds.createCustomResourceDefinition({
    body: {
      metadata: { name: APP_RELEASE_CRD },
      spec: {
        group: APP_RELEASE.group,
        scope: 'Namespaced',
        names: {
          plural: 'appreleases',
          singular: 'apprelease',
          kind: 'AppRelease',
          listKind: 'AppReleaseList',
        },
        versions: [
          {
            name: APP_RELEASE.version,
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
          },
        ],
      },
    },
  });
  await eventually('the AppRelease CRD established', async () =>
    (await crds.readCustomResourceDefinition({ name: APP_RELEASE_CRD })).status?.conditions?.some(
      (c) => c.type === 'Established' && c.status === 'True',
    ),
  );
  await core.createNamespace({ body: { metadata: { name: 'cpaas-system' } } }).catch((error: unknown) => {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  });
  namespace = await createTestNamespace(kubeConfig, 'vsphere-kube-ovn');
  fixtures = new VsphereFixtures(KubernetesObjectApi.makeApiClient(kubeConfig), vcsim, namespace);
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createVsphereProvider({ sessions: { requestTimeoutMs: 5_000 }, listingLagMs: 2_000 })],
    log: createLogger({ level: 'debug', destination: managerLog.destination }),
  });
  void manager.start();
}, 180_000);

afterAll(async () => {
  await manager?.stop();
  await vcsim?.stop();
  await workload?.stop();
}, 120_000);

const clusterRef = () => ({
  group: 'cluster.x-k8s.io',
  version: CLUSTER_API_VERSION.split('/')[1] ?? 'v1beta2',
  namespace,
  plural: 'clusters',
  name: CLUSTER,
});
const annotate = (version: string) =>
  custom.patchNamespacedCustomObject(
    { ...clusterRef(), body: { metadata: { annotations: { 'cpaas.io/kube-ovn-version': version } } } },
    MERGE,
  );
const readRelease = () => workloadCustom.getNamespacedCustomObject(APP_RELEASE) as Promise<AppRelease>;
/** The VSphereCluster is looked at now, not on its recheck (the workload cluster is not watched). */
const nudge = () =>
  custom.patchNamespacedCustomObject(
    {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace,
      plural: 'vsphereclusters',
      name: CLUSTER,
      body: { metadata: { annotations: { 'test/nudge': `${Date.now()}` } } },
    },
    MERGE,
  );

/** Waits until KubeOvnAppReleaseReady has `reason` (and, when given, a message with `saying` in it). */
async function condition(reason: string, saying = ''): Promise<Condition> {
  return eventually(`${CONDITION} ${reason}`, async () => {
    const cluster = await fixtures.read<{ status?: { conditions?: Condition[] } }>('VSphereCluster', CLUSTER);
    const found = cluster?.status?.conditions?.find((c) => c.type === CONDITION);
    if (found?.reason !== reason || !found.message?.includes(saying))
      throw new Error(`the conditions are ${JSON.stringify(cluster?.status?.conditions)}`);
    return found;
  });
}

describe('the Cluster’s Kube-OVN version annotation on vSphere', () => {
  it('creates the workload cluster’s AppRelease for it, reports its chart status, and moves it on a new annotation', async () => {
    await fixtures.createCluster();
    // The documented Cluster's Kube-OVN annotations (the registry one the platform injects) and networks.
    await custom.patchNamespacedCustomObject(
      {
        ...clusterRef(),
        body: {
          metadata: {
            annotations: {
              'cpaas.io/network-type': 'kube-ovn',
              'cpaas.io/kube-ovn-version': 'v4.3.11',
              'cpaas.io/kube-ovn-join-cidr': '100.15.0.0/16',
              'cpaas.io/registry-address': '10.0.0.5:11443',
            },
          },
          spec: {
            clusterNetwork: {
              pods: { cidrBlocks: ['100.13.0.0/16'] },
              services: { cidrBlocks: ['100.14.0.0/16'] },
            },
          },
        },
      },
      MERGE,
    );
    await nudge();
    // No kubeconfig yet: the control plane is not up. The cluster goes on without it.
    expect((await condition('WaitingForWorkloadCluster')).status).toBe('False');

    await kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: `${CLUSTER}-kubeconfig` },
        stringData: { value: workloadConfig.exportConfig() },
      },
    });
    await nudge();
    const created = await eventually('the AppRelease', () => readRelease().catch(() => undefined));
    // In the workload cluster only: the management cluster does not even serve the kind.
    await expect(custom.getNamespacedCustomObject(APP_RELEASE)).rejects.toMatchObject({ code: 404 });
    expect(created.spec.source).toEqual({
      repoURL: '10.0.0.5:11443',
      charts: [
        { name: 'acp/chart-cpaas-kube-ovn', releaseName: 'cpaas-kube-ovn', targetRevision: 'v4.3.11' },
      ],
    });
    await condition('Reconciling');

    await workloadCustom.patchNamespacedCustomObject(
      {
        ...APP_RELEASE,
        body: {
          status: { charts: { 'cpaas-kube-ovn': { installedRevision: 'v4.3.11', phase: 'Success' } } },
        },
      },
      MERGE,
    );
    await nudge();
    expect(await condition('Ready')).toMatchObject({ status: 'True', message: 'Kube-OVN v4.3.11 installed' });
    // The infrastructure cluster's readiness never waited on the network.
    expect(
      (await fixtures.read<{ status?: { ready?: boolean } }>('VSphereCluster', CLUSTER))?.status?.ready,
    ).toBe(true);

    // The upgrade page's step: the annotation moves, the AppRelease follows (v4.4: the renamed chart).
    await annotate('v4.4.0');
    await nudge();
    const moved = await eventually('the AppRelease at v4.4.0', async () => {
      const release = await readRelease();
      return release.spec.source.charts[0]?.targetRevision === 'v4.4.0' ? release : undefined;
    });
    expect(moved.spec.source.charts).toEqual([
      { name: 'acp/chart-kube-ovn', releaseName: 'cpaas-kube-ovn', targetRevision: 'v4.4.0' },
    ]);
    // The next look reads the operator's status, which still has the old revision installed.
    await nudge();
    await condition('Reconciling', 'installed v4.3.11, wanted v4.4.0');
  }, 240_000);
});
