import { Writable } from 'node:stream';
import type { KubernetesManifest } from '@immutable-infra/core';
import type { DcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import {
  type ClusterApiControllers,
  eventually,
  freePort,
  startClusterApiControllers,
} from '@immutable-infra/testkit';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDcsProvider } from '../../src/provider.js';
import { SSH_KEY } from '../ui/wizard-scenario.js';
import {
  type DcsLab,
  describeWhatTheBrowserReceived,
  type FleetHost,
  INFRA,
  type Loose,
  openFleet,
  PASSWORD,
  screenshotFailures,
  startDcsLab,
  USER,
} from './fleet-host.js';

let lab: DcsLab;
let host: FleetHost;
// Short names for what the lab and the host hold, set once they are up.
let kubeConfig: KubeConfig;
let ns: string;
let sim: DcsSimulator;
let page: Page;
let url: string;
let capi: ClusterApiControllers;
let manager: Manager;
let apiServerAddress: string;
let reviewed: KubernetesManifest[] = [];
const managerLog: string[] = [];

beforeAll(async () => {
  lab = await startDcsLab('fleet-dcs', { taskSeconds: 0.05 });
  ({ kubeConfig, ns, sim } = lab);
  // A control plane endpoint nobody listens on: KubeadmControlPlane's calls to it fail at once.
  apiServerAddress = `https://127.0.0.1:${await freePort()}`;
  capi = await startClusterApiControllers(lab.kubeConfig, {
    assets: inject('iinfraEnvtestAssets'),
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    extraArgs: {
      core: [`--namespace=${lab.ns}`],
      'kubeadm-bootstrap': [`--namespace=${lab.ns}`],
      'kubeadm-control-plane': [`--namespace=${lab.ns}`, '--etcd-dial-timeout-duration=3s'],
    },
  });
  manager = new Manager({
    kubeConfig: lab.kubeConfig,
    namespace: lab.ns,
    providers: [createDcsProvider({ sessions: { timeoutMs: 5_000 } })],
    log: createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _encoding, callback) {
          managerLog.push(String(chunk));
          callback();
        },
      }),
    }),
  });
  void manager.start();
  host = await openFleet(lab);
  ({ page, url } = host);
}, 300_000);

afterAll(async () => {
  await host?.close();
  await manager?.stop();
  await capi?.stop();
  await lab?.close();
}, 120_000);

screenshotFailures(() => host);

const custom = () => kubeConfig.makeApiClient(CustomObjectsApi);
const list = (group: string, version: string, plural: string) => lab.list(group, version, plural);
const shot = (name: string) => host.shot(name);
const field = (name: string) => host.field(name);
const option = (name: string, value: string) => host.option(name, value);
const errorNextTo = (name: string) => host.errorNextTo(name);

/** Nothing of a cluster exists in the namespace (the templates and the pool the user made are not the wizard's). */
async function nothingCreated(): Promise<void> {
  for (const [group, version, plural] of [
    ['cluster.x-k8s.io', 'v1beta2', 'clusters'],
    ['cluster.x-k8s.io', 'v1beta2', 'machinedeployments'],
    ['controlplane.cluster.x-k8s.io', 'v1beta2', 'kubeadmcontrolplanes'],
    ['bootstrap.cluster.x-k8s.io', 'v1beta2', 'kubeadmconfigtemplates'],
    [INFRA, 'v1beta1', 'dcsclusters'],
  ] as const)
    expect(await list(group, version, plural), plural).toEqual([]);
  expect((await list(INFRA, 'v1beta1', 'dcsmachinetemplates')).map((t) => t.metadata.name)).toEqual([
    'lab-cp',
    'lab-worker',
  ]);
}

/** The step's headings: the host's title only (the steps do not repeat it). */
const stepHeadings = (step: string) =>
  host.page.locator(`[data-step="${step}"] :is(h1, h2, h3)`).allTextContents();

/** Waits (as long as the page takes to validate) until the host's step notice says `text`. */
const noticeSays = (text: string) =>
  host.page
    .locator('[data-step-notice]')
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor();

describe('Huawei DCS in Fleet Essentials: credential, IP pool, machine templates and a cluster through the wizard', () => {
  it('signs in with a bearer token and creates a credential whose connection test passes against dcs-sim', async () => {
    await host.signIn();

    await page.goto(`${url}/#/infrastructure/credentials/${ns}`);
    await page.locator('[data-extension="dcs.credentials"] [data-action="create"]').click();
    await field('name').fill('dcs-lab');
    await field('displayName').fill('Lab DCS');
    await field('endpoint').fill(sim.url);
    await field('authUser').fill(USER);
    await field('authKey').fill(PASSWORD);
    await field('site').fill('3CD306E7');
    // The simulator speaks plain HTTP: the form takes it only with the box ticked.
    await field('allowPlainHTTP').check();
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-toast="success"]', { hasText: 'Credential dcs-lab saved; connection OK' })
      .waitFor();
    // Back on the list, whose own test runs through the platform proxy again.
    await page.locator('[data-action="test:dcs-lab"]').click();
    const verdict = page.locator('[data-connection-result="dcs-lab"][data-result]');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-result')).toBe('ok');
    expect(await verdict.textContent()).toMatch(/^Connection OK: logged in; site/);
    await shot('1-credential');
    // The extension's own styles apply under the host's Content-Security-Policy.
    expect(
      await page
        .locator('[data-extension="dcs.credentials"] .dcs-ext')
        .evaluate((root) => getComputedStyle(root).fontSize),
    ).toBe('14px');
    const secret = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: ns, name: 'dcs-lab' });
    expect(Buffer.from(secret.data?.authKey ?? '', 'base64').toString()).toBe(PASSWORD);
    expect(sim.state().logins.failed).toBe(0);
  });

  it('creates an IP pool and two machine templates from what the platform proxy lists', async () => {
    await page.goto(`${url}/#/infrastructure/ip-pools/${ns}`);
    await page.locator('[data-extension="dcs.ip-pools"] [data-action="create"]').click();
    await option('credential', 'dcs-lab');
    await field('credential').selectOption('dcs-lab');
    await field('name').fill('lab-pool');
    // 3 control plane entries (KubeadmControlPlane's fixed size) and 1 worker entry.
    for (let i = 0; i < 4; i++) {
      if (i > 0) await page.locator('[data-action="add-entry"]').click();
      await option(`pool.${i}.dvSwitchName`, 'DVS-Business');
      await field(`pool.${i}.ip`).fill(`10.0.9.${11 + i}`);
      await field(`pool.${i}.mask`).fill('24');
      await field(`pool.${i}.gateway`).fill('10.0.9.1');
      await field(`pool.${i}.dns`).fill('10.0.0.2');
      await field(`pool.${i}.hostname`).fill(`lab-node-${i + 1}`);
      await field(`pool.${i}.machineName`).fill(`${ns}-node-${i + 1}`);
      await field(`pool.${i}.dvSwitchName`).selectOption('DVS-Business');
      await field(`pool.${i}.portGroupName`).selectOption('business-vlan100');
    }
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="dcs.ip-pools"] [data-name="lab-pool"]').waitFor();
    // One announcement of the save: the host's.
    const toasts = await page.locator('[data-toast]', { hasText: 'lab-pool' }).allTextContents();
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toContain('Saved lab-pool');
    // The host's heading names the provider; the extension's names what it lists.
    expect(await page.locator('[data-extension="dcs.ip-pools"] h2').allTextContents()).toEqual([
      'Huawei DCS',
      'IP pools',
    ]);
    await shot('2-ip-pool');

    await page.goto(`${url}/#/infrastructure/machine-templates/${ns}`);
    for (const [name, type, cpu, disks] of [
      ['lab-cp', 'control-plane', '4', 4],
      ['lab-worker', 'worker', '8', 3],
    ] as const) {
      await page.locator('[data-extension="dcs.machine-templates"] [data-action="create"]').click();
      await option('credential', 'dcs-lab');
      await field('credential').selectOption('dcs-lab');
      await option('folder', 'kubernetes');
      await field('name').fill(name);
      await field('type').selectOption(type);
      await option('vmTemplateName', 'ubuntu-2204-k8s-v1.35');
      await field('vmTemplateName').selectOption('ubuntu-2204-k8s-v1.35');
      await field('folder').selectOption('kubernetes');
      await field('cpu').fill(cpu);
      await field('memoryMB').fill('8192');
      expect(await page.locator('[data-disk]').count()).toBe(disks);
      for (let i = 0; i < disks; i++) {
        await option(`disks.${i}.datastore`, 'ssd-pool');
        await field(`disks.${i}.datastore`).selectOption('ssd-pool');
      }
      await option('ipPool', 'lab-pool');
      await field('ipPool').selectOption('lab-pool');
      await page.locator('[data-action="save"]').click();
      await page.locator(`[data-extension="dcs.machine-templates"] [data-name="${name}"]`).waitFor();
    }
    await shot('3-machine-templates');
    const templates = await list(INFRA, 'v1beta1', 'dcsmachinetemplates');
    expect(templates.map((t) => [t.metadata.name, t.metadata.labels?.[`${INFRA}/dcs-machine-type`]])).toEqual(
      [
        ['lab-cp', 'control-plane'],
        ['lab-worker', 'worker'],
      ],
    );
    expect(templates[0]?.spec.template.spec.ipHostPoolRef).toEqual({ name: 'lab-pool' });
  });

  it('runs the documented wizard rules through the host: each error next to its field, the user kept on the step, nothing created', async () => {
    await page.goto(`${url}/#/create/${ns}`);
    await page.reload();
    await page.locator('[data-step="basic-info"]').waitFor();
    await expect.poll(() => field('kubernetesVersion').inputValue(), { timeout: 30_000 }).toBe('v1.35.1');
    // The newest version the ConfigMaps offer, not the user's to change.
    expect(await field('kubernetesVersion').getAttribute('readonly')).not.toBeNull();
    await field('name').fill('global');
    await field('apiServerAddress').fill('192.0.2.100:6443');
    await page.getByRole('button', { name: 'Next' }).click();
    await noticeSays('3 problems on this step; see the marked fields.');
    expect(await errorNextTo('credential')).toBe('choose a cloud credential');
    expect(await errorNextTo('name')).toBe('global is the name of the global cluster and is reserved');
    expect(await errorNextTo('apiServerAddress')).toBe('must look like https://<load-balancer-address>:6443');
    await shot('rules-1-basic-info');
    await option('credential', 'dcs-lab');
    await field('credential').selectOption('dcs-lab');
    await field('name').fill('global-dr');
    await field('apiServerAddress').fill(apiServerAddress);
    await page.getByRole('button', { name: 'Next' }).click();
    await page
      .locator('[data-error-for="name"]', {
        hasText: 'the global- prefix is reserved for the global cluster’s disaster recovery',
      })
      .waitFor();
    await field('name').fill('rules');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.locator('[data-step="control-plane"]').waitFor();
    await option('controlPlane.machineTemplate', 'lab-cp');
    // The documented wizard fixes the control plane at 3 machines.
    expect(await field('controlPlane.replicas').inputValue()).toBe('3');
    await field('controlPlane.sshAuthorizedKeys').fill('not-a-key');
    await page.getByRole('button', { name: 'Next' }).click();
    await noticeSays('2 problems on this step; see the marked fields.');
    expect(await errorNextTo('controlPlane.machineTemplate')).toBe('choose a machine template');
    expect(await errorNextTo('controlPlane.sshAuthorizedKeys')).toBe(
      'not a single-line OpenSSH public key (ssh-ed25519 AAAA…, ssh-rsa AAAA…)',
    );
    await shot('rules-2-control-plane');
    await field('controlPlane.machineTemplate').selectOption('lab-cp');
    await field('controlPlane.sshAuthorizedKeys').fill(SSH_KEY);
    await page.getByRole('button', { name: 'Next' }).click();

    // Capacity (the pool's 4 entries shared with the control plane's 3), maxSurge/maxUnavailable, unique names.
    await page.locator('[data-step="worker-pools"]').waitFor();
    await option('workers.0.machineTemplate', 'lab-worker');
    await field('workers.0.machineTemplate').selectOption('lab-worker');
    await field('workers.0.replicas').fill('2');
    await field('workers.0.maxUnavailable').fill('0');
    await page.locator('[data-action="add-pool"]').click();
    await option('workers.1.machineTemplate', 'lab-worker');
    await field('workers.1.name').fill('rules-worker-1');
    await field('workers.1.machineTemplate').selectOption('lab-worker');
    await field('workers.1.replicas').fill('1');
    await field('workers.1.maxSurge').fill('-1');
    await page.getByRole('button', { name: 'Next' }).click();
    await noticeSays('5 problems on this step; see the marked fields.');
    const capacity = 'IP pool lab-pool has 4 free of 4 entries; 6 needed (shared by 3 node pools)';
    expect(await errorNextTo('workers.0.replicas')).toBe(capacity);
    expect(await errorNextTo('workers.1.replicas')).toBe(capacity);
    expect(await errorNextTo('workers.0.maxUnavailable')).toBe(
      'with max surge 0, max unavailable must be at least 1, or no node can be replaced',
    );
    expect(await errorNextTo('workers.1.name')).toBe('pool name rules-worker-1 is already used by pool 1');
    expect(await errorNextTo('workers.1.maxSurge')).toBe('max surge must be a whole number of at least 0');
    await shot('rules-3-worker-pools');
    // Back and Next again: the step comes back with the problems the user already saw.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator('[data-step="control-plane"]').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('[data-step="worker-pools"]').waitFor();
    expect(await errorNextTo('workers.1.maxSurge')).toBe('max surge must be a whole number of at least 0');
    await page.locator('[data-action="remove-pool:1"]').click();
    await page.getByRole('button', { name: 'Next' }).click();
    await noticeSays('2 problems on this step; see the marked fields.');
    expect(await errorNextTo('workers.0.replicas')).toBe(
      'IP pool lab-pool has 4 free of 4 entries; 5 needed (shared by 2 node pools)',
    );
    await field('workers.0.replicas').fill('1');
    await field('workers.0.maxUnavailable').fill('1');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.locator('[data-step="networking"]').waitFor();
    await field('networking.podsCidr').fill('10.3.0.0/16');
    await field('networking.servicesCidr').fill('10.3.128.0/20');
    await field('networking.joinCidr').fill('100.64.0.1/16');
    await page.getByRole('button', { name: 'Review' }).click();
    await noticeSays('2 problems on this step; see the marked fields.');
    expect(await errorNextTo('networking.servicesCidr')).toBe('Services CIDR overlaps Pods CIDR 10.3.0.0/16');
    expect(await errorNextTo('networking.joinCidr')).toBe(
      'Join CIDR has host bits set; the network is 100.64.0.0/16',
    );
    await shot('rules-4-networking');
    await nothingCreated();
  });

  it('creates a cluster through the five wizard steps; the API server holds exactly what the review showed', async () => {
    await page.goto(`${url}/#/create/${ns}`);
    await page.reload(); // a fresh wizard, not the one the rules left
    await page.locator('[data-step="basic-info"]').waitFor();
    await option('credential', 'dcs-lab');
    await field('credential').selectOption('dcs-lab');
    await expect.poll(() => field('kubernetesVersion').inputValue(), { timeout: 30_000 }).toBe('v1.35.1');
    await field('name').fill('lab');
    await field('displayName').fill('Lab cluster');
    await field('apiServerAddress').fill(apiServerAddress);
    expect(await stepHeadings('basic-info')).toEqual(['Basic Info']);
    await shot('wizard-1-basic-info');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.locator('[data-step="control-plane"]').waitFor();
    await option('controlPlane.machineTemplate', 'lab-cp');
    expect(
      await page.locator('[data-field="controlPlane.machineTemplate"] option[value="lab-worker"]').count(),
    ).toBe(0);
    await field('controlPlane.machineTemplate').selectOption('lab-cp');
    await field('controlPlane.sshAuthorizedKeys').fill(SSH_KEY);
    expect(await stepHeadings('control-plane')).toEqual(['Control Plane Node Pool']);
    await shot('wizard-2-control-plane');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.locator('[data-step="worker-pools"]').waitFor();
    await option('workers.0.machineTemplate', 'lab-worker');
    expect(await field('workers.0.name').inputValue()).toBe('lab-worker-1');
    await field('workers.0.machineTemplate').selectOption('lab-worker');
    await field('workers.0.replicas').fill('1');
    await field('workers.0.sshAuthorizedKeys').fill(SSH_KEY);
    expect(await stepHeadings('worker-pools')).toEqual(['Worker Node Pools', 'Worker pool 1']);
    await shot('wizard-3-worker-pools');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.locator('[data-step="networking"]').waitFor();
    await field('networking.podsCidr').fill('10.3.0.0/16');
    await field('networking.servicesCidr').fill('10.4.0.0/16');
    await field('networking.joinCidr').fill('100.64.0.0/16');
    expect(await stepHeadings('networking')).toEqual(['Networking']);
    await shot('wizard-4-networking');
    await page.getByRole('button', { name: 'Review' }).click();

    await page.locator('[data-step="review"]').waitFor();
    await shot('wizard-5-review');
    // The extension's warnings reach the host's review (no global Cluster exists here).
    expect(await page.getByRole('list', { name: 'Warnings' }).locator('li').allTextContents()).toContain(
      'the global Cluster could not be read, so the kube-ovn version and registry address annotations are left out',
    );
    reviewed = (await page.locator('[data-manifest] pre').allTextContents()).map(
      (text) => JSON.parse(text) as KubernetesManifest,
    );
    expect(reviewed.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'DCSCluster/lab',
      'DCSMachineTemplate/lab-cp-template',
      'KubeadmControlPlane/lab-kcp',
      'DCSMachineTemplate/lab-worker-1-template',
      'MachineDeployment/lab-worker-1',
      'KubeadmConfigTemplate/lab-worker-1-kct',
      'Cluster/lab',
    ]);
    // Nothing exists before Create.
    expect(await list('cluster.x-k8s.io', 'v1beta2', 'clusters')).toEqual([]);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/#/clusters/${ns}/lab`);
    await page.getByRole('heading', { name: /lab/ }).waitFor();
    await shot('wizard-6-created');

    // Each reviewed object, read back at the reviewed version: every reviewed field as shown
    // (the API server and Cluster API's webhooks may only add defaults).
    for (const manifest of reviewed) {
      const [group, version] = manifest.apiVersion.split('/') as [string, string];
      const stored = (await custom().getNamespacedCustomObject({
        group,
        version,
        namespace: ns,
        plural: `${manifest.kind.toLowerCase()}s`,
        name: manifest.metadata.name,
      })) as Loose;
      const what = `${manifest.kind}/${manifest.metadata.name}`;
      expect(stored.spec, what).toMatchObject(manifest.spec as object);
      expect(stored.metadata.labels ?? {}, what).toMatchObject(manifest.metadata.labels ?? {});
      expect(stored.metadata.annotations ?? {}, what).toMatchObject(manifest.metadata.annotations ?? {});
    }
  });

  it('the real controllers act on it: the control plane VM appears in dcs-sim, the worker pool gets its MachineSet', async () => {
    const failure = () => `\n${capi.logTails(15)}\nmanager:\n${managerLog.slice(-15).join('')}`;
    const vm = await eventually('a control plane VM in dcs-sim', async () =>
      sim.state().vms.find((v) => v.name.startsWith(`${ns}-node-`)),
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}${failure()}`);
    });
    expect(['creating', 'running', 'stopped']).toContain(vm.status);
    const machines = await list('cluster.x-k8s.io', 'v1beta2', 'machines');
    const controlPlane = machines.filter((m) => m.metadata.labels?.['cluster.x-k8s.io/control-plane-name']);
    expect(controlPlane.length).toBeGreaterThanOrEqual(1);
    const dcsMachines = await list(INFRA, 'v1beta1', 'dcsmachines');
    const held = await eventually('the VM named by a DCSMachine', async () => {
      const pool = (await list(INFRA, 'v1beta1', 'dcsiphostnamepools')).find(
        (p) => p.metadata.name === 'lab-pool',
      );
      return pool?.status?.slots?.length ? pool.status.slots : undefined;
    });
    expect(dcsMachines.map((m) => m.metadata.name)).toContain(held[0].dcsMachine);
    // The cluster page's DCS tab, through the host: the machine's VM, host and IP slot.
    const dcsMachine = held[0].dcsMachine as string;
    // The controller records the slot, not the VM's URN: the tab finds the VM by the slot's machine name.
    const placed = await eventually('the DCSMachine records its slot', async () => {
      const found = (await list(INFRA, 'v1beta1', 'dcsmachines')).find((m) => m.metadata.name === dcsMachine);
      return found?.status?.networkConfig?.machineName === vm.name ? found : undefined;
    });
    await page.goto(`${url}/#/clusters/${ns}/lab`);
    await page.getByRole('tab', { name: 'Extensions' }).click();
    await page
      .waitForFunction(
        (name) => (document.querySelector(`[data-host="${name}"]`)?.textContent ?? '—') !== '—',
        dcsMachine,
      )
      .catch(async (error: unknown) => {
        throw new Error(
          `${String(error)}\nthe tab shows: ${await page.locator('.dcs-ext').last().textContent()}`,
        );
      });
    expect(await page.textContent(`[data-vm="${dcsMachine}"]`)).toMatch(
      new RegExp(`^${vm.name} \\(\\w+\\)$`),
    );
    expect(await page.textContent(`[data-host="${dcsMachine}"]`)).toMatch(/^CNA0\d$/);
    expect(await page.textContent(`[data-slot="${dcsMachine}"]`)).toBe(
      `${placed.status.networkConfig.ip} in lab-pool (${placed.status.networkConfig.hostname})`,
    );
    await shot('cluster-dcs-machines');
    const sets = await eventually('the worker MachineSet', async () => {
      const found = (await list('cluster.x-k8s.io', 'v1beta2', 'machinesets')).filter(
        (s) => s.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === 'lab-worker-1',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(sets[0]?.spec.replicas).toBe(1);
  });

  // The cluster list's and the cluster page's live updates were received, and scanned with the rest.
  describeWhatTheBrowserReceived(() => host, { bodies: { '/api/platform': 4, '/secrets': 2 }, events: true });
});
