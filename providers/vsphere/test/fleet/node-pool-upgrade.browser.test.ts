import type { KubernetesManifest } from '@immutable-infra/core';
import { toV1Beta2 } from '@immutable-infra/ui-kit';
import { DOCUMENTED_TEMPLATE } from '@immutable-infra/vcsim';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initialDraft } from '../../src/ui/cluster-create/draft.js';
import type { VsphereClusterFacts } from '../../src/ui/cluster-create/facts.js';
import { buildManifests } from '../../src/ui/cluster-create/manifests.js';
import { INFRA, startVsphereFleetLab, type VsphereFleetLab } from './fleet-host.js';

// The vSphere node pool upgrade (docs/en/upgrade-cluster/vmware-vsphere.mdx) through the real
// Fleet Essentials host, in chromium, against vcsim with the next release's VM template: the
// Node Pools tab, the control plane's Upgrade (target version, VM template listed by vCenter,
// CoreDNS and etcd tags, Kube-OVN), then the worker pool's. What is proven is what the action
// writes, so no Cluster API controller runs: the cluster is the create workflow's objects at
// v1.34.3 created directly, and where a rollout would finish the test writes the status the
// controller would (said so where it happens).

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of the objects written.
type Loose = Record<string, any>;

const CAPI_GROUPS = ['cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io', 'bootstrap.cluster.x-k8s.io'];
const NEXT_TEMPLATE = 'microos-k8s-template-v1-35';
// vCenter lists a template of the datacenter's VM folder by its path there: its name.
const NEXT_PATH = NEXT_TEMPLATE;
const COREDNS_135 = '1.12.4-v4.4.9';
const ETCD_135 = 'v3.6.5-260301';
const KUBE_OVN_135 = 'v1.15.1';

let lab: VsphereFleetLab;
let page: Page;

const custom = () => lab.kubeConfig.makeApiClient(CustomObjectsApi);
const groupOf = (kind: string) =>
  kind.startsWith('VSphere')
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
    version: kind.startsWith('VSphere') ? 'v1beta1' : 'v1beta2',
    namespace: lab.ns,
    plural: `${kind.toLowerCase()}s`,
    name,
  });

/** The create workflow's objects of a cluster `lab` at v1.34.3: control plane of 3, one worker pool of 2. */
function clusterManifests(ns: string, server: string): KubernetesManifest[] {
  const draft = initialDraft();
  Object.assign(draft, {
    credential: 'vcenter-lab',
    name: 'lab',
    kubernetesVersion: 'v1.34.3',
    apiServerAddress: 'https://10.10.10.100:6443',
    server,
    datacenter: 'dc-a',
    networking: { podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' },
  });
  draft.controlPlane.machineTemplate = 'lab-cp';
  draft.workers = [
    { ...draft.workers[0], name: 'lab-worker-1', machineTemplate: 'lab-worker', replicas: 2 },
  ] as typeof draft.workers;
  const machineSpec = (pool: string) =>
    ({
      datacenter: 'dc-a',
      template: DOCUMENTED_TEMPLATE,
      numCPUs: 4,
      memoryMiB: 8192,
      network: { devices: [{ networkName: 'pg-business' }] },
      machineConfigPoolRef: { name: pool },
    }) as VsphereClusterFacts['machineTemplates'][number]['machineSpec'];
  const facts: VsphereClusterFacts = {
    namespace: ns,
    credentials: { 'vcenter-lab': ['server', 'username', 'password', 'caBundle'] },
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
    existing: [],
    globalCluster: { 'cpaas.io/kube-ovn-version': 'v1.14.2' },
    capiVersion: 'v1beta2',
    vcenter: { datacenters: ['dc-a'] },
  };
  return buildManifests(draft, facts).map(toV1Beta2);
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

function slots(prefix: string, first: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    hostname: `${prefix}-${i + 1}`,
    network: {
      primary: {
        networkName: 'pg-business',
        ip: `10.10.10.${first + i}/24`,
        gateway: '10.10.10.1',
        dns: ['10.10.10.2'],
      },
    },
  }));
}

beforeAll(async () => {
  lab = await startVsphereFleetLab(
    'vsphere-upgrade',
    [{ apiGroups: CAPI_GROUPS, resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'patch'] }],
    { extraTemplates: [NEXT_TEMPLATE] },
  );
  page = lab.page;
  const server = new URL(lab.vcsim.server).host;
  await lab.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: lab.ns,
    body: {
      metadata: { name: 'vcenter-lab' },
      stringData: {
        server,
        username: lab.vcsim.username,
        password: lab.vcsim.password,
        caBundle: lab.vcsim.caCertificate,
      },
    },
  });
  // A slot more than the control plane's replicas: its rollout makes a machine before it deletes one.
  for (const [name, prefix, first, count] of [
    ['lab-cp-pool', 'lab-cp', 11, 4],
    ['lab-worker-pool', 'lab-worker', 21, 2],
  ] as const)
    await custom().createNamespacedCustomObject({
      group: INFRA,
      version: 'v1beta1',
      namespace: lab.ns,
      plural: 'vspheremachineconfigpools',
      body: {
        apiVersion: `${INFRA}/v1beta1`,
        kind: 'VSphereMachineConfigPool',
        metadata: { name },
        spec: { clusterRef: { name: 'lab' }, datacenter: 'dc-a', configs: slots(prefix, first, count) },
      },
    });
  // What the wizard creates, core kinds (the CPI ConfigMaps) included: KubernetesObjectApi finds each kind's path.
  const objects = KubernetesObjectApi.makeApiClient(lab.kubeConfig);
  for (const manifest of clusterManifests(lab.ns, server))
    await objects.create({
      ...manifest,
      metadata: { ...manifest.metadata, namespace: lab.ns },
    } as KubernetesObject);
  // Cluster API's controllers do not run: the pools report what theirs would once the cluster is up.
  await rolledOut('KubeadmControlPlane', 'lab-kcp');
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
  page.locator(`[data-extension="vsphere.node-pool.upgrade"]:has([data-current="${pool}"])`);
const control = (pool: string, name: string) => action(pool).locator(`[data-field="${name}"]`);
const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
const problems = (pool: string) => action(pool).locator(`[data-problems="${pool}"] li`).allTextContents();
const changes = (pool: string) => action(pool).locator(`[data-changes="${pool}"] li`).allTextContents();
const confirm = (pool: string) => action(pool).locator('[data-action="confirm"]');
/** The words in the problem slot a control names in aria-describedby. */
async function problemOf(pool: string, name: string): Promise<string> {
  const slot = page.locator(`[id="${await control(pool, name).getAttribute('aria-describedby')}"]`);
  await expect.poll(async () => (await slot.textContent()) ?? '').not.toBe('');
  return (await slot.textContent()) ?? '';
}

/** Opens the pool's Upgrade afresh (an open one closed first, so it reads the objects again). */
async function openUpgrade(pool: string): Promise<void> {
  if (await action(pool).count()) await action(pool).locator('[data-action="close"]').click();
  await page.locator(`tr[data-pool="${pool}"]`).getByRole('button', { name: 'Upgrade' }).click();
  // Loaded once the target is known (— when there is none) and vCenter's templates are listed.
  await page.waitForFunction((name) => {
    const target = document.querySelector(`[data-target="${name}"]`)?.textContent;
    return target !== undefined && target !== null && target !== '…';
  }, pool);
}

describe('vSphere upgrade through the Node Pools tab of the real host', () => {
  it('shows the worker pool Upgrade unavailable: the control plane goes first', async () => {
    await page.goto(`${lab.url}/#/clusters/${lab.ns}/lab`);
    await page.getByRole('tab', { name: 'Node Pools' }).click();
    await openUpgrade('lab-worker-1');
    expect(await text('[data-current="lab-worker-1"]')).toBe('v1.34.3');
    expect(await text('[data-target="lab-worker-1"]')).toBe('v1.34.3');
    expect(await problems('lab-worker-1')).toEqual(['Upgrade the Control Plane Node Pool first']);
    expect(await confirm('lab-worker-1').isDisabled()).toBe(true);
    // The VM templates come from vCenter; the pool's own is chosen.
    expect(await control('lab-worker-1', 'template').locator('option').allTextContents()).toEqual([
      '— choose —',
      DOCUMENTED_TEMPLATE,
      NEXT_PATH,
    ]);
    expect(await control('lab-worker-1', 'template').inputValue()).toBe(DOCUMENTED_TEMPLATE);
    await lab.shot('upgrade-worker-first');
    await action('lab-worker-1').locator('[data-action="close"]').click();
  });

  it('shows each problem of the control plane’s target at its field, and Confirm unavailable', async () => {
    await openUpgrade('lab-kcp');
    expect(await text('[data-current="lab-kcp"]')).toBe('v1.34.3');
    expect(await control('lab-kcp', 'kubernetesVersion').inputValue()).toBe('v1.34.3');
    expect(await problems('lab-kcp')).toEqual([
      'The pool already runs this Kubernetes version from this VM template',
    ]);
    await control('lab-kcp', 'kubernetesVersion').fill('v1.36.0');
    expect(await problemOf('lab-kcp', 'kubernetesVersion')).toBe(
      'Kubernetes 1.36 is not supported; choose 1.31, 1.32, 1.33, 1.34, 1.35',
    );
    await control('lab-kcp', 'kubernetesVersion').fill('v1.33.9');
    expect(await problemOf('lab-kcp', 'kubernetesVersion')).toBe(
      'v1.33.9 is not an upgrade of v1.34.3: a newer release at most one minor above (Kubernetes upgrades one minor at a time)',
    );
    expect(await problems('lab-kcp')).toEqual([]);
    expect(await confirm('lab-kcp').isDisabled()).toBe(true);
    await lab.shot('upgrade-control-plane-refused');
  });

  it('shows the control plane going to v1.35.4 on the next VM template, with the release’s tags', async () => {
    await control('lab-kcp', 'kubernetesVersion').fill('v1.35.4');
    await control('lab-kcp', 'template').selectOption(NEXT_PATH);
    await control('lab-kcp', 'corednsTag').fill(COREDNS_135);
    await control('lab-kcp', 'etcdTag').fill(ETCD_135);
    await control('lab-kcp', 'kubeOvnVersion').fill(KUBE_OVN_135);
    expect(await text('[data-target="lab-kcp"]')).toBe('v1.35.4');
    expect(await problems('lab-kcp')).toEqual([]);
    expect(await changes('lab-kcp')).toEqual([
      'version v1.35.4',
      `machine template lab-control-plane-v1-35-4 (VM template ${NEXT_PATH})`,
      `CoreDNS ${COREDNS_135}`,
      `etcd ${ETCD_135}`,
      'kubelet configuration of Kubernetes 1.35',
      `Kube-OVN ${KUBE_OVN_135}`,
    ]);
    expect(await confirm('lab-kcp').isEnabled()).toBe(true);
    await lab.shot('upgrade-control-plane');
  });

  it('upgrades the control plane in one edit and keeps the old template as it was', async () => {
    const before = await read('VSphereMachineTemplate', 'lab-control-plane');
    await confirm('lab-kcp').click();
    await action('lab-kcp').locator('[data-progress="lab-kcp"]:has-text("v1.35.4")').waitFor();
    expect(await text('[data-failure="lab-kcp"]')).toBe('');
    const kcp = await read('KubeadmControlPlane', 'lab-kcp');
    expect(kcp.spec.version).toBe('v1.35.4');
    const cc = kcp.spec.kubeadmConfigSpec.clusterConfiguration;
    expect([cc.dns.imageTag, cc.etcd.local.imageTag]).toEqual([COREDNS_135, ETCD_135]);
    expect(kcp.spec.machineTemplate.spec.infrastructureRef.name).toBe('lab-control-plane-v1-35-4');
    const kubelet = kcp.spec.kubeadmConfigSpec.files.find((f: Loose) =>
      f.path.includes('kubeletconfiguration'),
    );
    expect(JSON.parse(kubelet.content).imagePullCredentialsVerificationPolicy).toBe('NeverVerify');
    const created = await read('VSphereMachineTemplate', 'lab-control-plane-v1-35-4');
    expect(created.spec.template.spec.template).toBe(NEXT_PATH);
    expect(created.metadata.annotations['infrastructure.cluster.x-k8s.io/vsphere-revision-of']).toBe(
      'lab-control-plane',
    );
    // Everything else of the machine is the old template's.
    expect({ ...created.spec.template.spec, template: undefined }).toEqual({
      ...before.spec.template.spec,
      template: undefined,
    });
    const after = await read('VSphereMachineTemplate', 'lab-control-plane');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const cluster = await read('Cluster', 'lab');
    expect(cluster.metadata.annotations['cpaas.io/kube-ovn-version']).toBe(KUBE_OVN_135);
    // The controller has not seen the new spec, so nothing is done yet; the choices are fixed.
    expect(await text('[data-progress="lab-kcp"]')).toBe('v1.35.4: 3/3 ready, 3/3 up to date');
    expect(await control('lab-kcp', 'template').isDisabled()).toBe(true);
    await lab.shot('upgrade-control-plane-started');
  });

  it('keeps the worker pool waiting while the control plane rolls out', async () => {
    await openUpgrade('lab-worker-1');
    expect(await problems('lab-worker-1')).toEqual([
      'Wait for the Control Plane Node Pool upgrade to complete',
    ]);
    expect(await confirm('lab-worker-1').isDisabled()).toBe(true);
  });

  it('upgrades the worker pool once the control plane reports upgraded: its version and VM template', async () => {
    // The rollout itself is Cluster API's: the status its controller writes when the last machine is replaced.
    await rolledOut('KubeadmControlPlane', 'lab-kcp');
    await action('lab-kcp').locator('[data-progress="lab-kcp"]:has-text("(done)")').waitFor();
    expect(await text('[data-current="lab-kcp"]')).toBe('v1.35.4');
    const oldBootstrap = await read('KubeadmConfigTemplate', 'lab-worker-1-bootstrap');
    await openUpgrade('lab-worker-1');
    expect(await problems('lab-worker-1')).toEqual([]);
    expect(await text('[data-target="lab-worker-1"]')).toBe('v1.35.4');
    // The control plane's VM template is the worker's first choice.
    expect(await control('lab-worker-1', 'template').inputValue()).toBe(NEXT_PATH);
    expect(await changes('lab-worker-1')).toEqual([
      'version v1.35.4',
      `machine template lab-worker-1-template-v1-35-4 (VM template ${NEXT_PATH})`,
      'new KubeadmConfigTemplate lab-worker-1-bootstrap-v1-35 (kubelet configuration of Kubernetes 1.35)',
    ]);
    await lab.shot('upgrade-worker');
    await confirm('lab-worker-1').click();
    await action('lab-worker-1').locator('[data-progress="lab-worker-1"]:has-text("v1.35.4")').waitFor();
    const md = await read('MachineDeployment', 'lab-worker-1');
    expect(md.spec.template.spec.version).toBe('v1.35.4');
    expect(md.spec.template.spec.infrastructureRef.name).toBe('lab-worker-1-template-v1-35-4');
    expect(md.spec.template.spec.bootstrap.configRef.name).toBe('lab-worker-1-bootstrap-v1-35');
    const template = await read('VSphereMachineTemplate', 'lab-worker-1-template-v1-35-4');
    expect(template.spec.template.spec.template).toBe(NEXT_PATH);
    const bootstrap = await read('KubeadmConfigTemplate', 'lab-worker-1-bootstrap-v1-35');
    const kubelet = bootstrap.spec.template.spec.files.find((f: Loose) =>
      f.path.includes('kubeletconfiguration'),
    );
    expect(JSON.parse(kubelet.content).imagePullCredentialsVerificationPolicy).toBe('NeverVerify');
    // Apart from the kubelet patch, the bootstrap is the old one's, and the old one is kept.
    const others = (spec: Loose) =>
      spec.files.filter((f: Loose) => f !== undefined && !f.path.includes('kubeletconfiguration'));
    expect(others(bootstrap.spec.template.spec)).toEqual(others(oldBootstrap.spec.template.spec));
    expect((await read('KubeadmConfigTemplate', 'lab-worker-1-bootstrap')).metadata.resourceVersion).toBe(
      oldBootstrap.metadata.resourceVersion,
    );
    await rolledOut('MachineDeployment', 'lab-worker-1');
    await action('lab-worker-1').locator('[data-progress="lab-worker-1"]:has-text("(done)")').waitFor();
    expect(await text('[data-progress="lab-worker-1"]')).toBe('v1.35.4: 2/2 ready, 2/2 up to date (done)');
    await lab.shot('upgrade-worker-done');
  });

  it('ran without a page error, and no body the host sent carried the vCenter password', () => {
    expect(lab.pageErrors).toEqual([]);
    expect(lab.sentBodies.filter((body) => body.includes(lab.vcsim.password))).toEqual([]);
  });
});
