import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromiumLaunchOptions } from '@immutable-infra/testkit';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoProcess, type DemoStarted, descendants, stillRunning } from './demo-process.ts';

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl demo@example';
// How long the UI may take to show a state; the numbers are bounds, not expectations.
const LONG = { timeout: 600_000, interval: 1_000 };
const CLUSTER = 'demo';
const WORKERS = `${CLUSTER}-worker-1`;
const CONTROL_PLANE = `${CLUSTER}-kcp`;
// Screenshots of each stage, kept for a person to look at (not committed).
const artifacts =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let tmp: string;
let demo: DemoProcess | undefined;
let browser: Browser | undefined;
/** The one page a person would keep open from the wizard to the destroy. */
let page: Page | undefined;
/** Wall times of each stage, printed for the README (never asserted). */
const wallTimes: [string, number][] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  // Everything the demo puts in a temporary directory lands here, so the test can see it is all gone.
  tmp = mkdtempSync(join(tmpdir(), 'iinfra-demo-test-'));
  demo = await DemoProcess.start(tmp);
});

afterAll(async () => {
  if (wallTimes.length > 0)
    console.log(
      `demo: wall times: ${wallTimes.map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
    );
  await browser?.close();
  await demo?.stop('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function started(): DemoStarted {
  const value = demo?.started;
  if (!value) throw new Error('the demo did not start');
  return value;
}

function openPage(): Page {
  if (!page) throw new Error('the wizard test opened no page');
  return page;
}

const shot = (name: string) =>
  openPage().screenshot({ path: join(artifacts, `demo-${name}.png`), fullPage: true });

/** Runs a stage and records its wall time. */
async function timed<T>(what: string, stage: () => Promise<T>): Promise<T> {
  const from = Date.now();
  const result = await stage();
  const ms = Date.now() - from;
  wallTimes.push([what, ms]);
  console.log(`demo: ${what}: ${(ms / 1000).toFixed(1)} s`);
  return result;
}

/** The cluster's row in the list: version, phase (with what it waits for), control plane, workers. */
async function listRow(): Promise<string[] | 'absent'> {
  const row = openPage().locator(`tr[data-cluster="${CLUSTER}"][data-namespace="${started().namespace}"]`);
  if ((await row.count()) === 0) return 'absent';
  const cells = row.locator('td');
  return Promise.all([2, 3, 4, 5].map(async (i) => (await cells.nth(i).textContent()) ?? ''));
}

function managementApi() {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(started().kubeconfig);
  return {
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    core: kubeConfig.makeApiClient(CoreV1Api),
  };
}

interface Machine {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { version?: string };
  status?: { phase?: string; nodeRef?: unknown };
}

async function clusterMachines(): Promise<Machine[]> {
  const answer = (await managementApi().custom.listNamespacedCustomObject({
    group: 'cluster.x-k8s.io',
    version: 'v1beta2',
    namespace: started().namespace,
    plural: 'machines',
    labelSelector: `cluster.x-k8s.io/cluster-name=${CLUSTER}`,
  })) as { items: Machine[] };
  return answer.items;
}

async function clusterAvailable(): Promise<string | undefined> {
  const cluster = (await managementApi().custom.getNamespacedCustomObject({
    group: 'cluster.x-k8s.io',
    version: 'v1beta2',
    namespace: started().namespace,
    plural: 'clusters',
    name: CLUSTER,
  })) as { status?: { conditions?: { type: string; status: string }[] } };
  return cluster.status?.conditions?.find((c) => c.type === 'Available')?.status;
}

/** The cluster's Secrets, machine templates and bootstrap templates still in the API server. */
async function clusterLeftovers(): Promise<string[]> {
  const { custom, core } = managementApi();
  const labelSelector = `cluster.x-k8s.io/cluster-name=${CLUSTER}`;
  const namespace = started().namespace;
  const names = (list: unknown) =>
    ((list as { items: { metadata?: { name?: string } }[] }).items ?? []).map((i) => i.metadata?.name);
  return [
    ...names(await core.listNamespacedSecret({ namespace, labelSelector })).map((n) => `Secret/${n}`),
    ...names(
      await custom.listNamespacedCustomObject({
        group: 'infrastructure.cluster.x-k8s.io',
        version: 'v1beta1',
        namespace,
        plural: 'dcsmachinetemplates',
        labelSelector,
      }),
    ).map((n) => `DCSMachineTemplate/${n}`),
    ...names(
      await custom.listNamespacedCustomObject({
        group: 'bootstrap.cluster.x-k8s.io',
        version: 'v1beta2',
        namespace,
        plural: 'kubeadmconfigtemplates',
        labelSelector,
      }),
    ).map((n) => `KubeadmConfigTemplate/${n}`),
  ];
}

/** The VMs (not templates) dcs-sim holds, read from its inspection endpoint at the credential's endpoint. */
async function simulatorVms(): Promise<{ name: string; status: string }[]> {
  const secret = await managementApi().core.readNamespacedSecret({
    name: 'dcs-auth',
    namespace: started().namespace,
  });
  const endpoint = Buffer.from(secret.data?.endpoint ?? '', 'base64').toString('utf8');
  const state = (await (await fetch(`${endpoint}/_sim/state`)).json()) as {
    vms: { name: string; status: string; isTemplate: boolean }[];
  };
  return state.vms.filter((vm) => !vm.isTemplate).map(({ name, status }) => ({ name, status }));
}

async function signIn(page: Page, url: string, token: string) {
  await page.goto(url);
  await page.locator('input[name="token"]').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Clusters' }).waitFor();
}

describe('the demo command', () => {
  it('prints the URL and how to sign in; the token signs in over HTTP', async () => {
    const started = demo?.started;
    if (!started) throw new Error('the demo did not start');
    expect(demo?.log()).toContain(`to upgrade a cluster, first offer Kubernetes v1.35.4`);
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.namespace).toBe('cpaas-system');
    const token = readFileSync(started.tokenFile, 'utf8').trim();
    const session = await fetch(`${started.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { username: string }).username).toBe(
      'system:serviceaccount:cpaas-system:demo-admin',
    );
    const cookie = session.headers.get('set-cookie')?.split(';')[0] ?? '';
    const extensions = (await (
      await fetch(`${started.url}/api/extensions`, { headers: { cookie } })
    ).json()) as { items?: { name?: string; loadable?: boolean }[] } | { name?: string }[];
    expect(JSON.stringify(extensions)).toContain('@immutable-infra/provider-dcs');
  });

  it('creates a 3 + 1 cluster in the DCS wizard and the UI shows it Ready', async () => {
    const { url, namespace, apiServerAddress } = started();
    browser = await chromium.launch(chromiumLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, url, readFileSync(started().tokenFile, 'utf8').trim());

    await page.goto(`${url}/#/create/${namespace}`);
    // Step 1: basic info. The version is the newest the seeded ConfigMaps offer: only v1.34.3 at start.
    await page.waitForSelector('[data-field="credential"] option[value="dcs-auth"]', { state: 'attached' });
    await page.selectOption('[data-field="credential"]', 'dcs-auth');
    await page.fill('[data-field="name"]', CLUSTER);
    await page.fill('[data-field="apiServerAddress"]', apiServerAddress);
    await expect.poll(() => page?.inputValue('[data-field="kubernetesVersion"]'), LONG).toBe('v1.34.3');
    await shot('wizard-basic-info');
    await page.getByRole('button', { name: 'Next' }).click();
    // Step 2: the control plane. The documented wizard fixes it at 3 machines (high availability).
    await page.waitForSelector('[data-field="controlPlane.machineTemplate"] option[value="cp-1-34"]', {
      state: 'attached',
    });
    await page.selectOption('[data-field="controlPlane.machineTemplate"]', 'cp-1-34');
    expect(await page.inputValue('[data-field="controlPlane.replicas"]')).toBe('3');
    await page.fill('[data-field="controlPlane.sshAuthorizedKeys"]', SSH_KEY);
    await page.getByRole('button', { name: 'Next' }).click();
    // Step 3: one worker.
    await page.waitForSelector('[data-field="workers.0.machineTemplate"] option[value="worker-1-34"]', {
      state: 'attached',
    });
    await page.selectOption('[data-field="workers.0.machineTemplate"]', 'worker-1-34');
    expect(await page.inputValue('[data-field="workers.0.name"]')).toBe(WORKERS);
    await page.fill('[data-field="workers.0.replicas"]', '1');
    await page.fill('[data-field="workers.0.sshAuthorizedKeys"]', SSH_KEY);
    await page.getByRole('button', { name: 'Next' }).click();
    // Step 4: networking.
    await page.locator('[data-field="networking.podsCidr"]').waitFor();
    await page.fill('[data-field="networking.podsCidr"]', '10.3.0.0/16');
    await page.fill('[data-field="networking.servicesCidr"]', '10.4.0.0/16');
    await page.fill('[data-field="networking.joinCidr"]', '100.64.0.0/16');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.locator('[data-step="review"]').waitFor();
    await shot('wizard-review');

    await timed('create to Ready', async () => {
      await openPage().getByRole('button', { name: 'Create' }).click();
      await openPage()
        .getByRole('heading', { name: new RegExp(CLUSTER) })
        .waitFor();
      // The list, fed by server-sent events: Ready is the phase with nothing left to wait for and every
      // machine ready.
      await openPage().goto(`${url}/#/`);
      await expect.poll(listRow, LONG).toEqual(['v1.34.3', 'Provisioned', '3/3', '1/1']);
    });
    await shot('ready');
    // The API server agrees: Cluster API's controllers report the cluster Available.
    expect(await clusterAvailable()).toBe('True');
  });

  it('scales the worker pool from 1 to 2 on the Node Pools tab', async () => {
    const { url, namespace } = started();
    const p = openPage();
    await p.goto(`${url}/#/clusters/${namespace}/${CLUSTER}`);
    await p.getByRole('tab', { name: 'Node Pools' }).click();
    const pool = p.locator(`tr[data-pool="${WORKERS}"]`);
    await expect.poll(() => pool.locator('td').nth(2).textContent(), LONG).toBe('1/1');
    await p.getByLabel(`Replicas of ${WORKERS}`).fill('2');
    await timed('scale 1 -> 2', async () => {
      await pool.getByRole('button', { name: 'Scale' }).click();
      await expect.poll(() => pool.locator('td').nth(2).textContent(), LONG).toBe('2/2');
    });
    await shot('scaled');
    const workers = (await clusterMachines()).filter(
      (m) => m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === WORKERS,
    );
    expect(workers.map((m) => m.status?.phase)).toEqual(['Running', 'Running']);
  });

  it('upgrades to v1.35.4 with the v1.35 machine templates: preview, then rollout, until every machine runs it', async () => {
    const { url, namespace, upgradeRelease } = started();
    const [cpTemplate, workerTemplate] = upgradeRelease.machineTemplates;
    expect(upgradeRelease.kubernetesVersion).toBe('v1.35.4');
    // The platform upgrade brings the new VM template's version ConfigMap and its machine templates: the
    // command the demo printed, as the operator runs it.
    const [kubectl, ...args] = upgradeRelease.command;
    const applied = await promisify(execFile)(kubectl as string, args);
    expect(applied.stdout).toContain(
      `dcsmachinetemplate.infrastructure.cluster.x-k8s.io/${cpTemplate} created`,
    );

    const p = openPage();
    await p.goto(`${url}/#/clusters/${namespace}/${CLUSTER}`);
    await p.getByRole('tab', { name: 'Upgrade' }).click();
    await p.getByLabel('Target Kubernetes version').fill(upgradeRelease.kubernetesVersion);
    await p.getByLabel(`Upgrade template of ${CONTROL_PLANE}`).fill(cpTemplate);
    await p.getByLabel(`Upgrade template of ${WORKERS}`).fill(workerTemplate);
    await p.getByRole('button', { name: 'Preview upgrade' }).click();
    const plan = p.getByRole('list', { name: 'Upgrade plan' });
    await plan.waitFor();
    const pools = await plan.locator(':scope > li').allTextContents();
    expect(pools).toHaveLength(2);
    expect(pools[0]).toContain(
      `KubeadmControlPlane ${CONTROL_PLANE}: v1.34.3 → v1.35.4, template ${CLUSTER}-cp-template → ${cpTemplate}`,
    );
    expect(pools[1]).toContain(
      `MachineDeployment ${WORKERS}: v1.34.3 → v1.35.4, template ${WORKERS}-template → ${workerTemplate}`,
    );
    // maxSurge 0 (the wizard's choice for DCS): each wave removes an old machine before adding its successor.
    await expect(
      p.locator(`[data-plan-pool="${CONTROL_PLANE}"] [data-wave]`).first().textContent(),
    ).resolves.toMatch(/^remove /);
    await expect(p.getByRole('button', { name: `Start ${WORKERS}` }).isDisabled()).resolves.toBe(true);
    await shot('upgrade-preview');

    await timed('upgrade (control plane and workers)', async () => {
      await timed('upgrade of the control plane', async () => {
        await p.getByRole('button', { name: `Start ${CONTROL_PLANE}` }).click();
        await p.locator(`[data-rollout="${CONTROL_PLANE}"]`, { hasText: 'Rolled out.' }).waitFor(LONG);
      });
      await shot('upgrade-control-plane-rolled-out');
      await p.getByRole('button', { name: `Start ${WORKERS}` }).click();
      await p.locator(`[data-rollout="${WORKERS}"]`, { hasText: 'Rolled out.' }).waitFor(LONG);
      await p.goto(`${url}/#/`);
      await expect.poll(listRow, LONG).toEqual(['v1.35.4', 'Provisioned', '3/3', '2/2']);
    });
    await shot('upgraded');
    // The list counts ready replicas; a replaced machine may still be finishing its deletion then.
    const versionsAndPhases = async () =>
      (await clusterMachines()).map((m) => [m.spec.version, m.status?.phase]);
    await expect
      .poll(versionsAndPhases, LONG)
      .toEqual(Array.from({ length: 5 }, () => ['v1.35.4', 'Running']));
    expect(await clusterAvailable()).toBe('True');
  });

  it('destroys the cluster after the typed confirmation: gone from the list, no VM in dcs-sim, nothing of it in the API server', async () => {
    const { url, namespace } = started();
    expect((await simulatorVms()).length).toBe(5);
    const p = openPage();
    await p.goto(`${url}/#/clusters/${namespace}/${CLUSTER}`);
    await p.getByRole('button', { name: 'Destroy', exact: true }).click();
    // The dialog is named by its title, as a screen reader announces it.
    const dialog = p.getByRole('dialog', { name: `Destroy ${CLUSTER}?` });
    const confirm = dialog.getByRole('button', { name: `Destroy ${CLUSTER}` });
    await dialog.getByLabel('Cluster name to confirm').fill(`${CLUSTER}-typo`);
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel('Cluster name to confirm').fill(CLUSTER);
    await shot('destroy-confirmation');
    await timed('destroy', async () => {
      await confirm.click();
      await p
        .getByRole('status')
        .filter({ hasText: /Deleting since|has been deleted/ })
        .first()
        .waitFor(LONG);
      await p.goto(`${url}/#/`);
      await p.getByRole('heading', { name: 'Clusters' }).waitFor();
      await expect.poll(listRow, LONG).toBe('absent');
      await expect.poll(simulatorVms, LONG).toEqual([]);
    });
    await shot('destroyed');
    // The VM goes first; the Machine follows once its DCSMachine has dropped the finalizer.
    await expect.poll(clusterMachines, LONG).toEqual([]);
    // What Cluster API leaves to the garbage collector goes too (certificates, bootstrap data, the
    // templates the cluster owned), so the same name can be used again.
    await expect.poll(clusterLeftovers, LONG).toEqual([]);
  });

  it('stops everything on SIGINT and leaves no process and no temporary directory', async () => {
    const running = demo;
    if (!running) throw new Error('the demo did not start');
    const pid = running.child.pid ?? 0;
    const tree = descendants(pid);
    // etcd, kube-apiserver, kube-controller-manager, three Cluster API managers, and the workload
    // cluster's processes (a command name is cut at 15 characters).
    const names = tree.map((p) => p.command);
    expect(names).toEqual(
      expect.arrayContaining(['etcd', 'kube-apiserver', 'kube-controller', 'cluster-api-con']),
    );
    expect(readdirSync(tmp).length).toBeGreaterThan(0);

    expect(await running.stop('SIGINT')).toBe(0);
    // Processes reparented to init may take a moment to be reaped; their pids must not come back.
    for (let i = 0; i < 50 && tree.some(stillRunning); i++) await sleep(100);
    expect(tree.filter(stillRunning).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    expect(running.log()).toContain('demo: stopped');
  });
});
