import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesManifest } from '@immutable-infra/core';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import {
  chromiumLaunchOptions,
  collectPageErrors,
  namespaceOperatorToken,
  seriousAccessibilityViolations,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// The bare-metal extension in the real Fleet Essentials host, in chromium, signed in as a service
// account with one namespace Role, against the test API server (no controllers: the pools'
// counters and the hosts' annotations are written as the provider would). The create workflow
// shows each problem at its field and writes nothing, then creates exactly the reviewed objects in
// the documented shape; the pools page shows the pools, the hosts and the image catalog. axe-core
// checks each screen.

const ARTIFACTS =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const PROVIDER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const INFRA = 'infrastructure.cluster.x-k8s.io';
const ELEMENTAL = 'elemental.cattle.io';
const CAPI_GROUPS = ['cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io', 'bootstrap.cluster.x-k8s.io'];
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image';

// biome-ignore lint/suspicious/noExplicitAny: the test reads deep paths of stored objects.
type Loose = Record<string, any>;

/** The documented bare-metal objects (test/fixtures/documented.yaml) by `Kind/name`. */
const documented = new Map<string, Loose>(
  parseAllDocuments(readFileSync(new URL('../fixtures/documented.yaml', import.meta.url), 'utf8')).map(
    (doc) => {
      const object = doc.toJS() as Loose;
      return [`${object.kind}/${object.metadata.name}`, object] as const;
    },
  ),
);

let kubeConfig: KubeConfig;
let ns: string;
let browser: Browser;
let page: Page;
let url: string;
let closeServer: () => Promise<void>;
let pageErrors: string[];
const writes: string[] = [];

const custom = () => kubeConfig.makeApiClient(CustomObjectsApi);
const field = (name: string) => page.locator(`[data-field="${name}"]`);
const offered = (name: string, value: string) =>
  page.locator(`[data-field="${name}"] option[value="${value}"]`).waitFor({ state: 'attached' });
const shot = (name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `baremetal-fleet-${name}.png`), fullPage: true });
async function expectAccessible(where: string) {
  expect(await seriousAccessibilityViolations(page), `accessibility of ${where}`).toEqual([]);
}
/** The words in the problem slot the control names in aria-describedby. */
async function problemOf(name: string): Promise<string> {
  const slot = page.locator(`[id="${await field(name).getAttribute('aria-describedby')}"]`);
  await expect.poll(async () => (await slot.textContent()) ?? '').not.toBe('');
  return (await slot.textContent()) ?? '';
}

async function create(group: string, plural: string, body: Loose, status?: Loose) {
  await custom().createNamespacedCustomObject({ group, version: 'v1beta1', namespace: ns, plural, body });
  if (status)
    await custom().patchNamespacedCustomObjectStatus(
      { group, version: 'v1beta1', namespace: ns, plural, name: body.metadata.name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

/** A registered host as elemental and the provider leave it: Ready, with a plan Secret and the provider's annotations. */
async function registeredHost(name: string, pool: string, power: string) {
  await create(
    ELEMENTAL,
    'machineinventories',
    {
      apiVersion: `${ELEMENTAL}/v1beta1`,
      kind: 'MachineInventory',
      metadata: {
        name,
        annotations: {
          'baremetal.alauda.io/pool': pool,
          'baremetal.alauda.io/allocation-state': 'Available',
          'baremetal.alauda.io/power-state': power,
          'baremetal.alauda.io/hardware': 'Sushy Emulator, 8 CPUs, 32 GiB, 2 NICs',
        },
      },
      spec: { observedNetwork: { interfaces: [{ name: 'eth0', addresses: ['192.168.254.73/24'] }] } },
    },
    {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Registered',
          message: '',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
      plan: { secretRef: { name: `${name}-plan`, namespace: ns }, state: 'Applied' },
    },
  );
}

const counters = (total: number, available: number) => ({
  total,
  available,
  allocated: 0,
  preparing: 0,
  reprovisioning: 0,
  unavailable: total - available,
});

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'bm-fleet');
  const token = await namespaceOperatorToken(kubeConfig, ns, [
    { apiGroups: [INFRA], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
    { apiGroups: [ELEMENTAL], resources: ['machineinventories'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
    { apiGroups: CAPI_GROUPS, resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
  ]);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: ns,
    body: {
      metadata: { name: 'elemental-image-catalog' },
      data: { 'v1.33.7-2': `${IMAGE}:v0.0.0-beta-1.33.7-2`, 'v1.34.3-1': `${IMAGE}:v0.0.0-beta-1.34.3-1` },
    },
  });
  await core.createNamespacedConfigMap({
    namespace: ns,
    body: {
      metadata: {
        name: 'baremetal-kubernetes-release-test',
        labels: { 'immutable-infra.io/kubernetes-release': 'baremetal' },
      },
      data: { kubernetesVersion: 'v1.33.7-2', corednsTag: '1.12.1-v4.1.0', etcdTag: 'v3.5.21-250601' },
    },
  });
  for (const [i, pool] of [
    [1, 'demo-control-plane-pool'],
    [2, 'demo-control-plane-pool'],
    [3, 'demo-control-plane-pool'],
    [4, 'demo-worker-pool'],
    [5, 'demo-worker-pool'],
  ] as const)
    await registeredHost(`demo-4c4c4544-00${30 + i}`, pool, i === 5 ? 'Off' : 'On');
  // A spare host no pool lists yet.
  await registeredHost('demo-4c4c4544-0040', '', 'On');
  // The documented pools and templates (the worker pool names one host that never registered).
  for (const key of [
    'MachineInventoryPool/demo-control-plane-pool',
    'MachineInventoryPool/demo-worker-pool',
  ]) {
    const pool = structuredClone(documented.get(key)) as Loose;
    pool.metadata.namespace = ns;
    pool.spec.machineInventories = pool.spec.machineInventories.map((m: Loose, i: number) => ({
      ...m,
      name: `demo-4c4c4544-00${(key.includes('worker') ? 34 : 31) + i}`,
    }));
    await create(
      INFRA,
      'machineinventorypools',
      pool,
      key.includes('worker') ? counters(3, 2) : counters(3, 3),
    );
  }
  for (const [name, pool] of [
    ['demo-cp', 'demo-control-plane-pool'],
    ['demo-worker', 'demo-worker-pool'],
  ])
    await create(INFRA, 'baremetalmachinetemplates', {
      apiVersion: `${INFRA}/v1beta1`,
      kind: 'BaremetalMachineTemplate',
      metadata: { name },
      spec: { template: { spec: { machineInventoryPoolRef: { name: pool } } } },
    });
  // Another cluster on the same Layer-2 domain holds vrid 52.
  await create(INFRA, 'baremetalclusters', {
    apiVersion: `${INFRA}/v1beta1`,
    kind: 'BaremetalCluster',
    metadata: { name: 'other' },
    spec: { controlPlaneLoadBalancer: { type: 'Internal', host: '192.168.254.200', port: 6443, vrid: 52 } },
  });

  const server = await createFleetServer({ kubeConfig, extensionPackages: [PROVIDER_DIR] });
  closeServer = () => server.close();
  url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch(chromiumLaunchOptions());
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  pageErrors = collectPageErrors(page);
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() !== 'GET' && path.startsWith('/api/kube/'))
      writes.push(`${request.method()} ${path}`);
  });
  await page.goto(url);
  await page.getByLabel('Kubernetes bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Clusters' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page)
    await shot(`failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(
      () => undefined,
    );
});

/** Fills a step's fields in order (a select once it offers the value), then presses `next`. */
async function fillStep(step: string, values: [string, string][], next = 'Next'): Promise<void> {
  await page.locator(`[data-step="${step}"]`).waitFor();
  for (const [name, value] of values) {
    if ((await field(name).evaluate((control) => control.tagName)) !== 'SELECT')
      await field(name).fill(value);
    else {
      await offered(name, value);
      await field(name).selectOption(value);
    }
  }
  await page.getByRole('button', { name: next }).click();
}

function readStored(manifest: KubernetesManifest): Promise<unknown> {
  const [group, version] = manifest.apiVersion.split('/') as [string, string];
  return custom().getNamespacedCustomObject({
    group,
    version,
    namespace: ns,
    plural: `${manifest.kind.toLowerCase()}s`,
    name: manifest.metadata.name,
  });
}

describe('bare-metal extension in Fleet Essentials', () => {
  it('creates a cluster through the wizard: problems at their fields first, then the documented objects', async () => {
    await page.goto(`${url}/#/create/${ns}`);
    await page.reload();
    await page.locator('[data-step="basic-info"]').waitFor();
    await offered('kubernetesVersion', 'v1.33.7-2');
    await expectAccessible('the first step');
    await field('name').fill('demo');
    await field('loadBalancer.host').fill('192.168.254');
    await field('loadBalancer.vrid').fill('52');
    const before = writes.length;
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await problemOf('kubernetesVersion')).toBe('choose a Kubernetes version from the image catalog');
    expect(await problemOf('loadBalancer.host')).toBe(
      '192.168.254 is not an IPv4 address (a self-built VIP is never a name or IPv6)',
    );
    expect(await problemOf('loadBalancer.vrid')).toBe(
      "vrid 52 is used by cluster other; it must be unique in the control plane's Layer-2 domain",
    );
    await expectAccessible('the first step with its problems');
    await shot('create-1-refused');

    await fillStep('basic-info', [
      ['kubernetesVersion', 'v1.33.7-2'],
      ['loadBalancer.host', '192.168.254.100'],
      ['loadBalancer.vrid', '51'],
    ]);
    await offered('controlPlane.machineTemplate', 'demo-cp');
    await fillStep('control-plane', [['controlPlane.machineTemplate', 'demo-cp']]);
    // Three workers from a pool with two available hosts: refused at the replicas.
    await fillStep('worker-pools', [['workers.0.machineTemplate', 'demo-worker']]);
    expect(await problemOf('workers.0.replicas')).toBe(
      'machine inventory pool demo-worker-pool has 2 free of 3 entries; 3 needed',
    );
    expect(writes.slice(before)).toEqual([]);
    await fillStep('worker-pools', [['workers.0.replicas', '2']]);
    await fillStep(
      'networking',
      [
        ['networking.podsCidr', '10.3.0.0/16'],
        ['networking.servicesCidr', '10.4.0.0/16'],
        ['networking.joinCidr', '100.64.0.0/16'],
      ],
      'Review',
    );

    await page.locator('[data-step="review"]').waitFor();
    await expectAccessible('the review');
    await shot('create-2-review');
    const reviewed = (await page.locator('[data-manifest] pre').allTextContents()).map(
      (text) => JSON.parse(text) as KubernetesManifest,
    );
    expect(reviewed.map((m) => `${m.kind}/${m.metadata.name}`).join(' ')).toBe(
      'BaremetalCluster/demo BaremetalMachineTemplate/demo-control-plane-template ' +
        'KubeadmControlPlane/demo-control-plane BaremetalMachineTemplate/demo-worker-1-template ' +
        'MachineDeployment/demo-worker-1 KubeadmConfigTemplate/demo-worker-1-bootstrap Cluster/demo',
    );
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/#/clusters/${ns}/demo`);
    await shot('create-3-created');

    // Each reviewed object as the API server stores it; the bare-metal ones as documented.
    const stored = (await Promise.all(reviewed.map(readStored))) as Loose[];
    reviewed.forEach((manifest, i) => {
      expect(stored[i]?.spec, `${manifest.kind}/${manifest.metadata.name}`).toMatchObject(
        manifest.spec as object,
      );
    });
    expect(stored[0]?.spec).toEqual((documented.get('BaremetalCluster/demo') as Loose).spec);
    expect(stored[1]?.spec).toEqual(
      (documented.get('BaremetalMachineTemplate/demo-control-plane-template') as Loose).spec,
    );
    expect(stored[3]?.spec).toEqual(
      (documented.get('BaremetalMachineTemplate/demo-worker-template') as Loose).spec,
    );
    expect(stored[2]?.spec.replicas).toBe(3);
    expect(stored[2]?.spec.version).toBe('v1.33.7-2');
    expect(stored[6]?.metadata.labels['cluster-type']).toBe('ProviderBaremetal');
  });

  it('shows the pools with their counters, the registered hosts and the image catalog', async () => {
    await page.goto(`${url}/#/infrastructure/ip-pools/${ns}`);
    await page.reload();
    const pools = page.locator('[data-extension="baremetal.inventory-pools"] table');
    await pools.waitFor();
    const rowOf = (name: string) => pools.locator('tr', { has: page.locator(`[data-name="${name}"]`) });
    await expect
      .poll(async () => (await rowOf('demo-worker-pool').locator('td').allTextContents()).slice(0, 8))
      .toEqual(['demo-worker-pool', 'demo', '3', '2', '0', '0', '0', '1']);
    const hosts = page.locator('[data-section="hosts"] table');
    await hosts.waitFor();
    const host = hosts.locator('tr', { has: page.locator('[data-name="demo-4c4c4544-0035"]') });
    expect((await host.locator('td').allTextContents()).slice(0, 9)).toEqual([
      'demo-4c4c4544-0035',
      'True',
      'Available',
      'demo-worker-pool',
      '—',
      'Applied',
      '192.168.254.73',
      'Off',
      'Sushy Emulator, 8 CPUs, 32 GiB, 2 NICs',
    ]);
    const catalog = page.locator('[data-section="image-catalog"] table tbody tr');
    await expect
      .poll(() => catalog.first().locator('td').allTextContents())
      .toEqual(['v1.34.3-1', `${IMAGE}:v0.0.0-beta-1.34.3-1`]);
    await expectAccessible('the pools page');
    await shot('inventory');

    // A new pool: a host another pool lists is refused at its row; the spare one is taken.
    await page.locator('[data-extension="baremetal.inventory-pools"] [data-action="create"]').click();
    const form = page.locator('[data-extension="baremetal.inventory-pool.form"]');
    const hostRow = (name: string) => form.locator(`[data-inventory="${name}"]`);
    await hostRow('demo-4c4c4544-0040').waitFor();
    await form.locator('[data-field="name"]').fill('spare-pool');
    await form.locator('[data-field="clusterName"]').fill('spare');
    const taken = hostRow('demo-4c4c4544-0031').locator('input[type="checkbox"]');
    await taken.check();
    const before = writes.length;
    await form.locator('[data-action="save"]').click();
    const slot = page.locator(`[id="${await taken.getAttribute('aria-describedby')}"]`);
    await expect
      .poll(async () => (await slot.textContent()) ?? '')
      .toBe('demo-4c4c4544-0031 is already in pool demo-control-plane-pool');
    expect(writes.slice(before)).toEqual([]);
    await expectAccessible('the pool form with its problem');
    await shot('pool-form-refused');
    await taken.uncheck();
    await hostRow('demo-4c4c4544-0040').locator('input[type="checkbox"]').check();
    await hostRow('demo-4c4c4544-0040').locator('input[type="text"]').fill('spare-1');
    await form.locator('[data-action="save"]').click();
    await expect
      .poll(
        async () =>
          (
            (await custom()
              .getNamespacedCustomObject({
                group: INFRA,
                version: 'v1beta1',
                namespace: ns,
                plural: 'machineinventorypools',
                name: 'spare-pool',
              })
              .catch(() => undefined)) as Loose | undefined
          )?.spec,
      )
      .toEqual({
        clusterName: 'spare',
        machineInventories: [{ name: 'demo-4c4c4544-0040', hostname: 'spare-1' }],
      });
  });

  it('upgrades the control plane to a version of the image catalog in one edit', async () => {
    // The rollout the controllers would have finished: every machine ready at the spec's version.
    const kcp = {
      group: 'controlplane.cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: ns,
      plural: 'kubeadmcontrolplanes',
      name: 'demo-control-plane',
    };
    const created = (await custom().getNamespacedCustomObject(kcp)) as Loose;
    await custom().patchNamespacedCustomObjectStatus(
      {
        ...kcp,
        body: {
          status: {
            observedGeneration: created.metadata.generation,
            replicas: 3,
            readyReplicas: 3,
            upToDateReplicas: 3,
            availableReplicas: 3,
            version: 'v1.33.7-2',
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await page.goto(`${url}/#/clusters/${ns}/demo`);
    await page.reload();
    await page.getByRole('tab', { name: 'Node Pools' }).click();
    await page.locator('tr[data-pool="demo-control-plane"]').getByRole('button', { name: 'Upgrade' }).click();
    const panel = page.locator(
      '[data-extension="baremetal.node-pool.upgrade"]:has([data-current="demo-control-plane"])',
    );
    await expect
      .poll(() => panel.locator('[data-target="demo-control-plane"]').textContent())
      .toBe('v1.34.3-1');
    expect(await panel.locator('[data-changes="demo-control-plane"] li').allTextContents()).toEqual([
      `version v1.34.3-1 (OS image ${IMAGE}:v0.0.0-beta-1.34.3-1)`,
      'CoreDNS and etcd tags unchanged (no release of this provider lists the version)',
      'each node is cleaned and reprovisioned from the new OS image, one at a time',
    ]);
    await expectAccessible('the control plane upgrade');
    await shot('upgrade-control-plane');
    await panel.locator('[data-action="confirm"]').click();
    await expect
      .poll(async () => ((await custom().getNamespacedCustomObject(kcp)) as Loose).spec.version)
      .toBe('v1.34.3-1');
    const after = (await custom().getNamespacedCustomObject(kcp)) as Loose;
    expect(after.spec.machineTemplate.spec.infrastructureRef.name).toBe('demo-control-plane-template');
  });

  it('refuses a node pool needing more hosts than its MachineInventoryPool has available, creating nothing', async () => {
    // demo-worker-pool counts 2 available hosts: a pool of 3 replicas (maxSurge 0, as bare metal rolls) does not fit.
    await page.goto(`${url}/#/clusters/${ns}/demo`);
    await page.reload();
    await page.getByRole('tab', { name: 'Node Pools' }).click();
    await page.getByLabel('New pool name').fill('demo-big');
    await page.getByLabel('New pool replicas').fill('3');
    await page.getByLabel('New pool machine template').fill('demo-worker-1-template');
    await page.getByLabel('New pool max surge').fill('0');
    await page.getByLabel('New pool max unavailable').fill('1');
    const problem =
      'MachineInventoryPool demo-worker-pool has 2 free slots; this pool needs 3 (3 replicas + 0 max surge)';
    await page.locator('[data-capacity-problem="replicas"]', { hasText: problem }).waitFor();
    await expect(page.getByLabel('New pool replicas').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible('the node pool capacity problem');
    await shot('pool-capacity-short');
    const before = writes.length;
    await page.getByRole('button', { name: 'Add node pool' }).click();
    await page
      .getByRole('form', { name: 'Add a node pool' })
      .locator('p[role=alert]', { hasText: `Not added: ${problem}` })
      .waitFor();
    expect(writes.slice(before)).toEqual([]);
    const absent = await custom()
      .getNamespacedCustomObject({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: ns,
        plural: 'machinedeployments',
        name: 'demo-big',
      })
      .then(
        () => false,
        () => true,
      );
    expect(absent).toBe(true);
  });

  it('ran without a page error', () => {
    expect(pageErrors).toEqual([]);
  });
});
