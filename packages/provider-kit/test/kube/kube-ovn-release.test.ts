import type { ConditionInput, KubeClient, ObjectReference } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AppReleaseView,
  KUBE_OVN_UNREACHABLE_RECHECK_MS,
  KUBE_OVN_WAIT_RECHECK_MS,
  type KubeOvnReleaseRun,
  kubeOvnChartFor,
  kubeOvnReleaseStep,
  kubeOvnTarget,
  kubeOvnVerdict,
  type WorkloadApi,
  workloadApiFromKubeconfig,
} from '../../src/index.js';
import { customObjectClient } from './custom-object-client.ts';
import { CLUSTER_SCOPED_KINDS, CLUSTER_STEP_PLURALS } from './test-cluster-kinds.ts';

// The Kube-OVN step against a real kube-apiserver, which here is both the management cluster (the
// kubeconfig Secret) and the workload cluster (cpaas-system/cni-kube-ovn, reached through that
// Secret's kubeconfig as the step reaches a real one). Status is written by the test, as the
// platform's AppRelease operator would.

let kubeConfig: KubeConfig;
let kube: KubeClient;
let namespace: string;
let appReleases: CustomObjectsApi;

const RELEASE = {
  group: 'operator.alauda.io',
  version: 'v1alpha1',
  namespace: 'cpaas-system',
  plural: 'appreleases',
  name: 'cni-kube-ovn',
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const objects = customObjectClient(
    kubeConfig,
    (kind) => CLUSTER_STEP_PLURALS[kind] ?? '',
    CLUSTER_SCOPED_KINDS,
  );
  // The host's client reads Secrets too; the test's custom object client only custom kinds.
  kube = {
    ...objects,
    async get<T>(ref: ObjectReference) {
      if (ref.kind !== 'Secret') return objects.get<T>(ref);
      try {
        return (await core.readNamespacedSecret({ namespace: ref.namespace ?? '', name: ref.name })) as T;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
  };
  namespace = await createTestNamespace(kubeConfig, 'kube-ovn');
  await core.createNamespace({ body: { metadata: { name: 'cpaas-system' } } }).catch((error: unknown) => {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  });
  appReleases = kubeConfig.makeApiClient(CustomObjectsApi);
});

const cluster = (annotations: Record<string, string>) => ({
  metadata: { name: 'lab', annotations },
  spec: {
    clusterNetwork: { pods: { cidrBlocks: ['100.13.0.0/16'] }, services: { cidrBlocks: ['100.14.0.0/16'] } },
  },
});
const documented = (version: string) =>
  cluster({
    'cpaas.io/network-type': 'kube-ovn',
    'cpaas.io/kube-ovn-version': version,
    'cpaas.io/kube-ovn-join-cidr': '100.15.0.0/16',
    'cpaas.io/registry-address': '10.0.0.5:11443',
  });

/** One run of the step for the VSphereCluster-like object `lab`: its conditions and recheck. */
async function runStep(
  clusterObject: ReturnType<typeof cluster>,
  workloadApi?: () => Promise<WorkloadApi | undefined>,
) {
  const conditions: ConditionInput[] = [];
  const run: KubeOvnReleaseRun = {
    ctx: {
      kube,
      object: { metadata: { name: 'lab', namespace } },
      cluster: clusterObject,
      setCondition: (condition) => conditions.push(condition),
    },
  };
  const step = kubeOvnReleaseStep<KubeOvnReleaseRun>(workloadApi ? { workloadApi } : {});
  expect(step.when?.(run)).toBe(true);
  const result = await step.run(run);
  expect(result.type).toBe('done');
  return { condition: conditions.at(-1), recheckAfterMs: run.recheckAfterMs };
}

const readRelease = async () =>
  (await appReleases.getNamespacedCustomObject(RELEASE)) as AppReleaseView & {
    metadata: { resourceVersion: string };
    spec: Record<string, unknown> & { source: { charts: Record<string, string>[]; repoURL: string } };
  };
const writeReleaseStatus = (status: AppReleaseView['status']) =>
  appReleases.patchNamespacedCustomObject(
    { ...RELEASE, body: { status } },
    // The test stands in for the AppRelease operator.
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

async function saveKubeconfigSecret() {
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'lab-kubeconfig' }, stringData: { value: kubeConfig.exportConfig() } },
  });
}

describe('what the Cluster asks of Kube-OVN', () => {
  it('picks the chart by version: the legacy chart before v4.4, the renamed one from v4.4', () => {
    expect(['v4.3.11', 'v1.14.2', 'v4.4.0-rc.1', 'v4.4.0', 'v5.0.1'].map(kubeOvnChartFor)).toEqual([
      'acp/chart-cpaas-kube-ovn',
      'acp/chart-cpaas-kube-ovn',
      'acp/chart-kube-ovn',
      'acp/chart-kube-ovn',
      'acp/chart-kube-ovn',
    ]);
    expect(kubeOvnTarget(documented('latest')).problems).toEqual([
      'metadata.annotations["cpaas.io/kube-ovn-version"] must be a version like v4.3.11, not latest',
    ]);
  });

  it('names every missing field at once', () => {
    expect(
      kubeOvnTarget({ metadata: { annotations: { 'cpaas.io/network-type': 'kube-ovn' } } }).problems,
    ).toEqual([
      'metadata.annotations["cpaas.io/kube-ovn-version"] is empty',
      'metadata.annotations["cpaas.io/registry-address"] is empty',
      'spec.clusterNetwork.pods.cidrBlocks is empty',
      'spec.clusterNetwork.services.cidrBlocks is empty',
    ]);
  });

  it('reads the chart release’s phase and installed revision as the documentation names them', () => {
    const chart = (installedRevision: string, phase: string) => ({
      status: { charts: { 'cpaas-kube-ovn': { installedRevision, phase } } },
    });
    expect(kubeOvnVerdict(chart('v4.3.11', 'Success'), 'v4.3.11').ready).toBe(true);
    expect(kubeOvnVerdict(chart('v4.3.11', 'Success'), 'v4.4.0')).toMatchObject({
      ready: false,
      reason: 'Reconciling',
    });
    expect(kubeOvnVerdict(chart('v4.3.11', 'Upgrading'), 'v4.4.0')).toMatchObject({
      ready: false,
      reason: 'Reconciling',
    });
    for (const failed of ['DownloadFailed', 'DeployFailed', 'NotReady'])
      expect(kubeOvnVerdict(chart('v4.3.11', failed), 'v4.4.0')).toMatchObject({
        ready: false,
        reason: failed,
        severity: 'Warning',
      });
  });
});

describe('the Kube-OVN step on the workload cluster', () => {
  it('waits without failing while the workload cluster has no kubeconfig', async () => {
    const { condition, recheckAfterMs } = await runStep(documented('v4.3.11'));
    expect(condition).toMatchObject({ status: 'False', reason: 'WaitingForWorkloadCluster' });
    expect(recheckAfterMs).toBe(KUBE_OVN_UNREACHABLE_RECHECK_MS);
  });

  it('refuses a Cluster without a registry, naming the annotation, and touches nothing', async () => {
    const { condition, recheckAfterMs } = await runStep(cluster({ 'cpaas.io/kube-ovn-version': 'v4.3.11' }));
    expect(condition).toMatchObject({
      status: 'False',
      reason: 'InvalidConfiguration',
      severity: 'Error',
      message: 'metadata.annotations["cpaas.io/registry-address"] is empty',
    });
    expect(recheckAfterMs).toBeUndefined();
  });

  it('creates the AppRelease for the annotation’s version once, then writes nothing while it says it', async () => {
    await saveKubeconfigSecret();
    const first = await runStep(documented('v4.3.11'));
    expect(first.condition).toMatchObject({ status: 'False', reason: 'Reconciling' });
    expect(first.recheckAfterMs).toBe(KUBE_OVN_WAIT_RECHECK_MS);
    const created = await readRelease();
    expect(created.spec.source).toEqual({
      repoURL: '10.0.0.5:11443',
      charts: [
        { name: 'acp/chart-cpaas-kube-ovn', releaseName: 'cpaas-kube-ovn', targetRevision: 'v4.3.11' },
      ],
    });
    expect(created.spec.values).toEqual({
      global: { registry: { address: '10.0.0.5:11443' } },
      ipv4: { POD_CIDR: '100.13.0.0/16', SVC_CIDR: '100.14.0.0/16', JOIN_CIDR: '100.15.0.0/16' },
    });

    // Again, as after a restart: the look-up finds it and nothing is written.
    const again = await runStep(documented('v4.3.11'));
    expect(again.condition).toMatchObject({ status: 'False', reason: 'Reconciling' });
    expect((await readRelease()).metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    await writeReleaseStatus({
      charts: { 'cpaas-kube-ovn': { installedRevision: 'v4.3.11', phase: 'Success' } },
    });
    const ready = await runStep(documented('v4.3.11'));
    expect(ready.condition).toEqual({
      type: 'KubeOvnAppReleaseReady',
      status: 'True',
      reason: 'Ready',
      message: 'Kube-OVN v4.3.11 installed',
    });
    expect(ready.recheckAfterMs).toBeUndefined();
  });

  it('moves the chart release to a new annotation (v4.4 on the renamed chart), keeping the platform’s values and other charts', async () => {
    // The platform may have added values and charts of its own.
    const stored = await readRelease();
    stored.spec.source.charts = [
      { name: 'acp/chart-extra', releaseName: 'extra', targetRevision: 'v1' },
      ...stored.spec.source.charts,
    ];
    stored.spec.values = { ...(stored.spec.values as object), func: { ENABLE_LB: true } };
    await appReleases.replaceNamespacedCustomObject({ ...RELEASE, body: stored });

    const upgrading = await runStep(documented('v4.4.0'));
    expect(upgrading.condition).toMatchObject({ status: 'False', reason: 'Reconciling' });
    const moved = await readRelease();
    expect(moved.spec.source.charts).toEqual([
      { name: 'acp/chart-extra', releaseName: 'extra', targetRevision: 'v1' },
      { name: 'acp/chart-kube-ovn', releaseName: 'cpaas-kube-ovn', targetRevision: 'v4.4.0' },
    ]);
    expect(moved.spec.values).toMatchObject({ func: { ENABLE_LB: true } });

    // The operator still reports the old revision: in progress, not ready.
    expect((await runStep(documented('v4.4.0'))).condition).toMatchObject({ reason: 'Reconciling' });
    await writeReleaseStatus({
      charts: {
        'cpaas-kube-ovn': { installedRevision: 'v4.3.11', phase: 'DeployFailed', message: 'image pull' },
      },
    });
    expect((await runStep(documented('v4.4.0'))).condition).toMatchObject({
      status: 'False',
      reason: 'DeployFailed',
      severity: 'Warning',
      message: 'AppRelease cpaas-system/cni-kube-ovn: cpaas-kube-ovn DeployFailed for v4.4.0: image pull',
    });
  });

  it('a create that loses to an earlier run (its look-up stale) is not a failure; the next run patches', async () => {
    const real = workloadApiFromKubeconfig(kubeConfig.exportConfig());
    let staleReads = 1;
    const stale: WorkloadApi = {
      server: real.server,
      close: () => real.close(),
      async call(method, path, body) {
        // The first read answers as if a crash had left the create unseen.
        if (method === 'GET' && staleReads-- > 0)
          return { status: 404, body: { kind: 'Status', details: { name: 'cni-kube-ovn' } } as never };
        return real.call(method, path, body);
      },
    };
    const raced = await runStep(documented('v4.4.1'), async () => stale);
    expect(raced.condition).toMatchObject({ status: 'False', reason: 'Reconciling' });
    expect((await readRelease()).spec.source.charts[1]?.targetRevision).toBe('v4.4.0');
    await runStep(documented('v4.4.1'));
    expect((await readRelease()).spec.source.charts[1]?.targetRevision).toBe('v4.4.1');
  });

  it('reports a workload cluster that does not answer, without failing the reconcile', async () => {
    const closed = workloadApiFromKubeconfig(
      kubeConfig.exportConfig().replace(/https:\/\/127\.0\.0\.1:\d+/g, 'https://127.0.0.1:9'),
    );
    const { condition, recheckAfterMs } = await runStep(documented('v4.4.1'), async () => closed);
    expect(condition).toMatchObject({
      status: 'False',
      reason: 'WorkloadClusterUnreachable',
      severity: 'Warning',
    });
    expect(condition?.message).toContain('https://127.0.0.1:9');
    expect(recheckAfterMs).toBe(KUBE_OVN_UNREACHABLE_RECHECK_MS);
  });
});
