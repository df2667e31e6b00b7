/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions, seriousAccessibilityViolations } from '@immutable-infra/testkit';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoProcess, type DemoStarted } from './demo-process.ts';

// The demo with --provider hcs, driven as a person drives it in chromium: the Huawei Cloud Stack
// wizard creates a 3 + 1 cluster (its control plane is fixed at 3, as documented) on hcs-sim beside DCS, the list shows it Ready, the Node Pools
// tab scales its workers 1 -> 2 and upgrades both pools (the HCS extension's Upgrade), and Destroy
// leaves no server in hcs-sim. Cluster API's controllers, the HCS provider and the workload
// simulator are the real ones; only the platform is simulated.

// How long the UI may take to show a state; the numbers are bounds, not expectations.
const LONG = { timeout: 600_000, interval: 1_000 };
const CLUSTER = 'hcs-demo';
const WORKERS = `${CLUSTER}-worker-1`;
const artifacts =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let tmp: string;
let demo: DemoProcess | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
/** Wall times of each stage, printed for the README (never asserted). */
const wallTimes: [string, number][] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'iinfra-demo-hcs-test-'));
  demo = await DemoProcess.start(tmp, ['--provider', 'hcs']);
});

afterAll(async () => {
  if (wallTimes.length > 0)
    console.log(
      `demo hcs: wall times: ${wallTimes.map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
    );
  await browser?.close();
  await demo?.shutDown();
  rmSync(tmp, { recursive: true, force: true });
});

function started(): DemoStarted & { hcs: NonNullable<DemoStarted['hcs']> } {
  const value = demo?.started;
  if (!value?.hcs) throw new Error('the demo did not start with HCS');
  return value as DemoStarted & { hcs: NonNullable<DemoStarted['hcs']> };
}

function openPage(): Page {
  if (!page) throw new Error('no page was opened');
  return page;
}

const shot = (name: string) =>
  openPage().screenshot({ path: join(artifacts, `demo-hcs-${name}.png`), fullPage: true });

async function timed<T>(what: string, stage: () => Promise<T>): Promise<T> {
  const from = Date.now();
  const result = await stage();
  wallTimes.push([what, Date.now() - from]);
  return result;
}

async function expectAccessible(where: string): Promise<void> {
  expect(await seriousAccessibilityViolations(openPage()), `accessibility of ${where}`).toEqual([]);
}

/** The cluster's row in the list: version, phase, control plane, workers. */
async function listRow(): Promise<string[] | 'absent'> {
  const row = openPage().locator(`tr[data-cluster="${CLUSTER}"][data-namespace="${started().namespace}"]`);
  if ((await row.count()) === 0) return 'absent';
  const cells = row.locator('td');
  return Promise.all([2, 3, 4, 5].map(async (i) => (await cells.nth(i).textContent()) ?? ''));
}

function custom(): CustomObjectsApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(started().kubeconfig);
  return kubeConfig.makeApiClient(CustomObjectsApi);
}

async function clusterMachines(): Promise<{ spec: { version?: string }; status?: { phase?: string } }[]> {
  const answer = (await custom().listNamespacedCustomObject({
    group: 'cluster.x-k8s.io',
    version: 'v1beta2',
    namespace: started().namespace,
    plural: 'machines',
    labelSelector: `cluster.x-k8s.io/cluster-name=${CLUSTER}`,
  })) as { items: { spec: { version?: string }; status?: { phase?: string } }[] };
  return answer.items;
}

/** The servers hcs-sim holds, with the id of the image each booted, from its inspection endpoint. */
async function simulatorServers(): Promise<{ name: string; image: string }[]> {
  const state = (await (await fetch(`${started().hcs.sim}/_sim/state`)).json()) as {
    servers: { name: string; image?: { id?: string } }[];
  };
  return state.servers.map((s) => ({ name: s.name, image: s.image?.id ?? '' }));
}

/** The image ids the servers booted before the upgrade. */
let imagesBefore: Set<string>;

/** Fills a wizard step's fields in order (a select once it offers the value, a checkbox ticked), then presses `next`. */
async function fillStep(step: string, values: [string, string][], next = 'Next'): Promise<void> {
  const p = openPage();
  await p.locator(`[data-step="${step}"]`).waitFor();
  for (const [name, value] of values) {
    const field = p.locator(`[data-field="${name}"]`);
    await field.waitFor({ state: 'attached' });
    const tag = await field.evaluate((control) =>
      control.tagName === 'INPUT' ? (control as HTMLInputElement).type : control.tagName,
    );
    if (tag === 'checkbox') await field.check();
    else if (tag !== 'SELECT') await field.fill(value);
    else {
      await p
        .locator(`[data-field="${name}"] option[value="${value}"]`)
        .waitFor({ state: 'attached', timeout: 60_000 });
      await field.selectOption(value);
    }
  }
  await p.getByRole('button', { name: next }).click();
}

const upgradePanel = (pool: string) =>
  openPage().locator(`[data-extension="hcs.node-pool.upgrade"]:has([data-current="${pool}"])`);

/** Opens the pool's Upgrade on the Node Pools tab and waits until it has read what it needs. */
async function openUpgrade(pool: string): Promise<void> {
  const p = openPage();
  if (await upgradePanel(pool).count()) await upgradePanel(pool).locator('[data-action="close"]').click();
  await p.locator(`tr[data-pool="${pool}"]`).getByRole('button', { name: 'Upgrade' }).click();
  await p.waitForFunction((name) => {
    const target = document.querySelector(`[data-target="${name}"]`)?.textContent;
    return target !== undefined && target !== null && target !== '…';
  }, pool);
}

describe('the demo with --provider hcs', () => {
  it('creates a 3 + 1 HCS cluster in the wizard, beside DCS, and the UI shows it Ready', async () => {
    const { url, namespace, hcs } = started();
    expect(demo?.log()).toContain(`HCS: hcs-sim at ${hcs.sim}`);
    browser = await chromium.launch(chromiumLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.locator('input[name="token"]').fill(readFileSync(started().tokenFile, 'utf8').trim());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();

    // Both providers offer a workflow; the HCS one is chosen by its link.
    await page.goto(`${url}/#/create/${namespace}`);
    await page.getByRole('link', { name: 'Huawei Cloud Stack' }).click();
    await fillStep('basic-info', [
      ['credential', hcs.credential],
      ['name', CLUSTER],
      ['kubernetesVersion', hcs.kubernetesVersion],
    ]);
    // The network step lists the VPCs with the credential chosen in basic info.
    await fillStep('hcs-network', [
      ['vpc', hcs.vpc],
      [`subnets.${hcs.subnet}`, 'check'],
      ['securityGroup', hcs.securityGroup],
      ['vipSubnetName', hcs.subnet],
      ['vipAddress', hcs.vipAddress],
    ]);
    // The documented wizard fixes the control plane at 3 machines (high availability).
    await page.locator('[data-step="control-plane"]').waitFor();
    expect(await page.inputValue('[data-field="controlPlane.replicas"]')).toBe('3');
    await fillStep('control-plane', [['controlPlane.machineTemplate', hcs.machineTemplates[0]]]);
    await fillStep('worker-pools', [
      ['workers.0.machineTemplate', hcs.machineTemplates[1]],
      ['workers.0.replicas', '1'],
    ]);
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
    // The release ConfigMap of the version gives the control plane's CoreDNS and etcd tags.
    expect(await page.locator('[data-manifest] pre').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('"imageTag"')]),
    );
    await shot('wizard-review');
    await timed('create to Ready', async () => {
      await openPage().getByRole('button', { name: 'Create' }).click();
      await openPage().waitForURL(`**/#/clusters/${namespace}/${CLUSTER}`);
      await openPage().goto(`${url}/#/`);
      await expect.poll(listRow, LONG).toEqual([hcs.kubernetesVersion, 'Provisioned', '3/3', '1/1']);
    });
    await shot('ready');
    expect(await simulatorServers()).toHaveLength(4);
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
    const servers = await simulatorServers();
    expect(servers).toHaveLength(5);
    imagesBefore = new Set(servers.map((server) => server.image));
    expect(imagesBefore.size).toBe(1);
  });

  it('upgrades the control plane, then the workers, with the HCS Upgrade: new image, version and tags', async () => {
    const { hcs } = started();
    const p = openPage();
    await openUpgrade(CLUSTER);
    expect(
      await p.inputValue(`[data-extension="hcs.node-pool.upgrade"] [data-field="kubernetesVersion"]`),
    ).toBe(hcs.upgradeVersion);
    await expectAccessible('the control plane upgrade');
    await shot('upgrade-control-plane');
    await timed('upgrade of the control plane', async () => {
      await upgradePanel(CLUSTER).locator('[data-action="confirm"]').click();
      await upgradePanel(CLUSTER).locator(`[data-progress="${CLUSTER}"]:has-text("(done)")`).waitFor(LONG);
    });
    await upgradePanel(CLUSTER).locator('[data-action="close"]').click();
    await openUpgrade(WORKERS);
    await expect
      .poll(() => upgradePanel(WORKERS).locator(`[data-problems="${WORKERS}"] li`).allTextContents(), LONG)
      .toEqual([]);
    await timed('upgrade of the workers', async () => {
      await upgradePanel(WORKERS).locator('[data-action="confirm"]').click();
      await upgradePanel(WORKERS).locator(`[data-progress="${WORKERS}"]:has-text("(done)")`).waitFor(LONG);
    });
    await p.goto(`${started().url}/#/`);
    await expect.poll(listRow, LONG).toEqual([hcs.upgradeVersion, 'Provisioned', '3/3', '2/2']);
    await shot('upgraded');
    const versionsAndPhases = async () =>
      (await clusterMachines()).map((m) => [m.spec.version, m.status?.phase]);
    await expect
      .poll(versionsAndPhases, LONG)
      .toEqual(Array.from({ length: 5 }, () => [hcs.upgradeVersion, 'Running']));
    // Every server was replaced by one booted from the release's image (old ones may still be going).
    await expect
      .poll(async () => (await simulatorServers()).filter((server) => imagesBefore.has(server.image)), LONG)
      .toEqual([]);
  });

  it('destroys the cluster: gone from the list, no server left in hcs-sim', async () => {
    const { url, namespace } = started();
    const p = openPage();
    await p.goto(`${url}/#/clusters/${namespace}/${CLUSTER}`);
    await p.getByRole('button', { name: 'Destroy', exact: true }).click();
    const dialog = p.getByRole('dialog', { name: `Destroy ${CLUSTER}?` });
    await dialog.getByLabel('Cluster name to confirm').fill(CLUSTER);
    await timed('destroy', async () => {
      await dialog.getByRole('button', { name: `Destroy ${CLUSTER}` }).click();
      await p.goto(`${url}/#/`);
      await p.getByRole('heading', { name: 'Clusters' }).waitFor();
      await expect.poll(listRow, LONG).toBe('absent');
      await expect.poll(simulatorServers, LONG).toEqual([]);
    });
    await expect.poll(clusterMachines, LONG).toEqual([]);
  });
});
