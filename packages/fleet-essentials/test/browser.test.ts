import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetServer } from '../src/index.js';
import { expectAccessible } from './accessibility.ts';
import { createCapiCluster, createEvents } from './cluster-fixtures.ts';
import { grant, grantRules } from './rbac.ts';
import { TEST_USERS } from './users.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

let kubeConfig: KubeConfig;
let server: Awaited<ReturnType<typeof createFleetServer>>;
let browser: Browser;
let url: string;
let ns: string;

async function signedIn(token: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Kubernetes bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Clusters' }).waitFor();
  return page;
}

/** A screenshot of each page the test visits, and axe-core's check of it: no serious or critical violation. */
const shot = async (page: Page, name: string) => {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await expectAccessible(page, name);
};

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  kubeConfig = testKubeConfig();
  ns = await createTestNamespace(kubeConfig, 'ui');
  await grant(kubeConfig, 'fleet-operators', ns, ['get', 'list', 'watch', 'delete', 'patch'], 'ui-operator');
  await grant(kubeConfig, 'fleet-viewers', ns, ['get', 'list', 'watch'], 'ui-viewer');
  await createCapiCluster(kubeConfig, ns, 'alpha', {
    version: 'v1.35.4',
    controlPlane: [3, 3],
    workers: [2, 3],
    phase: 'Provisioned',
  });
  await createCapiCluster(kubeConfig, ns, 'bravo', {
    version: 'v1.34.2',
    controlPlane: [0, 1],
    workers: [0, 2],
    phase: 'Provisioning',
  });
  server = await createFleetServer({
    kubeConfig,
    extensionPackages: [fixture('ext-good'), fixture('ext-future'), fixture('ext-throws')],
  });
  url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  // Playwright starts every launch with a fresh, empty profile.
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Fleet Essentials in a real browser', () => {
  it('refuses a wrong token with the reason, then signs in and lists the clusters', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('Kubernetes bearer token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('did not accept this token');
    await shot(page, 'sign-in-refused');
    await context.close();

    const signed = await signedIn(TEST_USERS.operator.token);
    await signed.getByLabel('Search clusters').fill(ns);
    const row = (name: string) => signed.locator(`tr[data-cluster="${name}"][data-namespace="${ns}"]`);
    await row('bravo').waitFor();
    await expect(row('alpha').textContent()).resolves.toMatch(
      /alpha.*dcs.*v1\.35\.4.*Provisioned.*3\/3.*2\/3/,
    );
    await expect(row('bravo').textContent()).resolves.toContain('waiting for ControlPlaneInitialized');
    await shot(signed, 'cluster-list');
  });

  it('opens a cluster and scales a node pool, which changes the MachineDeployment', async () => {
    const page = await signedIn(TEST_USERS.operator.token);
    await page.getByLabel('Search clusters').fill(ns);
    await page.locator(`a[href="#/clusters/${ns}/alpha"]`).click();
    await page.getByRole('heading', { name: /alpha/ }).waitFor();
    await expect(page.getByRole('table', { name: 'Conditions' }).textContent()).resolves.toContain(
      'InfrastructureReady',
    );
    await page.getByRole('tab', { name: 'Node Pools' }).click();
    // The control plane's row shows its size without a scale control: it keeps three nodes.
    await expect(
      page.locator('tr[data-pool="alpha-cp"] [data-fixed-replicas]').textContent(),
    ).resolves.toMatch(/fixed/);
    await expect(page.getByLabel('Replicas of alpha-cp').count()).resolves.toBe(0);
    await page.getByLabel('Replicas of alpha-workers').fill('4');
    await page.locator('tr[data-pool="alpha-workers"]').getByRole('button', { name: 'Scale' }).click();
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    await eventually('MachineDeployment scaled to 4', async () => {
      const md = (await custom.getNamespacedCustomObject({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: ns,
        plural: 'machinedeployments',
        name: 'alpha-workers',
      })) as { spec: { replicas: number } };
      return md.spec.replicas === 4 ? true : undefined;
    });
    // The page shows the stored count once it has reloaded the pool; a field typed into before
    // that would be reset to the new stored value (on purpose: see useFollowing).
    await page.locator('tr[data-pool="alpha-workers"] td', { hasText: /^\d+\/4$/ }).waitFor();
    await page.getByLabel('Replicas of alpha-workers').fill('-2');
    await page.locator('tr[data-pool="alpha-workers"]').getByRole('button', { name: 'Scale' }).click();
    await expect(page.locator('tr[data-pool="alpha-workers"] [role=alert]').textContent()).resolves.toContain(
      'replicas must be a whole number',
    );
    await shot(page, 'node-pools');
  });

  it('offers the kubeconfig download only to whom RBAC lets read it, and downloads it', async () => {
    const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\n';
    await KubernetesObjectApi.makeApiClient(kubeConfig).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'alpha-kubeconfig', namespace: ns },
      data: { value: Buffer.from(kubeconfig).toString('base64') },
    } as never);
    await grantRules(
      kubeConfig,
      'fleet-operators',
      ns,
      [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['alpha-kubeconfig'] }],
      'ui-alpha-kubeconfig',
    );
    const viewer = await signedIn(TEST_USERS.viewer.token);
    await viewer.goto(`${url}/#/clusters/${ns}/alpha`);
    await viewer.getByRole('heading', { name: /alpha/ }).waitFor();
    await viewer.getByRole('button', { name: 'Destroy' }).waitFor();
    await expect(viewer.getByRole('link', { name: 'Download kubeconfig' }).count()).resolves.toBe(0);
    const operator = await signedIn(TEST_USERS.operator.token);
    await operator.goto(`${url}/#/clusters/${ns}/alpha`);
    const link = operator.getByRole('link', { name: 'Download kubeconfig' });
    await link.waitFor();
    const [download] = await Promise.all([operator.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('alpha.kubeconfig');
    const path = await download.path();
    expect(readFileSync(path, 'utf8')).toBe(kubeconfig);
    await shot(operator, 'cluster-kubeconfig');
  });

  it("shows the cluster's events, newest first, with warnings marked", async () => {
    await createEvents(kubeConfig, ns, [
      {
        name: 'ev-1',
        kind: 'Cluster',
        object: 'alpha',
        reason: 'Provisioned',
        type: 'Normal',
        at: '2026-12-01T10:00:00Z',
      },
      {
        name: 'ev-2',
        kind: 'MachineDeployment',
        object: 'alpha-workers',
        reason: 'PlatformUnavailable',
        type: 'Warning',
        at: '2026-12-01T10:10:00Z',
      },
    ]);
    await grantRules(
      kubeConfig,
      'fleet-operators',
      ns,
      [{ apiGroups: [''], resources: ['events'], verbs: ['list'] }],
      'ui-events',
    );
    const page = await signedIn(TEST_USERS.operator.token);
    await page.goto(`${url}/#/clusters/${ns}/alpha`);
    await page.getByRole('tab', { name: 'Events' }).click();
    const table = page.getByRole('table', { name: 'Events' });
    await table.waitFor();
    const reasons = await table
      .locator('[data-event-reason]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-reason')));
    expect(reasons).toEqual(['PlatformUnavailable', 'Provisioned']);
    await expect(table.locator('[data-event-reason="PlatformUnavailable"]').textContent()).resolves.toContain(
      'Warning',
    );
    await shot(page, 'cluster-events');
  });

  it('adds a health check for a node pool, shows it, and deletes it', async () => {
    await grantRules(
      kubeConfig,
      'fleet-operators',
      ns,
      [
        {
          apiGroups: ['cluster.x-k8s.io'],
          resources: ['machinehealthchecks'],
          verbs: ['list', 'create', 'delete'],
        },
      ],
      'ui-mhc',
    );
    const page = await signedIn(TEST_USERS.operator.token);
    await page.goto(`${url}/#/clusters/${ns}/alpha`);
    await page.getByRole('tab', { name: 'Health Checks' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: "No MachineHealthCheck watches this cluster's machines." })
      .waitFor();
    await page.getByLabel('Health check pool').selectOption('MachineDeployment/alpha-workers');
    await page.getByLabel('Unhealthy after seconds').fill('10');
    await page.getByRole('button', { name: 'Add health check' }).click();
    await expect(page.locator('p[data-field="unhealthySeconds"]').textContent()).resolves.toContain(
      'unhealthySeconds must be a whole number of seconds from 30 to 86400',
    );
    await page.getByLabel('Unhealthy after seconds').fill('300');
    await page.getByRole('button', { name: 'Add health check' }).click();
    const row = page.locator('tr[data-health-check="alpha-workers-health"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Ready=False for 300s, Ready=Unknown for 300s');
    await shot(page, 'health-checks');
    await page.getByRole('button', { name: 'Delete health check alpha-workers-health' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('loads compatible extensions, names the versions of a gated one, and survives one that throws', async () => {
    const page = await signedIn(TEST_USERS.operator.token);
    await page.goto(`${url}/#/clusters/${ns}/alpha`);
    await page.getByRole('tab', { name: 'Extensions' }).click();
    await page.locator('[data-extension="good.details"]').getByText('details of alpha').waitFor();
    await page
      .locator('[data-extension="throws.tab"]')
      .getByText('The extension Throwing tab failed: boom from the extension')
      .waitFor();
    await expect(
      page.locator('[data-extension-gated="@example/provider-future"]').textContent(),
    ).resolves.toContain(
      'was built for anchor API ^2.0.0, but this Fleet Essentials provides anchor API 1.1.0',
    );
    // The entry good.someday names an anchor this host does not know: skipped, and said so here.
    const notes = page.locator('[data-extension-notes="@example/provider-good"]');
    await expect(notes.locator('li').allTextContents()).resolves.toEqual([
      'extensions.1 (good.someday) names the anchor cluster.someday, which this Fleet Essentials does not provide; the entry is skipped',
    ]);
    await expect(notes.textContent()).resolves.toContain(
      '@example/provider-good: some entries are not shown by this Fleet Essentials',
    );
    await expectAccessible(page, 'extension notes');
    // The rest of the page still works.
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect(page.getByRole('table', { name: 'Conditions' }).isVisible()).resolves.toBe(true);
    await shot(page, 'extensions');

    await page.goto(`${url}/?safe-mode=1#/clusters/${ns}/alpha`);
    await page.getByRole('tab', { name: 'Extensions' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain(
      'Safe mode: extensions are not loaded.',
    );
    expect(await page.locator('[data-extension]').count()).toBe(0);
    await expectAccessible(page, 'safe mode');
  });

  it('works from the keyboard: skip to content, and the arrow keys between the cluster tabs', async () => {
    const page = await signedIn(TEST_USERS.operator.token);
    await page.goto(`${url}/#/clusters/${ns}/alpha`);
    await page.getByRole('heading', { name: /alpha/ }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('fleet-main');
    expect(page.url()).toContain(`#/clusters/${ns}/alpha`);

    const selected = () => page.getByRole('tab', { selected: true }).textContent();
    await page.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(selected).toBe('Nodes');
    await expect.poll(() => page.locator(':focus').textContent()).toBe('Nodes');
    await page.keyboard.press('End');
    await expect.poll(selected).toBe('Extensions');
    await page.keyboard.press('ArrowRight');
    await expect.poll(selected).toBe('Overview');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(selected).toBe('Extensions');
    await page.keyboard.press('Home');
    await expect.poll(selected).toBe('Overview');
    await expect.poll(() => page.locator(':focus').textContent()).toBe('Overview');
    await expect(page.getByRole('table', { name: 'Conditions' }).isVisible()).resolves.toBe(true);
    await shot(page, 'keyboard');
  });

  it('shows the API server refusal when RBAC forbids destroying, and destroys with a typed confirmation', async () => {
    const viewer = await signedIn(TEST_USERS.viewer.token);
    await viewer.goto(`${url}/#/clusters/${ns}/bravo`);
    await viewer.getByRole('button', { name: 'Destroy' }).click();
    const confirm = viewer.getByRole('button', { name: 'Destroy bravo' });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await viewer.getByLabel('Cluster name to confirm').fill('bravo');
    await confirm.click();
    await expect(viewer.getByRole('alert').textContent()).resolves.toContain(
      'User "victor" cannot delete resource "clusters"',
    );
    await shot(viewer, 'destroy-forbidden');

    const operator = await signedIn(TEST_USERS.operator.token);
    await operator.goto(`${url}/#/clusters/${ns}/bravo`);
    await operator.getByRole('button', { name: 'Destroy' }).click();
    await operator.getByLabel('Cluster name to confirm').fill('bravo');
    await operator.getByRole('button', { name: 'Destroy bravo' }).click();
    await operator.getByText('Cluster bravo has been deleted.').waitFor();
    await shot(operator, 'destroyed');
  });
});
