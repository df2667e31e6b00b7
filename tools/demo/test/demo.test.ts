import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromiumLaunchOptions } from '@immutable-infra/testkit';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoProcess, descendants, stillRunning } from './demo-process.ts';

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl demo@example';
// How long the UI may take to show a state; the numbers are bounds, not expectations.
const LONG = { timeout: 600_000 };

let tmp: string;
let demo: DemoProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  // Everything the demo puts in a temporary directory lands here, so the test can see it is all gone.
  tmp = mkdtempSync(join(tmpdir(), 'iinfra-demo-test-'));
  demo = await DemoProcess.start(tmp);
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

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
    const started = demo?.started;
    if (!started) throw new Error('the demo did not start');
    browser = await chromium.launch(chromiumLaunchOptions());
    const page = await browser.newPage();
    await signIn(page, started.url, readFileSync(started.tokenFile, 'utf8').trim());

    await page.goto(`${started.url}/#/create/${started.namespace}`);
    // Step 1: basic info. The version is the newest the seeded ConfigMaps offer.
    await page.waitForSelector('[data-field="credential"] option[value="dcs-auth"]', { state: 'attached' });
    await page.selectOption('[data-field="credential"]', 'dcs-auth');
    await page.fill('[data-field="name"]', 'demo');
    await page.fill('[data-field="apiServerAddress"]', started.apiServerAddress);
    await expect.poll(() => page.inputValue('[data-field="kubernetesVersion"]'), LONG).toBe('v1.35.4');
    await page.getByRole('button', { name: 'Next' }).click();
    // Step 2: the control plane. The documented wizard fixes it at 3 machines (high availability).
    await page.waitForSelector('[data-field="controlPlane.machineTemplate"] option[value="cp-1-35"]', {
      state: 'attached',
    });
    await page.selectOption('[data-field="controlPlane.machineTemplate"]', 'cp-1-35');
    expect(await page.inputValue('[data-field="controlPlane.replicas"]')).toBe('3');
    await page.fill('[data-field="controlPlane.sshAuthorizedKeys"]', SSH_KEY);
    await page.getByRole('button', { name: 'Next' }).click();
    // Step 3: one worker.
    await page.waitForSelector('[data-field="workers.0.machineTemplate"] option[value="worker-1-35"]', {
      state: 'attached',
    });
    await page.selectOption('[data-field="workers.0.machineTemplate"]', 'worker-1-35');
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
    const createdAt = Date.now();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: /demo/ }).waitFor();

    // The list, fed by server-sent events: Ready is the phase with nothing left to wait for and every
    // machine ready.
    await page.goto(`${started.url}/#/`);
    const row = page.locator(`tr[data-cluster="demo"][data-namespace="${started.namespace}"]`);
    await row.waitFor();
    const cells = row.locator('td');
    await expect
      .poll(
        async () => [
          await cells.nth(3).textContent(),
          await cells.nth(4).textContent(),
          await cells.nth(5).textContent(),
        ],
        { ...LONG, interval: 1_000 },
      )
      .toEqual(['Provisioned', '3/3', '1/1']);
    const seconds = (Date.now() - createdAt) / 1000;
    console.log(`demo: create to Ready in the UI: ${seconds.toFixed(1)} s`);

    // The API server agrees: Cluster API's controllers report the cluster Available.
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(started.kubeconfig);
    const cluster = (await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: started.namespace,
      plural: 'clusters',
      name: 'demo',
    })) as { status?: { conditions?: { type: string; status: string }[] } };
    expect(cluster.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
  });

  it('stops everything on SIGINT and leaves no process and no temporary directory', async () => {
    const running = demo;
    if (!running) throw new Error('the demo did not start');
    const pid = running.child.pid ?? 0;
    const tree = descendants(pid);
    // etcd, kube-apiserver, three Cluster API managers, and the workload cluster's processes.
    const names = tree.map((p) => p.command);
    expect(names).toEqual(expect.arrayContaining(['etcd', 'kube-apiserver', 'cluster-api-con']));
    expect(readdirSync(tmp).length).toBeGreaterThan(0);

    expect(await running.stop('SIGINT')).toBe(0);
    // Processes reparented to init may take a moment to be reaped; their pids must not come back.
    for (let i = 0; i < 50 && tree.some(stillRunning); i++) await sleep(100);
    expect(tree.filter(stillRunning).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    expect(running.log()).toContain('demo: stopped');
  });
});
