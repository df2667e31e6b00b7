import { DOCUMENTED_TEMPLATE } from '@immutable-infra/vcsim';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INFRA, startVsphereFleetLab, type VsphereFleetLab } from './fleet-host.js';

// The vSphere extension in the real Fleet Essentials host, in chromium, against vcsim: the
// credential form saves the Secret and runs the connection test through the platform proxy; the
// machine template form's dropdowns come from vcsim and saving creates the VSphereMachineTemplate.

const WRONG_PASSWORD = 'Not-The-Passw0rd-4u';

let lab: VsphereFleetLab;
let page: Page;

beforeAll(async () => {
  lab = await startVsphereFleetLab('vsphere-fleet');
  page = lab.page;
}, 300_000);

afterAll(async () => {
  await lab?.close();
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && lab)
    await lab
      .shot(`failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}`)
      .catch(() => undefined);
});

const field = (name: string) => page.locator(`[data-field="${name}"]`);
/** Waits until the select `name` offers `value` (lists from vCenter arrive after the form). */
const offered = (name: string, value: string) =>
  page.locator(`[data-field="${name}"] option[value="${value}"]`).waitFor({ state: 'attached' });
/** The words in the problem slot of `name`, which the control names in aria-describedby, and whether it is marked invalid. */
async function problemOf(name: string): Promise<{ invalid: string | null; text: string }> {
  const control = field(name);
  const slot = page.locator(`[id="${await control.getAttribute('aria-describedby')}"]`);
  return { invalid: await control.getAttribute('aria-invalid'), text: (await slot.textContent()) ?? '' };
}

async function openCreateForm(
  kind: 'credentials' | 'machine-templates' | 'ip-pools',
  form: string,
): Promise<void> {
  // The route may be the one already shown (a form left open): loaded afresh, it shows the list.
  await page.goto(`${lab.url}/#/infrastructure/${kind}/${lab.ns}`);
  await page.reload();
  const list = kind === 'ip-pools' ? 'config-pools' : kind;
  await page.locator(`[data-extension="vsphere.${list}"] [data-action="create"]`).click();
  await page.locator(`[data-extension="${form}"] [data-field="name"]`).waitFor();
}

/** A vSphere object of the test namespace by kind, read with the admin kubeconfig (not through the host). */
async function readObject(kind: string, name: string) {
  const read = await KubernetesObjectApi.makeApiClient(lab.kubeConfig).read({
    apiVersion: `${INFRA}/v1beta1`,
    kind,
    metadata: { name, namespace: lab.ns },
  });
  return read as typeof read & { spec: Record<string, unknown> & { template?: { spec: unknown } } };
}

const secretData = async (name: string) => {
  const secret = await lab.kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace: lab.ns, name });
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
  );
};

describe('credential form', () => {
  it('refuses a server with a scheme next to the field, and writes nothing', async () => {
    await openCreateForm('credentials', 'vsphere.credential-form');
    await field('name').fill('vcenter-bad');
    await field('server').fill('https://vcenter.example.com');
    await field('username').fill(lab.vcsim.username);
    const writes = lab.writes.length;
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('server')).toEqual({
      invalid: 'true',
      text: 'a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path',
    });
    expect(await problemOf('password')).toEqual({ invalid: 'true', text: 'the password is required' });
    expect(lab.writes.slice(writes)).toEqual([]);
    await lab.shot('credential-refused');
  });

  it('saves the Secret, runs the connection test and shows vCenter’s verdict; a row’s Test runs it again', async () => {
    await openCreateForm('credentials', 'vsphere.credential-form');
    await field('name').fill('vcenter-lab');
    await field('displayName').fill('Lab vCenter');
    await field('server').fill(new URL(lab.vcsim.server).host);
    await field('username').fill(lab.vcsim.username);
    await field('password').fill(lab.vcsim.password);
    await field('caBundle').fill(lab.vcsim.caCertificate);
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-toast="success"]', { hasText: 'Credential vcenter-lab saved; connection OK' })
      .waitFor();
    expect(await secretData('vcenter-lab')).toEqual({
      server: new URL(lab.vcsim.server).host,
      username: lab.vcsim.username,
      password: lab.vcsim.password,
      caBundle: lab.vcsim.caCertificate.trim(),
    });

    const row = page.locator('[data-extension="vsphere.credentials"] tr', { hasText: 'vcenter-lab' });
    await row.locator('[data-action="test:vcenter-lab"]').click();
    const verdict = page.locator('[data-connection-result="vcenter-lab"][data-result="ok"]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(
      /^Connection OK: logged in to VMware vCenter Server .* \(API \d/,
    );
    expect(await row.textContent()).toContain('Lab vCenter');
    await lab.shot('credential-tested');
  });

  it('a wrong password is saved, and the verdict says the login was refused', async () => {
    await openCreateForm('credentials', 'vsphere.credential-form');
    await field('name').fill('vcenter-wrong');
    await field('server').fill(new URL(lab.vcsim.server).host);
    await field('username').fill(lab.vcsim.username);
    await field('password').fill(WRONG_PASSWORD);
    await field('thumbprint').fill(lab.vcsim.thumbprint);
    await page.locator('[data-action="save"]').click();
    const toast = page.locator('[data-toast="error"]', { hasText: 'Credential vcenter-wrong saved' });
    await toast.waitFor();
    expect(await toast.textContent()).toContain(
      'Credential vcenter-wrong saved, but the connection test failed: wrong user or key for vCenter',
    );
    expect((await secretData('vcenter-wrong')).thumbprint).toBe(lab.vcsim.thumbprint);
  });
});

describe('machine template form', () => {
  it('shows each missing choice next to its field, and writes nothing', async () => {
    await openCreateForm('machine-templates', 'vsphere.machine-template-form');
    await field('name').fill('workers');
    await field('numCPUs').fill('0');
    const writes = lab.writes.length;
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('datacenter')).toEqual({ invalid: 'true', text: 'choose the datacenter' });
    expect(await problemOf('template')).toEqual({ invalid: 'true', text: 'choose the VM template to clone' });
    expect(await problemOf('numCPUs')).toEqual({
      invalid: 'true',
      text: 'a whole number of CPUs, at least 1',
    });
    expect(await problemOf('nics.0.networkName')).toEqual({
      invalid: 'true',
      text: 'choose the network of this device',
    });
    expect(lab.writes.slice(writes)).toEqual([]);
  });

  it('fills its dropdowns from vCenter and creates the VSphereMachineTemplate with that spec', async () => {
    await openCreateForm('machine-templates', 'vsphere.machine-template-form');
    await offered('credential', 'vcenter-lab');
    await field('credential').selectOption('vcenter-lab');
    await offered('datacenter', 'dc-b');
    await field('datacenter').selectOption('dc-a');
    await offered('template', DOCUMENTED_TEMPLATE);
    await offered('nics.0.networkName', 'pg-business');
    expect(await field('folder').locator('option').allTextContents()).toEqual([
      '(the datacenter’s VM folder)',
      'workloads',
    ]);
    expect(await field('resourcePool').locator('option').allTextContents()).toEqual([
      '(the first compute cluster’s)',
      'compute-a/Resources',
    ]);
    const datastores = await field('datastore')
      .locator('option')
      .evaluateAll((o) => o.map((option) => (option as HTMLOptionElement).value));
    expect(datastores).toEqual(expect.arrayContaining(['datastore-a', 'datastore-cp', 'datastore-worker']));
    await lab.shot('machine-template-dropdowns');

    await field('name').fill('control-plane');
    await field('template').selectOption(DOCUMENTED_TEMPLATE);
    await field('folder').selectOption('workloads');
    await field('resourcePool').selectOption('compute-a/Resources');
    await field('datastore').selectOption('datastore-cp');
    await field('cloneMode').selectOption('linkedClone');
    await field('numCPUs').fill('4');
    await field('memoryMiB').fill('8192');
    await field('diskGiB').fill('40');
    await field('nics.0.networkName').selectOption('pg-business');
    await page.locator('[data-action="add-nic"]').click();
    await field('nics.1.networkName').selectOption('pg-storage');
    await field('nics.1.dhcp4').uncheck();
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="vsphere.machine-templates"] [data-name="control-plane"]').waitFor();

    const stored = await readObject('VSphereMachineTemplate', 'control-plane');
    expect(stored.spec.template?.spec).toEqual({
      datacenter: 'dc-a',
      template: DOCUMENTED_TEMPLATE,
      folder: 'workloads',
      resourcePool: 'compute-a/Resources',
      datastore: 'datastore-cp',
      cloneMode: 'linkedClone',
      numCPUs: 4,
      memoryMiB: 8192,
      diskGiB: 40,
      network: {
        devices: [
          { networkName: 'pg-business', dhcp4: true },
          { networkName: 'pg-storage', dhcp4: false },
        ],
      },
      powerOffMode: 'hard',
    });
    await lab.shot('machine-template-saved');
  });
});

describe('config pool form', () => {
  it('fills networks from vCenter, shows each slot problem next to it, and creates the pool with its slots', async () => {
    await openCreateForm('ip-pools', 'vsphere.config-pool-form');
    await offered('credential', 'vcenter-lab');
    await field('credential').selectOption('vcenter-lab');
    await offered('datacenter', 'dc-a');
    await field('datacenter').selectOption('dc-a');
    await offered('slots.0.networkName', 'pg-business');
    await field('name').fill('control-plane-slots');
    await field('clusterName').fill('lab');
    await field('slots.0.hostname').fill('cp-01');
    await field('slots.0.networkName').selectOption('pg-business');
    await field('slots.0.ip').fill('10.10.10.11/24');
    await field('slots.0.gateway').fill('10.10.10.1');
    await field('slots.0.dns').fill('10.10.10.2, 10.10.10.3');
    // A new slot starts with the last one's network, gateway and DNS.
    await page.locator('[data-action="add-slot"]').click();
    expect(await field('slots.1.networkName').inputValue()).toBe('pg-business');
    await field('slots.1.hostname').fill('cp-01');
    await field('slots.1.ip').fill('10.10.20.12/24');
    const writes = lab.writes.length;
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('slots.1.hostname')).toEqual({
      invalid: 'true',
      text: 'cp-01 is already a slot of this pool',
    });
    expect(await problemOf('slots.1.gateway')).toEqual({
      invalid: 'true',
      text: 'not in the network of 10.10.20.12/24',
    });
    expect(lab.writes.slice(writes)).toEqual([]);
    await lab.shot('config-pool-refused');

    await field('slots.1.hostname').fill('cp-02');
    await field('slots.1.ip').fill('10.10.10.12/24');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="vsphere.config-pools"] [data-name="control-plane-slots"]').waitFor();
    const stored = await readObject('VSphereMachineConfigPool', 'control-plane-slots');
    const nic = (ip: string) => ({
      networkName: 'pg-business',
      ip,
      gateway: '10.10.10.1',
      dns: ['10.10.10.2', '10.10.10.3'],
    });
    expect(stored.spec).toEqual({
      clusterRef: { name: 'lab' },
      datacenter: 'dc-a',
      configs: [
        { hostname: 'cp-01', network: { primary: nic('10.10.10.11/24') } },
        { hostname: 'cp-02', network: { primary: nic('10.10.10.12/24') } },
      ],
    });
    await lab.shot('config-pool-saved');
  });
});

describe('what the browser received', () => {
  it('ran without a console error or uncaught exception in the page', () => {
    expect(lab.pageErrors).toEqual([]);
  });

  it('was never sent a password, whole or in part of a body', () => {
    // Platform results went through the host too: at least the verdicts and the inventory.
    expect(lab.sentBodies.some((body) => body.includes('compute-a/Resources'))).toBe(true);
    for (const password of [lab.vcsim.password, WRONG_PASSWORD])
      expect(lab.sentBodies.filter((body) => body.includes(password))).toEqual([]);
  });
});
