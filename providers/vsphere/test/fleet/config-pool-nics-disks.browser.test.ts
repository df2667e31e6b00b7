import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INFRA, startVsphereFleetLab, type VsphereFleetLab } from './fleet-host.js';

// The config pool form's further NICs and persistent disks in the real Fleet Essentials host,
// in chromium, against vcsim: a slot gets a NIC and a disk, each problem shows next to its field
// (nothing is written), the saved VSphereMachineConfigPool holds them, and an update shows each
// stored disk's lifecycle state from the pool's status. axe-core checks each screen.

let lab: VsphereFleetLab;
let page: Page;

beforeAll(async () => {
  lab = await startVsphereFleetLab('vsphere-pool-slots');
  page = lab.page;
  await lab.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: lab.ns,
    body: {
      metadata: { name: 'vcenter-lab' },
      stringData: {
        server: new URL(lab.vcsim.server).host,
        username: lab.vcsim.username,
        password: lab.vcsim.password,
        caBundle: lab.vcsim.caCertificate,
      },
    },
  });
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
const action = (name: string) => page.locator(`[data-action="${name}"]`);
const offered = (name: string, value: string) =>
  page.locator(`[data-field="${name}"] option[value="${value}"]`).waitFor({ state: 'attached' });
/** The words in the problem slot of `name` (the one its aria-describedby names), and whether it is marked invalid. */
async function problemOf(name: string): Promise<{ invalid: string | null; text: string }> {
  const control = field(name);
  const slot = page.locator(`[id="${await control.getAttribute('aria-describedby')}"]`);
  return { invalid: await control.getAttribute('aria-invalid'), text: (await slot.textContent()) ?? '' };
}

const pools = () => KubernetesObjectApi.makeApiClient(lab.kubeConfig);
async function readPool(name: string) {
  const read = await pools().read({
    apiVersion: `${INFRA}/v1beta1`,
    kind: 'VSphereMachineConfigPool',
    metadata: { name, namespace: lab.ns },
  });
  return read as typeof read & { spec: { configs: Record<string, unknown>[] } };
}

async function openList(): Promise<void> {
  await page.goto(`${lab.url}/#/infrastructure/ip-pools/${lab.ns}`);
  await page.reload();
  await page.locator('[data-extension="vsphere.config-pools"]').waitFor();
}

describe('a slot’s further NICs and persistent disks', () => {
  it('adds a NIC and a disk to a slot, shows each problem next to its field, and saves them in the pool', async () => {
    await openList();
    await page.locator('[data-extension="vsphere.config-pools"] [data-action="create"]').click();
    await field('name').waitFor();
    await offered('credential', 'vcenter-lab');
    await field('credential').selectOption('vcenter-lab');
    await offered('datacenter', 'dc-a');
    await field('datacenter').selectOption('dc-a');
    await offered('slots.0.networkName', 'pg-business');
    await field('name').fill('cp-slots');
    await field('clusterName').fill('lab');
    await field('slots.0.hostname').fill('cp-01');
    await field('slots.0.networkName').selectOption('pg-business');
    await field('slots.0.ip').fill('10.10.10.11/24');
    await field('slots.0.gateway').fill('10.10.10.1');

    await action('add:slots.0.nics').click();
    await action('add:slots.0.disks').click();
    await offered('slots.0.nics.0.networkName', 'pg-storage');
    await field('slots.0.nics.0.ip').fill('10.10.20.11/24');
    await field('slots.0.nics.0.gateway').fill('10.10.30.1');
    await field('slots.0.disks.0.name').fill('etcd');
    // A second disk of the same name, to be removed again.
    await action('add:slots.0.disks').click();
    await field('slots.0.disks.1.name').fill('etcd');
    await field('slots.0.disks.1.sizeGiB').fill('5');

    const writes = lab.writes.length;
    await action('save').click();
    expect(await problemOf('slots.0.nics.0.networkName')).toEqual({
      invalid: 'true',
      text: 'choose the network of this NIC',
    });
    expect(await problemOf('slots.0.nics.0.gateway')).toEqual({
      invalid: 'true',
      text: 'not in the network of 10.10.20.11/24',
    });
    expect(await problemOf('slots.0.disks.0.sizeGiB')).toEqual({
      invalid: 'true',
      text: 'the size in GiB is required',
    });
    expect(await problemOf('slots.0.disks.1.name')).toEqual({
      invalid: 'true',
      text: 'etcd is already a disk of this slot',
    });
    expect(lab.writes.slice(writes)).toEqual([]);
    await lab.expectAccessible('the config pool form with a NIC and disks refused');
    await lab.shot('config-pool-nic-disk-refused');

    await action('remove:slots.0.disks.1').click();
    expect(await page.locator('[data-entry^="slots.0.disks."]').count()).toBe(1);
    // What was typed in the entries left stays.
    expect(await field('slots.0.disks.0.name').inputValue()).toBe('etcd');
    expect(await field('slots.0.nics.0.ip').inputValue()).toBe('10.10.20.11/24');
    await field('slots.0.nics.0.networkName').selectOption('pg-storage');
    await field('slots.0.nics.0.deviceName').fill('eth1');
    await field('slots.0.nics.0.gateway').fill('10.10.20.1');
    await field('slots.0.disks.0.sizeGiB').fill('20');
    await field('slots.0.disks.0.mountPath').fill('/var/lib/etcd');
    await field('slots.0.disks.0.wipeFilesystem').check();
    await action('save').click();
    await page.locator('[data-extension="vsphere.config-pools"] [data-name="cp-slots"]').waitFor();

    const stored = await readPool('cp-slots');
    expect(stored.spec.configs).toEqual([
      {
        hostname: 'cp-01',
        network: {
          primary: { networkName: 'pg-business', ip: '10.10.10.11/24', gateway: '10.10.10.1' },
          additional: [
            { networkName: 'pg-storage', deviceName: 'eth1', ip: '10.10.20.11/24', gateway: '10.10.20.1' },
          ],
        },
        persistentDisks: [{ name: 'etcd', sizeGiB: 20, mountPath: '/var/lib/etcd', wipeFilesystem: true }],
      },
    ]);
  });

  it('an update shows each stored disk’s lifecycle state from the status, keeps a made disk’s name and its written UUID', async () => {
    // What the controllers write once a machine took the slot: the disk's UUID and path, the slot InUse.
    const stored = await readPool('cp-slots');
    const slot = stored.spec.configs[0] as { persistentDisks: Record<string, unknown>[] };
    slot.persistentDisks = [
      {
        ...slot.persistentDisks[0],
        diskUUID: '6000c29a-etcd',
        volumePath: '[ds-a] cp-slots/cp-01/etcd.vmdk',
      },
      { name: 'logs', sizeGiB: 5 },
    ];
    await pools().replace(stored);
    await lab.kubeConfig.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus({
      group: INFRA,
      version: 'v1beta1',
      namespace: lab.ns,
      plural: 'vspheremachineconfigpools',
      name: 'cp-slots',
      body: [
        {
          op: 'add',
          path: '/status',
          value: {
            configStatuses: [{ hostname: 'cp-01', state: 'InUse', machineRef: { name: 'lab-cp-x7' } }],
          },
        },
      ],
    });

    await openList();
    await page.locator('[data-extension="vsphere.config-pools"] [data-action="edit:cp-slots"]').click();
    const state = page.locator('[data-disk-state]');
    await state.first().waitFor();
    expect(
      await state.evaluateAll((nodes) =>
        nodes.map((n) => [n.getAttribute('data-disk-state'), n.textContent]),
      ),
    ).toEqual([
      ['InUse', 'State: InUse by lab-cp-x7'],
      ['New', 'State: Not made yet: made when a machine first takes the slot'],
    ]);
    expect(await field('slots.0.disks.0.name').getAttribute('readonly')).not.toBeNull();
    expect(await field('slots.0.disks.1.name').getAttribute('readonly')).toBeNull();
    await lab.expectAccessible('the config pool update form with disk states');
    await lab.shot('config-pool-disk-states');

    await field('slots.0.disks.0.sizeGiB').fill('30');
    await action('save').click();
    await page.locator('[data-extension="vsphere.config-pools"] [data-name="cp-slots"]').waitFor();
    const updated = await readPool('cp-slots');
    expect((updated.spec.configs[0] as { persistentDisks: unknown[] }).persistentDisks).toEqual([
      {
        name: 'etcd',
        sizeGiB: 30,
        mountPath: '/var/lib/etcd',
        wipeFilesystem: true,
        diskUUID: '6000c29a-etcd',
        volumePath: '[ds-a] cp-slots/cp-01/etcd.vmdk',
      },
      { name: 'logs', sizeGiB: 5 },
    ]);
  });

  it('ran without a console error or uncaught exception in the page', () => {
    expect(lab.pageErrors).toEqual([]);
  });
});
