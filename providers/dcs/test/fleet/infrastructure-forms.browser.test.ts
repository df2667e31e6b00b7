import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DcsLab,
  describeWhatTheBrowserReceived,
  type FleetHost,
  INFRA,
  type Loose,
  openFleet,
  PASSWORD,
  SITE,
  screenshotFailures,
  startDcsLab,
  USER,
} from './fleet-host.js';

// The documented rules of the credential, IP pool and machine template forms
// (docs/en/infrastructure/huawei-dcs.mdx), each through the real host: the
// form filled in chromium, the error read next to the field it names, and the
// API server asked whether anything was created. No Cluster API controllers
// and no manager: nothing here needs them.

// A second key, typed into a create that the taken name refuses: it must not come back either.
const OTHER_KEY = 'Another-Key-9x';

let lab: DcsLab;
let host: FleetHost;
let page: Page;

beforeAll(async () => {
  lab = await startDcsLab('fleet-forms');
  host = await openFleet(lab);
  page = host.page;
  await host.signIn();
}, 300_000);

afterAll(async () => {
  await host?.close();
  await lab?.close();
}, 120_000);

screenshotFailures(() => host);

type Kind = 'credentials' | 'ip-pools' | 'machine-templates';
const FORM: Record<Kind, string> = {
  credentials: 'dcs.credential-form',
  'ip-pools': 'dcs.ip-pool-form',
  'machine-templates': 'dcs.machine-template-form',
};
const PLURAL = { 'ip-pools': 'dcsiphostnamepools', 'machine-templates': 'dcsmachinetemplates' } as const;

const field = (name: string) => host.field(name);
const option = (name: string, value: string) => host.option(name, value);
const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

/** The provider's list of `kind` in the host, read afresh (a list already shown is not reloaded by the route). */
async function openList(kind: Kind): Promise<void> {
  await page.goto(`${host.url}/#/infrastructure/${kind}/${lab.ns}`);
  await page.reload();
  await page.locator(`[data-extension="dcs.${kind}"] [data-action="create"]`).waitFor();
}

/** The provider's list of `kind` in the host, then its create form. */
async function openCreateForm(kind: Kind): Promise<void> {
  await page.goto(`${host.url}/#/infrastructure/${kind}/${lab.ns}`);
  await page.locator(`[data-extension="dcs.${kind}"] [data-action="create"]`).click();
  await page.locator(`[data-extension="${FORM[kind]}"] [data-field="name"]`).waitFor();
}

/** Back to the list without saving: the host shows the list again. */
async function cancel(kind: Kind): Promise<void> {
  await page.locator('[data-action="cancel"]').click();
  await page.locator(`[data-extension="dcs.${kind}"] [data-action="create"]`).waitFor();
}

/**
 * Saves and checks that the form refused with exactly `errors` (field to
 * message), each shown next to its field, the user still on the form.
 */
async function expectRefused(kind: Kind, errors: Record<string, string>, screenshot: string): Promise<void> {
  const writes = host.writes.length;
  await page.locator('[data-action="save"]').click();
  // The form validates before it sends anything, so the errors are there when the click returns.
  expect((await host.invalidFields()).sort()).toEqual(Object.keys(errors).sort());
  for (const [name, message] of Object.entries(errors))
    expect(await host.errorNextTo(name), name).toBe(message);
  expect(await page.locator(`[data-extension="${FORM[kind]}"]`).isVisible()).toBe(true);
  await host.shot(`forms-${screenshot}`);
  // Not even tried: the page asked the server to change nothing.
  expect(host.writes.slice(writes)).toEqual([]);
}

const names = async (kind: keyof typeof PLURAL) =>
  (await lab.list(INFRA, 'v1beta1', PLURAL[kind])).map((o) => o.metadata.name as string);
const secretNames = async () =>
  (await lab.kubeConfig.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: lab.ns })).items.map(
    (s) => s.metadata?.name,
  );
const read = async (plural: string, name: string) =>
  (await lab.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: INFRA,
    version: 'v1beta1',
    namespace: lab.ns,
    plural,
    name,
  })) as Loose;

describe('credential form through the real host', () => {
  // allowPlainHTTP is the checkbox: 'true' ticks it, '' leaves it unticked.
  const fill = async (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values))
      if (name === 'allowPlainHTTP') await field(name).setChecked(value === 'true');
      else await field(name).fill(value);
  };
  // The simulator speaks plain HTTP, which the form accepts only with the box ticked.
  const valid = {
    name: 'dcs-lab',
    displayName: 'Lab DCS',
    endpoint: '',
    authUser: USER,
    authKey: PASSWORD,
    site: SITE,
    allowPlainHTTP: 'true',
  };

  it.each([
    {
      rule: 'the name is 1-63 lowercase letters, digits and hyphens, alphanumeric at both ends',
      change: { name: 'Dcs_Lab' },
      errors: {
        name: '1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
      },
    },
    {
      rule: 'the name is at most 63 characters',
      change: { name: `d${'c'.repeat(63)}` },
      errors: {
        name: '1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
      },
    },
    {
      rule: 'the endpoint starts with http:// or https://',
      change: { endpoint: 'dcs.example.com:7443' },
      errors: { endpoint: 'must start with http:// or https://' },
    },
    {
      rule: 'a plain http:// endpoint is refused unless Allow plain HTTP is ticked',
      change: { allowPlainHTTP: '' },
      errors: {
        endpoint:
          'plain http:// sends the password unencrypted: use https://, or tick "Allow plain HTTP" to accept that',
      },
    },
    {
      rule: 'the CA bundle is PEM certificates',
      change: { caBundle: 'not a certificate' },
      errors: { caBundle: 'one or more PEM certificates (-----BEGIN CERTIFICATE-----)' },
    },
    {
      rule: 'name, endpoint, username, password and site are required',
      change: { name: '', endpoint: '', authUser: '', authKey: '', site: '' },
      errors: {
        name: 'the name is required',
        endpoint: 'the DCS endpoint is required',
        authUser: 'the username is required',
        authKey: 'the password is required',
        site: 'the site is required (all resources must be in one site)',
      },
    },
  ])('$rule: the error is next to the field and no Secret is created', async ({ rule, change, errors }) => {
    const before = await secretNames();
    await openCreateForm('credentials');
    await fill({ ...valid, endpoint: lab.sim.url, ...change });
    await expectRefused('credentials', errors, `credential-${slug(rule)}`);
    expect(await secretNames()).toEqual(before);
    expect(lab.sim.state().logins.failed).toBe(0);
    await cancel('credentials');
  });

  it('a valid credential is saved as the documented Secret and its connection test passes; a taken name is refused', async () => {
    await openCreateForm('credentials');
    await fill({ ...valid, endpoint: lab.sim.url });
    // Accepting plain HTTP is a choice the form repeats as a warning while it stands.
    expect(
      await page.locator(`[data-extension="${FORM.credentials}"] [data-warnings]`).textContent(),
    ).toContain(
      'plain HTTP is allowed (allowPlainHTTP): the credential and session tokens cross the network unencrypted',
    );
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-toast="success"]', { hasText: 'Credential dcs-lab saved; connection OK' })
      .waitFor();
    await page.locator('[data-extension="dcs.credentials"] [data-name="dcs-lab"]').waitFor();
    await host.shot('forms-credential-saved');
    const secret = await lab.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: lab.ns, name: 'dcs-lab' });
    const decoded = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
    expect(decoded).toEqual({
      authUser: USER,
      authKey: PASSWORD,
      endpoint: lab.sim.url,
      site: SITE,
      userType: 'interconnect',
      allowPlainHTTP: 'true',
    });

    // The name is the credential's unique identifier: a second one of that name is refused, the first kept.
    await openCreateForm('credentials');
    await fill({ ...valid, endpoint: 'https://dcs.example.com:7443', authKey: OTHER_KEY });
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-error-for="name"]', { hasText: 'a Secret named dcs-lab already exists' })
      .waitFor();
    expect(await host.errorNextTo('name')).toBe('a Secret named dcs-lab already exists');
    await host.shot('forms-credential-name-taken');
    const kept = await lab.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: lab.ns, name: 'dcs-lab' });
    expect(kept.metadata?.resourceVersion).toBe(secret.metadata?.resourceVersion);
    await cancel('credentials');
  });
});

/** Entry `i` with a valid node NIC in 10.0.9.0/24. */
async function fillEntry(i: number): Promise<void> {
  await field(`pool.${i}.ip`).fill(`10.0.9.${11 + i}`);
  await field(`pool.${i}.mask`).fill('24');
  await field(`pool.${i}.gateway`).fill('10.0.9.1');
}

describe('IP pool form through the real host', () => {
  it.each([
    {
      rule: 'the name is a DNS label',
      change: () => field('name').fill('Lab_Pool'),
      errors: { name: '1-63 lowercase letters, digits and hyphens, starting and ending alphanumeric' },
    },
    {
      rule: 'at least one node entry',
      change: () => page.locator('[data-action="remove-entry:0"]').click(),
      errors: { pool: 'add at least one node entry' },
    },
    {
      rule: 'the node IP, subnet mask and gateway are required',
      change: async () => {
        for (const name of ['ip', 'mask', 'gateway']) await field(`pool.0.${name}`).fill('');
      },
      errors: {
        'pool.0.ip': 'IP is required',
        'pool.0.mask': 'subnet mask is required',
        'pool.0.gateway': 'gateway is required',
      },
    },
    {
      rule: 'the IP is an IPv4 address',
      change: () => field('pool.0.ip').fill('10.0.9.300'),
      errors: { 'pool.0.ip': '10.0.9.300 is not an IPv4 address' },
    },
    {
      rule: 'the gateway is an IPv4 address',
      change: () => field('pool.0.gateway').fill('10.0.9'),
      errors: { 'pool.0.gateway': '10.0.9 is not an IPv4 address' },
    },
    {
      rule: 'the mask is a prefix length, without a slash',
      change: () => field('pool.0.mask').fill('/24'),
      errors: { 'pool.0.mask': 'give the mask as a prefix length without the slash, e.g. 24' },
    },
    {
      rule: 'a dotted mask is contiguous',
      change: () => field('pool.0.mask').fill('255.0.255.0'),
      errors: {
        'pool.0.mask':
          '255.0.255.0 is not a contiguous mask; the 1 bits must come first, as in 255.255.255.0',
      },
    },
    {
      rule: 'the mask is a mask',
      change: () => field('pool.0.mask').fill('24.0'),
      errors: {
        'pool.0.mask':
          '24.0 is not a subnet mask; give a prefix length such as 24 or a mask such as 255.255.255.0',
      },
    },
    {
      rule: 'the prefix length is 1 to 32',
      change: () => field('pool.0.mask').fill('33'),
      errors: { 'pool.0.mask': 'the prefix length must be 1 to 32' },
    },
    {
      rule: 'IPs are unique in the pool',
      change: async () => {
        await page.locator('[data-action="add-entry"]').click();
        await fillEntry(1);
        await field('pool.1.ip').fill('10.0.9.11');
      },
      errors: { 'pool.1.ip': '10.0.9.11 is already used by pool.0.ip; IPs must be unique in the pool' },
    },
    {
      rule: 'the gateway is inside the subnet',
      change: () => field('pool.0.gateway').fill('10.0.8.1'),
      errors: { 'pool.0.gateway': 'gateway 10.0.8.1 is outside the subnet of 10.0.9.11/24' },
    },
    {
      rule: 'the IP is a host address of the subnet',
      change: async () => {
        await field('pool.0.ip').fill('10.0.9.0');
        await page.locator('[data-action="add-entry"]').click();
        await fillEntry(1);
        await field('pool.1.ip').fill('10.0.9.255');
        await page.locator('[data-action="add-entry"]').click();
        await fillEntry(2);
        await field('pool.2.ip').fill('10.0.9.1');
      },
      errors: {
        'pool.0.ip': '10.0.9.0 is the network address of /24',
        'pool.1.ip': '10.0.9.255 is the broadcast address of /24',
        'pool.2.ip': 'the IP is the gateway itself',
      },
    },
    {
      rule: 'DNS servers are IPv4 addresses separated by commas or semicolons',
      change: () => field('pool.0.dns').fill('10.0.0.2 10.0.0.3'),
      errors: {
        'pool.0.dns': '10.0.0.2 10.0.0.3 is not an IPv4 address; separate servers with commas or semicolons',
      },
    },
    {
      rule: 'an additional NIC needs its IP, mask, gateway, DV switch and port group',
      change: () => page.locator('[data-action="add-nic:0"]').click(),
      errors: {
        'pool.0.additionNic.0.ip': 'IP is required',
        'pool.0.additionNic.0.mask': 'subnet mask is required',
        'pool.0.additionNic.0.gateway': 'gateway is required',
        'pool.0.additionNic.0.dvSwitchName': 'an additional NIC needs its DV switch',
        'pool.0.additionNic.0.portGroupName': 'an additional NIC needs its port group',
      },
    },
    {
      rule: 'additional NIC IPs are unique in the pool too',
      change: async () => {
        await page.locator('[data-action="add-nic:0"]').click();
        await field('pool.0.additionNic.0.ip').fill('10.0.9.11');
        await field('pool.0.additionNic.0.mask').fill('24');
        await field('pool.0.additionNic.0.gateway').fill('10.0.9.1');
      },
      errors: {
        'pool.0.additionNic.0.ip': '10.0.9.11 is already used by pool.0.ip; IPs must be unique in the pool',
        'pool.0.additionNic.0.dvSwitchName': 'an additional NIC needs its DV switch',
        'pool.0.additionNic.0.portGroupName': 'an additional NIC needs its port group',
      },
    },
  ])(
    '$rule: the error is next to the field and no DCSIpHostnamePool is created',
    async ({ rule, change, errors }) => {
      await openCreateForm('ip-pools');
      await field('name').fill('rules-pool');
      await fillEntry(0);
      await change();
      await expectRefused('ip-pools', errors, `ip-pool-${slug(rule)}`);
      expect(await names('ip-pools')).toEqual([]);
      await cancel('ip-pools');
    },
  );

  it('a valid pool with platform DV switches, port groups and an additional NIC is created as typed; a taken name is refused', async () => {
    await openCreateForm('ip-pools');
    await option('credential', 'dcs-lab');
    await field('credential').selectOption('dcs-lab');
    await option('pool.0.dvSwitchName', 'DVS-Business');
    await field('name').fill('lab-pool');
    for (let i = 0; i < 3; i++) {
      if (i > 0) await page.locator('[data-action="add-entry"]').click();
      await fillEntry(i);
      await field(`pool.${i}.dns`).fill('10.0.0.2,10.0.0.3');
      await field(`pool.${i}.hostname`).fill(`lab-node-${i + 1}`);
      await field(`pool.${i}.machineName`).fill(`${lab.ns}-node-${i + 1}`);
      await option(`pool.${i}.dvSwitchName`, 'DVS-Business');
      await field(`pool.${i}.dvSwitchName`).selectOption('DVS-Business');
      await field(`pool.${i}.portGroupName`).selectOption('business-vlan100');
    }
    await page.locator('[data-action="add-nic:2"]').click();
    await field('pool.2.additionNic.0.ip').fill('192.168.50.13');
    await field('pool.2.additionNic.0.mask').fill('24');
    await field('pool.2.additionNic.0.gateway').fill('192.168.50.1');
    await option('pool.2.additionNic.0.dvSwitchName', 'DVS-Management');
    await field('pool.2.additionNic.0.dvSwitchName').selectOption('DVS-Management');
    await field('pool.2.additionNic.0.portGroupName').selectOption('management');
    await host.shot('forms-ip-pool-filled');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="dcs.ip-pools"] [data-name="lab-pool"]').waitFor();
    expect(await page.locator('[data-free="lab-pool"]').textContent()).toBe('3');
    // The one change the page asked for (what the rule cases check was never asked).
    expect(host.writes.filter((w) => w.includes('dcsiphostnamepools'))).toEqual([
      `POST /api/kube/apis/${INFRA}/v1beta1/namespaces/${lab.ns}/dcsiphostnamepools`,
    ]);
    await host.shot('forms-ip-pool-list');
    const entry = (i: number) => ({
      ip: `10.0.9.${11 + i}`,
      mask: '24',
      gateway: '10.0.9.1',
      dns: '10.0.0.2,10.0.0.3',
      hostname: `lab-node-${i + 1}`,
      machineName: `${lab.ns}-node-${i + 1}`,
      dvSwitchName: 'DVS-Business',
      portGroupName: 'business-vlan100',
    });
    const pool = await read('dcsiphostnamepools', 'lab-pool');
    expect(pool.spec).toEqual({
      pool: [
        entry(0),
        entry(1),
        {
          ...entry(2),
          additionNic: [
            {
              ip: '192.168.50.13',
              mask: '24',
              gateway: '192.168.50.1',
              dvSwitchName: 'DVS-Management',
              portGroupName: 'management',
            },
          ],
        },
      ],
    });

    await openCreateForm('ip-pools');
    await field('name').fill('lab-pool');
    await fillEntry(0);
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-error-for="name"]', { hasText: 'an IP pool named lab-pool already exists' })
      .waitFor();
    expect(await host.errorNextTo('name')).toBe('an IP pool named lab-pool already exists');
    expect((await read('dcsiphostnamepools', 'lab-pool')).metadata.resourceVersion).toBe(
      pool.metadata.resourceVersion,
    );
    await cancel('ip-pools');
  });
});

/** A valid form for a template of `type` on the datastore cluster ssd-pool with the pool lab-pool. */
async function fillTemplate(name: string, type: 'control-plane' | 'worker'): Promise<void> {
  await option('credential', 'dcs-lab');
  await field('credential').selectOption('dcs-lab');
  // The platform's lists have arrived (the disks are drawn again with them).
  await option('folder', 'kubernetes');
  await field('name').fill(name);
  await field('type').selectOption(type);
  await option('vmTemplateName', 'ubuntu-2204-k8s-v1.35');
  await field('vmTemplateName').selectOption('ubuntu-2204-k8s-v1.35');
  await field('folder').selectOption('kubernetes');
  await field('cpu').fill(type === 'worker' ? '8' : '4');
  await field('memoryMB').fill('8192');
  const disks = await page.locator('[data-disk]').count();
  for (let i = 0; i < disks; i++) {
    await option(`disks.${i}.datastore`, 'ssd-pool');
    await field(`disks.${i}.datastore`).selectOption('ssd-pool');
  }
  await option('ipPool', 'lab-pool');
  await field('ipPool').selectOption('lab-pool');
}

const disk = (
  quantity: number,
  path?: string,
  store: Record<string, string> = { datastoreClusterName: 'ssd-pool' },
) =>
  path === undefined
    ? { quantity, ...store, systemVolume: true }
    : { quantity, ...store, path, format: 'xfs' };

describe('machine template form through the real host', () => {
  it('offers the documented fields: VM templates from the version ConfigMaps, the mandatory disks of each type with their defaults, kept', async () => {
    await openCreateForm('machine-templates');
    await option('credential', 'dcs-lab');
    await field('credential').selectOption('dcs-lab');
    await option('folder', 'kubernetes');
    // The type is required: always one of the two, worker by default.
    expect(await page.locator('[data-field="type"] option').allTextContents()).toEqual([
      'Control Plane',
      'Worker Node',
    ]);
    expect(await field('type').inputValue()).toBe('worker');
    await option('vmTemplateName', 'ubuntu-2204-k8s-v1.35');
    expect(
      await page.locator('[data-field="vmTemplateName"] option[value="ubuntu-2204-k8s-v1.35"]').textContent(),
    ).toBe('ubuntu-2204-k8s-v1.35 — OS alaudaos-44.m1.202601010000-0.x86_64, Kubernetes v1.35.1');
    const disks = async () => {
      const shown: [string, string, boolean][] = [];
      for (let i = 0; i < (await page.locator('[data-disk]').count()); i++)
        shown.push([
          await field(`disks.${i}.path`).inputValue(),
          await field(`disks.${i}.sizeGB`).inputValue(),
          await field(`disks.${i}.path`).isEditable(),
        ]);
      return shown;
    };
    // Worker: system volume (the VM template's size), kubelet and containerd; none removable or renamed.
    expect(await disks()).toEqual([
      ['', '0', false],
      ['/var/lib/kubelet', '100', false],
      ['/var/lib/containerd', '100', false],
    ]);
    expect(await page.locator('[data-action^="remove-disk"]').count()).toBe(0);
    await field('type').selectOption('control-plane');
    expect(await disks()).toEqual([
      ['', '0', false],
      ['/var/lib/kubelet', '100', false],
      ['/var/lib/containerd', '100', false],
      ['/var/lib/etcd', '10', false],
    ]);
    expect(await page.locator('[data-action^="remove-disk"]').count()).toBe(0);
    // An added disk is the user's: its path is editable and it can go again.
    await page.locator('[data-action="add-disk"]').click();
    expect(await field('disks.4.path').isEditable()).toBe(true);
    await page.locator('[data-action="remove-disk:4"]').click();
    expect(await page.locator('[data-disk]').count()).toBe(4);
    // Back to worker: etcd goes, the others stay.
    await field('type').selectOption('worker');
    expect((await disks()).map(([path]) => path)).toEqual(['', '/var/lib/kubelet', '/var/lib/containerd']);
    // Datastore type: a datastore cluster or a single datastore, each listed from the platform.
    await field('disks.1.datastoreKind').selectOption('name');
    await option('disks.1.datastore', 'datastore-ssd-01');
    expect(await page.locator('[data-field="disks.1.datastore"] option[value="ssd-pool"]').count()).toBe(0);
    await host.shot('forms-machine-template-fields');
    await cancel('machine-templates');
    expect(await names('machine-templates')).toEqual([]);
  });

  it.each([
    {
      rule: 'the name is required',
      change: () => field('name').fill(''),
      errors: { name: 'the name is required' },
    },
    {
      rule: 'the name is 1-63 lowercase letters, digits and hyphens',
      change: () => field('name').fill('Rules Template'),
      errors: { name: '1-63 lowercase letters, digits and hyphens, starting and ending alphanumeric' },
    },
    {
      rule: 'a VM template is chosen',
      change: () => field('vmTemplateName').selectOption(''),
      errors: { vmTemplateName: 'choose a VM template' },
    },
    {
      rule: 'CPU cores are a whole number of at least 1',
      change: () => field('cpu').fill('0'),
      errors: { cpu: 'CPU cores must be a whole number of at least 1' },
    },
    {
      rule: 'CPU cores are whole',
      change: () => field('cpu').fill('2.5'),
      errors: { cpu: 'CPU cores must be a whole number of at least 1' },
    },
    {
      rule: 'memory is a whole number of MB',
      change: () => field('memoryMB').fill(''),
      errors: { memoryMB: 'memory must be a whole number of MB, at least 1' },
    },
    {
      rule: 'an IP pool is chosen',
      change: () => field('ipPool').selectOption(''),
      errors: { ipPool: 'choose an IP pool' },
    },
    {
      rule: 'each disk has a datastore or datastore cluster',
      change: () => field('disks.2.datastore').selectOption(''),
      errors: { 'disks.2.datastore': 'choose a datastore or datastore cluster' },
    },
    {
      rule: 'a data disk is a whole number of GB, at least 1',
      change: () => field('disks.1.sizeGB').fill('0'),
      errors: { 'disks.1.sizeGB': 'the size must be a whole number of GB, at least 1' },
    },
    {
      rule: 'the system volume is 0 (the VM template’s size) or a whole number of GB',
      change: () => field('disks.0.sizeGB').fill('-5'),
      errors: { 'disks.0.sizeGB': '0 (the template’s size) or a whole number of GB' },
    },
    {
      rule: 'an added disk has an absolute mount path of its own',
      change: async () => {
        for (const path of ['', 'data', '/var/lib/kubelet']) {
          await page.locator('[data-action="add-disk"]').click();
          await field(`disks.${(await page.locator('[data-disk]').count()) - 1}.path`).fill(path);
        }
      },
      errors: {
        'disks.3.path': 'the mount path is required',
        'disks.4.path': 'an absolute path such as /data',
        'disks.5.path': '/var/lib/kubelet is already disk 2',
      },
    },
  ])(
    '$rule: the error is next to the field and no DCSMachineTemplate is created',
    async ({ rule, change, errors }) => {
      await openCreateForm('machine-templates');
      await fillTemplate('rules-template', 'worker');
      await change();
      await expectRefused('machine-templates', errors, `machine-template-${slug(rule)}`);
      expect(await names('machine-templates')).toEqual([]);
      await cancel('machine-templates');
    },
  );

  it('valid control plane and worker templates are created as the documented spec; a taken name is refused', async () => {
    await openCreateForm('machine-templates');
    await fillTemplate('lab-cp', 'control-plane');
    // etcd on one datastore rather than the cluster (the documented Name type).
    await field('disks.3.datastoreKind').selectOption('name');
    await option('disks.3.datastore', 'datastore-ssd-01');
    await field('disks.3.datastore').selectOption('datastore-ssd-01');
    await field('disks.3.sizeGB').fill('20');
    await page.locator('[data-action="add-disk"]').click();
    await field('disks.4.path').fill('/data');
    await field('disks.4.sizeGB').fill('50');
    await host.shot('forms-machine-template-filled');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="dcs.machine-templates"] [data-name="lab-cp"]').waitFor();
    await openCreateForm('machine-templates');
    await fillTemplate('lab-worker', 'worker');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="dcs.machine-templates"] [data-name="lab-worker"]').waitFor();
    await host.shot('forms-machine-template-list');

    const cp = await read('dcsmachinetemplates', 'lab-cp');
    expect(cp.metadata.labels).toEqual({ [`${INFRA}/dcs-machine-type`]: 'control-plane' });
    expect(cp.spec).toEqual({
      template: {
        spec: {
          vmTemplateName: 'ubuntu-2204-k8s-v1.35',
          location: { type: 'folder', name: 'kubernetes' },
          vmConfig: {
            dcsMachineCpuSpec: { quantity: 4 },
            dcsMachineMemorySpec: { quantity: 8192 },
            dcsMachineDiskSpec: [
              disk(0),
              disk(100, '/var/lib/kubelet'),
              disk(100, '/var/lib/containerd'),
              disk(20, '/var/lib/etcd', { datastoreName: 'datastore-ssd-01' }),
              disk(50, '/data'),
            ],
          },
          ipHostPoolRef: { name: 'lab-pool' },
        },
      },
    });
    const worker = await read('dcsmachinetemplates', 'lab-worker');
    expect(worker.metadata.labels).toEqual({ [`${INFRA}/dcs-machine-type`]: 'worker' });
    expect(worker.spec.template.spec.vmConfig).toEqual({
      dcsMachineCpuSpec: { quantity: 8 },
      dcsMachineMemorySpec: { quantity: 8192 },
      dcsMachineDiskSpec: [disk(0), disk(100, '/var/lib/kubelet'), disk(100, '/var/lib/containerd')],
    });

    // The name is the template's unique identifier.
    await openCreateForm('machine-templates');
    await fillTemplate('lab-worker', 'worker');
    await field('cpu').fill('2');
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-error-for="name"]', { hasText: 'a machine template named lab-worker already exists' })
      .waitFor();
    expect(await host.errorNextTo('name')).toBe('a machine template named lab-worker already exists');
    expect((await read('dcsmachinetemplates', 'lab-worker')).metadata.resourceVersion).toBe(
      worker.metadata.resourceVersion,
    );
    await cancel('machine-templates');
  });

  it('a stored template without its mandatory disk or with a missing IP pool is refused on update, unchanged', async () => {
    // Written as YAML may be: a control plane template without /var/lib/etcd, on a pool that is gone.
    const custom = lab.kubeConfig.makeApiClient(CustomObjectsApi);
    const stored = (await custom.createNamespacedCustomObject({
      group: INFRA,
      version: 'v1beta1',
      namespace: lab.ns,
      plural: 'dcsmachinetemplates',
      body: {
        apiVersion: `${INFRA}/v1beta1`,
        kind: 'DCSMachineTemplate',
        metadata: { name: 'yaml-cp', labels: { [`${INFRA}/dcs-machine-type`]: 'control-plane' } },
        spec: {
          template: {
            spec: {
              vmTemplateName: 'ubuntu-2204-k8s-v1.35',
              vmConfig: {
                dcsMachineCpuSpec: { quantity: 4 },
                dcsMachineMemorySpec: { quantity: 8192 },
                dcsMachineDiskSpec: [
                  disk(0),
                  disk(100, '/var/lib/kubelet'),
                  disk(100, '/var/lib/containerd'),
                ],
              },
              ipHostPoolRef: { name: 'gone-pool' },
            },
          },
        },
      },
    })) as Loose;
    try {
      await openList('machine-templates');
      await page.locator('[data-action="edit:yaml-cp"]').click();
      // The stored template has arrived (the form fills every field of it at once).
      await expect.poll(() => field('ipPool').inputValue()).toBe('gone-pool');
      await expectRefused(
        'machine-templates',
        {
          disks: '/var/lib/etcd is mandatory for a control plane template',
          ipPool: 'IP pool gone-pool does not exist',
        },
        'machine-template-stored-without-mandatory-disk',
      );
      expect(await names('machine-templates')).toEqual(['lab-cp', 'lab-worker', 'yaml-cp']);
      expect((await read('dcsmachinetemplates', 'yaml-cp')).metadata.resourceVersion).toBe(
        stored.metadata.resourceVersion,
      );
      await cancel('machine-templates');
    } finally {
      await custom.deleteNamespacedCustomObject({
        group: INFRA,
        version: 'v1beta1',
        namespace: lab.ns,
        plural: 'dcsmachinetemplates',
        name: 'yaml-cp',
      });
    }
  });

  it('an edit of an unused template changes it; an edit of a template machines were made from saves <name>-2 and leaves it as it was', async () => {
    const edit = async (name: string, cpu: string, to: string) => {
      await openList('machine-templates');
      await page.locator(`[data-action="edit:${name}"]`).click();
      await expect.poll(() => field('ipPool').inputValue()).toBe('lab-pool');
      expect(await field('cpu').inputValue()).toBe(cpu);
      expect(await field('name').isEditable()).toBe(false);
      await field('cpu').fill(to);
      await page.locator('[data-action="save"]').click();
      await page.locator(`[data-extension="dcs.machine-templates"] [data-action="create"]`).waitFor();
    };
    await edit('lab-cp', '4', '6');
    expect(
      (await read('dcsmachinetemplates', 'lab-cp')).spec.template.spec.vmConfig.dcsMachineCpuSpec,
    ).toEqual({
      quantity: 6,
    });
    expect(await names('machine-templates')).toEqual(['lab-cp', 'lab-worker']);

    // A DCSMachine as Cluster API's MachineSet clones it from lab-worker.
    const before = await read('dcsmachinetemplates', 'lab-worker');
    await lab.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: INFRA,
      version: 'v1beta1',
      namespace: lab.ns,
      plural: 'dcsmachines',
      body: {
        apiVersion: `${INFRA}/v1beta1`,
        kind: 'DCSMachine',
        metadata: {
          name: 'lab-worker-x7k2p',
          annotations: {
            'cluster.x-k8s.io/cloned-from-name': 'lab-worker',
            'cluster.x-k8s.io/cloned-from-groupkind': `DCSMachineTemplate.${INFRA}`,
          },
        },
        spec: before.spec.template.spec,
      },
    });
    await edit('lab-worker', '8', '6');
    await page.locator('[data-extension="dcs.machine-templates"] [data-name="lab-worker-2"]').waitFor();
    await page
      .locator('[data-toast]', {
        hasText:
          'lab-worker is used by DCSMachine/lab-worker-x7k2p; the changes were saved as a new template lab-worker-2',
      })
      .waitFor();
    await host.shot('forms-machine-template-revision');
    const after = await read('dcsmachinetemplates', 'lab-worker');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const revision = await read('dcsmachinetemplates', 'lab-worker-2');
    expect(revision.metadata.annotations).toEqual({ [`${INFRA}/dcs-revision-of`]: 'lab-worker' });
    expect(revision.metadata.labels).toEqual({ [`${INFRA}/dcs-machine-type`]: 'worker' });
    expect(revision.spec.template.spec).toEqual({
      ...before.spec.template.spec,
      vmConfig: { ...before.spec.template.spec.vmConfig, dcsMachineCpuSpec: { quantity: 6 } },
    });
    expect(await names('machine-templates')).toEqual(['lab-cp', 'lab-worker', 'lab-worker-2']);
  });
});

// The forms listed through the platform proxy and read the Secrets (values emptied by the host).
describeWhatTheBrowserReceived(() => host, {
  bodies: { '/api/platform': 11, '/secrets': 11 },
  typed: [OTHER_KEY],
});
