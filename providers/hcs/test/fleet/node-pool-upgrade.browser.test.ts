import type { KubernetesManifest } from '@immutable-infra/core';
import { toV1Beta2 } from '@immutable-infra/ui-kit';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initialDraft } from '../../src/ui/cluster-create/draft.js';
import type { HcsClusterFacts } from '../../src/ui/cluster-create/facts.js';
import { buildManifests } from '../../src/ui/cluster-create/manifests.js';
import { type HcsFleetLab, INFRA, startHcsFleetLab } from './fleet-host.js';

// The HCS node pool upgrade (docs/en/upgrade-cluster/huawei-cloud-stack.mdx) through the real
// Fleet Essentials host, in chromium, against hcs-sim: the Node Pools tab, the control plane's
// Upgrade (the next release a release ConfigMap ships, with its CoreDNS and etcd tags, and an
// image the project has in IMS), then the worker pool's. What is proven is what the action writes,
// so no Cluster API controller runs: the cluster is the create workflow's objects created
// directly, and where a rollout would finish the test writes the status the controller would.
// axe-core checks each panel.

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of the objects written.
type Loose = Record<string, any>;

const CAPI_GROUPS = ['cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io', 'bootstrap.cluster.x-k8s.io'];
// hcs-sim's default images: the cluster runs the first, the next release ships the second.
const FROM_IMAGE = 'microos-k8s-1.33.4';
const TO_IMAGE = 'microos-k8s-1.34.1';
const COREDNS_134 = '1.12.1-v4.2.5';
const ETCD_134 = 'v3.5.21-250601';

let lab: HcsFleetLab;
let page: Page;

const custom = () => lab.kubeConfig.makeApiClient(CustomObjectsApi);
const groupOf = (kind: string) =>
  kind.startsWith('HCS')
    ? INFRA
    : kind === 'KubeadmControlPlane'
      ? 'controlplane.cluster.x-k8s.io'
      : kind === 'KubeadmConfigTemplate'
        ? 'bootstrap.cluster.x-k8s.io'
        : 'cluster.x-k8s.io';
/** An object of the namespace, read with the admin kubeconfig (v1beta2 for Cluster API's kinds). */
const read = (kind: string, name: string): Promise<Loose> =>
  custom().getNamespacedCustomObject({
    group: groupOf(kind),
    version: kind.startsWith('HCS') ? 'v1beta1' : 'v1beta2',
    namespace: lab.ns,
    plural: `${kind.toLowerCase()}s`,
    name,
  });

/** The create workflow's objects of a cluster `lab` at v1.33.4: control plane of 3, one worker pool of 2. */
function clusterManifests(ns: string): KubernetesManifest[] {
  const draft = initialDraft();
  Object.assign(draft, {
    credential: 'hcs-lab',
    name: 'lab',
    kubernetesVersion: 'v1.33.4',
    vpc: 'cluster-vpc',
    subnets: ['control-plane'],
    securityGroup: 'cluster-sg',
    vipSubnetName: 'control-plane',
    vipAddress: '192.168.10.100',
    networking: { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' },
  });
  draft.controlPlane.machineTemplate = 'lab-cp';
  draft.workers = [
    { ...draft.workers[0], name: 'lab-worker-1', machineTemplate: 'lab-worker', replicas: 2 },
  ] as typeof draft.workers;
  const machineSpec = (pool: string) =>
    ({
      imageName: FROM_IMAGE,
      flavorName: 's6.xlarge.2',
      availabilityZone: 'az1',
      rootVolume: { type: 'SSD', size: 100 },
      configPoolRef: { name: pool },
    }) as HcsClusterFacts['machineTemplates'][number]['machineSpec'];
  const facts: HcsClusterFacts = {
    namespace: ns,
    credentials: { 'hcs-lab': ['accessKey', 'secretKey', 'projectID', 'region', 'externalGlobalDomain'] },
    machineTemplates: [
      { name: 'lab-cp', labels: {}, machineSpec: machineSpec('lab-cp-pool'), configPool: 'lab-cp-pool' },
      {
        name: 'lab-worker',
        labels: {},
        machineSpec: machineSpec('lab-worker-pool'),
        configPool: 'lab-worker-pool',
      },
    ],
    configPools: [],
    platform: undefined,
    existing: [],
    globalCluster: { 'cpaas.io/kube-ovn-version': 'v1.14.2' },
    capiVersion: 'v1beta2',
  };
  return buildManifests(draft, facts).map(toV1Beta2);
}

/** A release ConfigMap as release-data/kubernetes-releases.yaml ships them. */
function releaseConfigMap(name: string, data: Record<string, string>) {
  return {
    metadata: { name, labels: { 'immutable-infra.io/kubernetes-release': 'hcs' } },
    data,
  };
}

/** Writes the status a finished rollout leaves: every machine ready and up to date at the spec's version. */
async function rolledOut(kind: 'KubeadmControlPlane' | 'MachineDeployment', name: string): Promise<void> {
  const object = await read(kind, name);
  const replicas = object.spec.replicas as number;
  const version = kind === 'KubeadmControlPlane' ? object.spec.version : object.spec.template.spec.version;
  await custom().patchNamespacedCustomObjectStatus(
    {
      group: groupOf(kind),
      version: 'v1beta2',
      namespace: lab.ns,
      plural: `${kind.toLowerCase()}s`,
      name,
      body: {
        status: {
          observedGeneration: object.metadata.generation,
          replicas,
          readyReplicas: replicas,
          upToDateReplicas: replicas,
          availableReplicas: replicas,
          ...(kind === 'KubeadmControlPlane' ? { version } : { phase: 'Running' }),
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

beforeAll(async () => {
  lab = await startHcsFleetLab('hcs-upgrade', [
    { apiGroups: CAPI_GROUPS, resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
  ]);
  page = lab.page;
  const core = lab.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({
    namespace: lab.ns,
    body: {
      metadata: { name: 'hcs-lab' },
      stringData: {
        accessKey: lab.sim.accessKey,
        secretKey: lab.sim.secretKey,
        projectID: lab.sim.projectId,
        region: lab.sim.region,
        externalGlobalDomain: lab.domain,
        schema: 'http',
        allowPlainHTTP: 'true',
      },
    },
  });
  for (const body of [
    releaseConfigMap('hcs-kubernetes-release-a', {
      kubernetesVersion: 'v1.33.4',
      corednsTag: '1.11.3-v4.1.2',
      etcdTag: 'v3.5.16-250101',
      machineImage: FROM_IMAGE,
    }),
    releaseConfigMap('hcs-kubernetes-release-b', {
      kubernetesVersion: 'v1.34.1',
      corednsTag: COREDNS_134,
      etcdTag: ETCD_134,
      machineImage: TO_IMAGE,
    }),
  ])
    await core.createNamespacedConfigMap({ namespace: lab.ns, body });
  for (const manifest of clusterManifests(lab.ns)) {
    const [group, version] = manifest.apiVersion.split('/') as [string, string];
    await custom().createNamespacedCustomObject({
      group,
      version,
      namespace: lab.ns,
      plural: `${manifest.kind.toLowerCase()}s`,
      body: manifest,
    });
  }
  // Cluster API's controllers do not run: the pools report what theirs would once the cluster is up.
  await rolledOut('KubeadmControlPlane', 'lab');
  await rolledOut('MachineDeployment', 'lab-worker-1');
}, 300_000);

afterAll(async () => {
  await lab?.close();
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && lab)
    await lab
      .shot(`upgrade-failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`)
      .catch(() => undefined);
});

const action = (pool: string) =>
  page.locator(`[data-extension="hcs.node-pool.upgrade"]:has([data-current="${pool}"])`);
const control = (pool: string, name: string) => action(pool).locator(`[data-field="${name}"]`);
const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
const problems = (pool: string) => action(pool).locator(`[data-problems="${pool}"] li`).allTextContents();
const changes = (pool: string) => action(pool).locator(`[data-changes="${pool}"] li`).allTextContents();
const confirm = (pool: string) => action(pool).locator('[data-action="confirm"]');
async function problemOf(pool: string, name: string): Promise<string> {
  const slot = page.locator(`[id="${await control(pool, name).getAttribute('aria-describedby')}"]`);
  await expect.poll(async () => (await slot.textContent()) ?? '').not.toBe('');
  return (await slot.textContent()) ?? '';
}

/** Opens the pool's Upgrade afresh (an open one closed first, so it reads the objects again). */
async function openUpgrade(pool: string): Promise<void> {
  if (await action(pool).count()) await action(pool).locator('[data-action="close"]').click();
  await page.locator(`tr[data-pool="${pool}"]`).getByRole('button', { name: 'Upgrade' }).click();
  await page.waitForFunction((name) => {
    const target = document.querySelector(`[data-target="${name}"]`)?.textContent;
    return target !== undefined && target !== null && target !== '…';
  }, pool);
}

describe('HCS upgrade through the Node Pools tab of the real host', () => {
  it('shows the worker pool Upgrade unavailable: the control plane goes first', async () => {
    await page.goto(`${lab.url}/#/clusters/${lab.ns}/lab`);
    await page.getByRole('tab', { name: 'Node Pools' }).click();
    await openUpgrade('lab-worker-1');
    expect(await text('[data-current="lab-worker-1"]')).toBe('v1.33.4');
    expect(await problems('lab-worker-1')).toEqual(['Upgrade the Control Plane Node Pool first']);
    expect(await confirm('lab-worker-1').isDisabled()).toBe(true);
    // The images come from the project in IMS; the pool's own is chosen.
    expect(await control('lab-worker-1', 'imageName').locator('option').allTextContents()).toEqual([
      '— choose —',
      FROM_IMAGE,
      TO_IMAGE,
    ]);
    expect(await control('lab-worker-1', 'imageName').inputValue()).toBe(FROM_IMAGE);
    await lab.expectAccessible('the worker pool upgrade');
    await action('lab-worker-1').locator('[data-action="close"]').click();
  });

  it('offers the next release with its image and tags, and names a version no release ships', async () => {
    await openUpgrade('lab');
    expect(await text('[data-current="lab"]')).toBe('v1.33.4');
    expect(await control('lab', 'kubernetesVersion').inputValue()).toBe('v1.34.1');
    expect(await control('lab', 'imageName').inputValue()).toBe(TO_IMAGE);
    expect(await changes('lab')).toEqual([
      'version v1.34.1',
      `machine template lab-control-plane-v1-34-1 (image ${TO_IMAGE})`,
      `CoreDNS ${COREDNS_134}`,
      `etcd ${ETCD_134}`,
    ]);
    await lab.expectAccessible('the control plane upgrade');
    await lab.shot('upgrade-control-plane');
    await control('lab', 'kubernetesVersion').fill('v1.34.9');
    expect(await problemOf('lab', 'kubernetesVersion')).toBe(
      `no release ConfigMap in ${lab.ns} ships v1.34.9 (its CoreDNS and etcd tags); offered: v1.34.1`,
    );
    expect(await confirm('lab').isDisabled()).toBe(true);
    await lab.expectAccessible('the control plane upgrade with a problem');
    await control('lab', 'kubernetesVersion').fill('v1.34.1');
    expect(await confirm('lab').isEnabled()).toBe(true);
  });

  it('upgrades the control plane in one edit and keeps the old template as it was', async () => {
    const before = await read('HCSMachineTemplate', 'lab-control-plane');
    await confirm('lab').click();
    await action('lab').locator('[data-progress="lab"]:has-text("v1.34.1")').waitFor();
    expect(await text('[data-failure="lab"]')).toBe('');
    const kcp = await read('KubeadmControlPlane', 'lab');
    expect(kcp.spec.version).toBe('v1.34.1');
    const cc = kcp.spec.kubeadmConfigSpec.clusterConfiguration;
    expect([cc.dns.imageTag, cc.etcd.local.imageTag]).toEqual([COREDNS_134, ETCD_134]);
    expect(kcp.spec.machineTemplate.spec.infrastructureRef.name).toBe('lab-control-plane-v1-34-1');
    const created = await read('HCSMachineTemplate', 'lab-control-plane-v1-34-1');
    expect(created.spec.template.spec.imageName).toBe(TO_IMAGE);
    expect(created.metadata.annotations['infrastructure.cluster.x-k8s.io/hcs-revision-of']).toBe(
      'lab-control-plane',
    );
    expect({ ...created.spec.template.spec, imageName: undefined }).toEqual({
      ...before.spec.template.spec,
      imageName: undefined,
    });
    const after = await read('HCSMachineTemplate', 'lab-control-plane');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('upgrades the worker pool once the control plane reports upgraded: its version and image', async () => {
    await openUpgrade('lab-worker-1');
    expect(await problems('lab-worker-1')).toEqual([
      'Wait for the Control Plane Node Pool upgrade to complete',
    ]);
    await rolledOut('KubeadmControlPlane', 'lab');
    await action('lab').locator('[data-progress="lab"]:has-text("(done)")').waitFor();
    await openUpgrade('lab-worker-1');
    expect(await problems('lab-worker-1')).toEqual([]);
    expect(await text('[data-target="lab-worker-1"]')).toBe('v1.34.1');
    // The control plane's image is the worker's first choice.
    expect(await control('lab-worker-1', 'imageName').inputValue()).toBe(TO_IMAGE);
    expect(await changes('lab-worker-1')).toEqual([
      'version v1.34.1',
      `machine template lab-worker-1-template-v1-34-1 (image ${TO_IMAGE})`,
    ]);
    await lab.expectAccessible('the worker pool upgrade, available');
    await confirm('lab-worker-1').click();
    await action('lab-worker-1').locator('[data-progress="lab-worker-1"]:has-text("v1.34.1")').waitFor();
    const md = await read('MachineDeployment', 'lab-worker-1');
    expect(md.spec.template.spec.version).toBe('v1.34.1');
    expect(md.spec.template.spec.infrastructureRef.name).toBe('lab-worker-1-template-v1-34-1');
    expect(
      (await read('HCSMachineTemplate', 'lab-worker-1-template-v1-34-1')).spec.template.spec.imageName,
    ).toBe(TO_IMAGE);
    await rolledOut('MachineDeployment', 'lab-worker-1');
    await action('lab-worker-1').locator('[data-progress="lab-worker-1"]:has-text("(done)")').waitFor();
    await lab.shot('upgrade-worker-done');
  });

  it('ran without a page error, and no body the host sent carried the secret key', () => {
    expect(lab.pageErrors).toEqual([]);
    expect(lab.sentBodies.filter((body) => body.includes(lab.sim.secretKey))).toEqual([]);
  });
});
