import type { KubernetesManifest } from '@immutable-infra/core';
import { toV1Beta2 } from '@immutable-infra/ui-kit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMachineTemplateRecord } from '../../src/ui/catalog/resources.js';
import { buildManifests } from '../../src/ui/wizard/manifests.js';
import { kubernetesRequest } from '../ui/host-api.js';
import { collectionOf, machineTemplate, scenarioDraft, scenarioFacts } from '../ui/wizard-scenario.js';
import {
  type DcsLab,
  type FleetHost,
  type Loose,
  openFleet,
  screenshotFailures,
  startDcsLab,
} from './fleet-host.js';

// The documented web UI upgrade of a DCS cluster (docs/en/upgrade-cluster/huawei-dcs.mdx,
// "Using the Web UI") through the real Fleet Essentials host: the Node Pools tab, the
// control plane's Upgrade, then the workers'. What is proven is what the action writes,
// so no Cluster API controller runs: the cluster's objects are the wizard's manifests
// at v1.34.3 created directly, and where a rollout would finish the test writes the
// status the KubeadmControlPlane controller would (said so where it happens).

const CAPI = '/apis/cluster.x-k8s.io/v1beta2';
const KCP = '/apis/controlplane.cluster.x-k8s.io/v1beta2';
const BOOTSTRAP = '/apis/bootstrap.cluster.x-k8s.io/v1beta2';
const INFRA = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';
// The v1.35 release as its version ConfigMap gives it, with tags unlike v1.34's so the test tells them apart.
const COREDNS_135 = '1.12.4-v4.4.9';
const ETCD_135 = 'v3.6.5-260301';
const KUBE_OVN_135 = 'v1.15.1';
const FROZEN = 'control plane upgrades are frozen for this test';

let lab: DcsLab;
let host: FleetHost;
let page: Page;
const path = (collection: string, name = '') => `${collection}/namespaces/${lab.ns}/${name}`;
const admin = <T = Loose>(method: string, at: string, body?: unknown) =>
  kubernetesRequest<T>(lab.kubeConfig, method, at, body);

/** The wizard's objects of a cluster `lab` at v1.34.3: control plane of 3, one worker pool of 2. */
function clusterManifests(): KubernetesManifest[] {
  const draft = scenarioDraft();
  draft.name = 'lab';
  draft.kubernetesVersion = 'v1.34.3';
  draft.controlPlane.machineTemplate = 'cp-134';
  const [worker] = draft.workers;
  if (!worker) throw new Error('the scenario has a worker pool');
  Object.assign(worker, { name: 'lab-worker-1', machineTemplate: 'worker-134', replicas: 2 });
  const base = scenarioFacts({ namespace: lab.ns });
  const facts = {
    ...base,
    machineTemplates: [
      ...base.machineTemplates,
      toMachineTemplateRecord(
        machineTemplate(lab.ns, 'cp-134', 'control-plane', 'cp-pool', 'ubuntu-2204-k8s-v1.34'),
      ),
    ],
  };
  return buildManifests(draft, facts).map(toV1Beta2);
}

/** Writes the status a finished rollout leaves: every machine ready and up to date at the spec's version. */
async function rolledOut(kind: 'kcp' | 'md', name: string): Promise<void> {
  const at =
    kind === 'kcp' ? path(KCP, `kubeadmcontrolplanes/${name}`) : path(CAPI, `machinedeployments/${name}`);
  const object = await admin('GET', at);
  const replicas = object.spec.replicas as number;
  const version = kind === 'kcp' ? object.spec.version : object.spec.template.spec.version;
  await admin('PATCH', `${at}/status`, {
    status: {
      observedGeneration: object.metadata.generation,
      replicas,
      readyReplicas: replicas,
      upToDateReplicas: replicas,
      availableReplicas: replicas,
      ...(kind === 'kcp' ? { version } : { phase: 'Running' }),
    },
  });
}

beforeAll(async () => {
  lab = await startDcsLab('fleet-upgrade');
  // What a platform upgrade brings before clusters are upgraded: the v1.35 release's values.
  await admin('PATCH', `/api/v1/namespaces/${lab.ns}/configmaps/dcs-vm-template-ubuntu-2204-k8s-v1.35`, {
    data: { corednsTag: COREDNS_135, etcdTag: ETCD_135, kubeOvnVersion: KUBE_OVN_135 },
  });
  await admin('POST', `/api/v1/namespaces/${lab.ns}/secrets`, {
    metadata: { name: 'dcs-kubernetes-1.34-files' },
    stringData: { 'psa-config.yaml': 'kind: AdmissionConfiguration', 'worker-kubelet-patch.json': '{}' },
  });
  for (const manifest of clusterManifests()) await admin('POST', collectionOf(manifest), manifest);
  // Cluster API's controllers do not run: the pools report what theirs would once the cluster is up.
  await rolledOut('kcp', 'lab-kcp');
  await rolledOut('md', 'lab-worker-1');
  host = await openFleet(lab);
  page = host.page;
  await host.signIn();
}, 300_000);

afterAll(async () => {
  await admin(
    'DELETE',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/dcs-upgrade-freeze',
  ).catch(() => undefined);
  await admin(
    'DELETE',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/dcs-upgrade-freeze',
  ).catch(() => undefined);
  await host?.close();
  await lab?.close();
}, 120_000);

screenshotFailures(() => host);

const action = (pool: string) =>
  page.locator(`[data-extension="dcs.node-pool.upgrade"]:has([data-current="${pool}"])`);

/** Opens the pool's Upgrade (afresh: an open one is closed first, so it reads the objects again). */
async function openUpgrade(pool: string): Promise<void> {
  if (await action(pool).count()) await action(pool).locator('[data-action="close"]').click();
  await page.locator(`tr[data-pool="${pool}"]`).getByRole('button', { name: 'Upgrade' }).click();
  // Loaded once the target is known (— when there is none).
  await page.waitForFunction((name) => {
    const target = document.querySelector(`[data-target="${name}"]`)?.textContent;
    return target !== undefined && target !== null && target !== '…';
  }, pool);
}

const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
const problems = (pool: string) => action(pool).locator(`[data-problems="${pool}"] li`).allTextContents();
const confirm = (pool: string) => action(pool).locator('[data-action="confirm"]');

/** Until the API server refuses (or, with `refused` false, accepts) a dry-run edit of the control plane's version. */
async function untilPolicy(refused: boolean): Promise<void> {
  for (;;) {
    const outcome = await admin('PATCH', `${path(KCP, 'kubeadmcontrolplanes/lab-kcp')}?dryRun=All`, {
      spec: { version: 'v1.35.1' },
    }).then(
      () => false,
      () => true,
    );
    if (outcome === refused) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('DCS upgrade through the Node Pools tab of the real host', () => {
  it('shows the worker pool Upgrade disabled: the control plane goes first', async () => {
    await page.goto(`${host.url}/#/clusters/${lab.ns}/lab`);
    await page.getByRole('tab', { name: 'Node Pools' }).click();
    await openUpgrade('lab-worker-1');
    expect(await text('[data-current="lab-worker-1"]')).toBe('v1.34.3');
    expect(await problems('lab-worker-1')).toEqual(['Upgrade the Control Plane Node Pool first']);
    expect(await confirm('lab-worker-1').isDisabled()).toBe(true);
    await host.shot('upgrade-worker-first');
  });

  it('shows the control plane going to the next minor, with the values of its release', async () => {
    await openUpgrade('lab-kcp');
    expect(await text('[data-current="lab-kcp"]')).toBe('v1.34.3');
    expect(await text('[data-target="lab-kcp"]')).toBe('v1.35.1');
    expect(await problems('lab-kcp')).toEqual([]);
    expect(await action('lab-kcp').locator('[data-changes="lab-kcp"] li').allTextContents()).toEqual([
      'version v1.35.1',
      'machine template lab-cp-template-v1-35-1 (VM template ubuntu-2204-k8s-v1.35)',
      `CoreDNS ${COREDNS_135}`,
      `etcd ${ETCD_135}`,
      `Kube-OVN ${KUBE_OVN_135}`,
    ]);
    expect(await confirm('lab-kcp').isEnabled()).toBe(true);
    await host.shot('upgrade-control-plane');
  });

  it("shows the API server's reason when it refuses the edit, and nothing of the pool changes", async () => {
    await admin('POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', {
      metadata: { name: 'dcs-upgrade-freeze' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['controlplane.cluster.x-k8s.io'],
              apiVersions: ['*'],
              operations: ['UPDATE'],
              resources: ['kubeadmcontrolplanes'],
            },
          ],
        },
        validations: [{ expression: 'object.spec.version == oldObject.spec.version', message: FROZEN }],
      },
    });
    await admin('POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', {
      metadata: { name: 'dcs-upgrade-freeze' },
      spec: {
        policyName: 'dcs-upgrade-freeze',
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': lab.ns } } },
      },
    });
    await untilPolicy(true);
    await confirm('lab-kcp').click();
    await action('lab-kcp').locator(`[data-failure="lab-kcp"]:has-text("${FROZEN}")`).waitFor();
    expect(await text('[data-failure="lab-kcp"]')).toContain(FROZEN);
    expect(await confirm('lab-kcp').isEnabled()).toBe(true);
    await host.shot('upgrade-refused');
    const kcp = await admin('GET', path(KCP, 'kubeadmcontrolplanes/lab-kcp'));
    expect(kcp.spec.version).toBe('v1.34.3');
    expect(kcp.spec.machineTemplate.spec.infrastructureRef.name).toBe('lab-cp-template');
    await admin(
      'DELETE',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/dcs-upgrade-freeze',
    );
    await admin(
      'DELETE',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/dcs-upgrade-freeze',
    );
    await untilPolicy(false);
  });

  it('upgrades the control plane in one edit: version, CoreDNS, etcd, a new template, the new minor files', async () => {
    const before = await admin('GET', path(INFRA, 'dcsmachinetemplates/lab-cp-template'));
    // Confirm again: the template the refused attempt created is the same, so it is used.
    await confirm('lab-kcp').click();
    await action('lab-kcp').locator('[data-progress="lab-kcp"]:has-text("v1.35.1")').waitFor();
    expect(await text('[data-failure="lab-kcp"]')).toBe('');
    const kcp = await admin('GET', path(KCP, 'kubeadmcontrolplanes/lab-kcp'));
    expect(kcp.spec.version).toBe('v1.35.1');
    const cc = kcp.spec.kubeadmConfigSpec.clusterConfiguration;
    expect([cc.dns.imageTag, cc.etcd.local.imageTag]).toEqual([COREDNS_135, ETCD_135]);
    expect(kcp.spec.machineTemplate.spec.infrastructureRef).toEqual({
      apiGroup: 'infrastructure.cluster.x-k8s.io',
      kind: 'DCSMachineTemplate',
      name: 'lab-cp-template-v1-35-1',
    });
    expect(new Set(kcp.spec.kubeadmConfigSpec.files.map((f: Loose) => f.contentFrom?.secret?.name))).toEqual(
      new Set(['dcs-kubernetes-1.35-files']),
    );
    const created = await admin('GET', path(INFRA, 'dcsmachinetemplates/lab-cp-template-v1-35-1'));
    expect(created.spec.template.spec.vmTemplateName).toBe('ubuntu-2204-k8s-v1.35');
    // Everything else of the machine is the old template's.
    expect({ ...created.spec.template.spec, vmTemplateName: undefined }).toEqual({
      ...before.spec.template.spec,
      vmTemplateName: undefined,
    });
    const after = await admin('GET', path(INFRA, 'dcsmachinetemplates/lab-cp-template'));
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec.template.spec.vmTemplateName).toBe('ubuntu-2204-k8s-v1.34');
    const cluster = await admin('GET', path(CAPI, 'clusters/lab'));
    expect(cluster.metadata.annotations['cpaas.io/kube-ovn-version']).toBe(KUBE_OVN_135);
    // The progress line: the controller has not seen the new spec, so nothing is done yet.
    expect(await text('[data-progress="lab-kcp"]')).toBe('v1.35.1: 3/3 ready, 3/3 up to date');
    await host.shot('upgrade-control-plane-started');
  });

  it('keeps the worker pool waiting while the control plane rolls out', async () => {
    await openUpgrade('lab-worker-1');
    expect(await problems('lab-worker-1')).toEqual([
      'Wait for the Control Plane Node Pool upgrade to complete',
    ]);
    expect(await confirm('lab-worker-1').isDisabled()).toBe(true);
    await host.shot('upgrade-worker-waits');
  });

  it('upgrades the worker pool once the control plane reports upgraded', async () => {
    // The rollout itself is Cluster API's: the status its controller writes when the last machine is replaced.
    await rolledOut('kcp', 'lab-kcp');
    await action('lab-kcp').locator('[data-progress="lab-kcp"]:has-text("(done)")').waitFor();
    expect(await text('[data-progress="lab-kcp"]')).toBe('v1.35.1: 3/3 ready, 3/3 up to date (done)');
    expect(await text('[data-current="lab-kcp"]')).toBe('v1.35.1');
    const oldWorker = await admin('GET', path(INFRA, 'dcsmachinetemplates/lab-worker-1-template'));
    const oldBootstrap = await admin('GET', path(BOOTSTRAP, 'kubeadmconfigtemplates/lab-worker-1-kct'));
    await openUpgrade('lab-worker-1');
    expect(await problems('lab-worker-1')).toEqual([]);
    expect(await text('[data-target="lab-worker-1"]')).toBe('v1.35.1');
    expect(
      await action('lab-worker-1').locator('[data-changes="lab-worker-1"] li').allTextContents(),
    ).toEqual([
      'version v1.35.1',
      'machine template lab-worker-1-template-v1-35-1 (VM template ubuntu-2204-k8s-v1.35)',
      'new KubeadmConfigTemplate lab-worker-1-kct-v1-35',
    ]);
    await host.shot('upgrade-worker');
    await confirm('lab-worker-1').click();
    await action('lab-worker-1').locator('[data-progress="lab-worker-1"]:has-text("v1.35.1")').waitFor();
    const md = await admin('GET', path(CAPI, 'machinedeployments/lab-worker-1'));
    expect(md.spec.template.spec.version).toBe('v1.35.1');
    expect(md.spec.template.spec.infrastructureRef.name).toBe('lab-worker-1-template-v1-35-1');
    expect(md.spec.template.spec.bootstrap.configRef).toEqual({
      apiGroup: 'bootstrap.cluster.x-k8s.io',
      kind: 'KubeadmConfigTemplate',
      name: 'lab-worker-1-kct-v1-35',
    });
    const template = await admin('GET', path(INFRA, 'dcsmachinetemplates/lab-worker-1-template-v1-35-1'));
    expect(template.spec.template.spec.vmTemplateName).toBe('ubuntu-2204-k8s-v1.35');
    const bootstrap = await admin('GET', path(BOOTSTRAP, 'kubeadmconfigtemplates/lab-worker-1-kct-v1-35'));
    expect(bootstrap.spec.template.spec.files.map((f: Loose) => f.contentFrom.secret.name)).toEqual([
      'dcs-kubernetes-1.35-files',
    ]);
    // Apart from the files Secret, the bootstrap is the old one's.
    expect({ ...bootstrap.spec.template.spec, files: undefined }).toEqual({
      ...oldBootstrap.spec.template.spec,
      files: undefined,
    });
    // The old templates are kept as they were, for a rollback.
    expect(
      (await admin('GET', path(INFRA, 'dcsmachinetemplates/lab-worker-1-template'))).metadata.resourceVersion,
    ).toBe(oldWorker.metadata.resourceVersion);
    expect(
      (await admin('GET', path(BOOTSTRAP, 'kubeadmconfigtemplates/lab-worker-1-kct'))).metadata
        .resourceVersion,
    ).toBe(oldBootstrap.metadata.resourceVersion);
    await rolledOut('md', 'lab-worker-1');
    await action('lab-worker-1').locator('[data-progress="lab-worker-1"]:has-text("(done)")').waitFor();
    expect(await text('[data-progress="lab-worker-1"]')).toBe('v1.35.1: 2/2 ready, 2/2 up to date (done)');
    await host.shot('upgrade-worker-done');
  });

  it('offers the control plane nothing further: v1.35 is the newest release', async () => {
    await openUpgrade('lab-kcp');
    expect(await text('[data-target="lab-kcp"]')).toBe('—');
    expect(await problems('lab-kcp')).toEqual([
      'No version ConfigMap offers a Kubernetes version after v1.35.1',
    ]);
    expect(await confirm('lab-kcp').isDisabled()).toBe(true);
  });

  it('ran without a console error in the page and sent no credential value, in any response or streamed byte', async () => {
    expect(host.pageErrors).toEqual([]);
    await host.expectNoCredential();
  });
});
