import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { PASSWORD, type Simulator, startSimulator } from '../cloud/simulator.js';
import { ExtensionPage } from './browser-page.js';
import { kubernetesRequest } from './host-api.js';
import { INFRA, seedScenario } from './wizard-scenario.js';

const kubeConfig = testKubeConfig();
let sim: Simulator;
let harness: ExtensionPage;
let namespace: string;

const names = async (plural: string) =>
  (
    await kubernetesRequest<{ items: { metadata: { name: string } }[] }>(
      kubeConfig,
      'GET',
      `${INFRA}/namespaces/${namespace}/${plural}`,
    )
  ).items.map((o) => o.metadata.name);

beforeAll(async () => {
  sim = await startSimulator();
  namespace = await createTestNamespace(kubeConfig, 'infra-ui');
  await seedScenario(kubeConfig, namespace, sim.url, PASSWORD);
  harness = await ExtensionPage.open(kubeConfig);
});
afterAll(async () => {
  await harness?.close();
  await closePlatformSessions();
  await sim?.close();
});

describe('IP pool form', () => {
  test('each documented rule shows its error next to the field and nothing is created', async () => {
    await harness.mount('ipPoolForm', { namespace }, ['onSaved', 'onCancel']);
    const page = harness.page;
    await page.waitForSelector('[data-field="pool.0.ip"]');
    await page.fill('[data-field="name"]', 'bad-pool');
    await page.fill('[data-field="pool.0.ip"]', '10.0.5.300');
    await page.fill('[data-field="pool.0.mask"]', '/24');
    await page.fill('[data-field="pool.0.gateway"]', '10.0.5.1');
    await page.click('[data-action="add-entry"]');
    await page.fill('[data-field="pool.1.ip"]', '10.0.6.11');
    await page.fill('[data-field="pool.1.mask"]', '24');
    await page.fill('[data-field="pool.1.gateway"]', '10.0.5.1');
    await page.click('[data-action="add-entry"]');
    await page.fill('[data-field="pool.2.ip"]', '10.0.6.11');
    await page.fill('[data-field="pool.2.mask"]', '255.255.255.0');
    await page.fill('[data-field="pool.2.gateway"]', '10.0.6.1');
    await page.click('[data-action="add-nic:2"]');
    await page.fill('[data-field="pool.2.additionNic.0.ip"]', '10.0.7.11');
    await page.click('[data-action="save"]');
    expect(await harness.errorFor('pool.0.ip')).toBe('10.0.5.300 is not an IPv4 address');
    expect(await harness.errorFor('pool.0.mask')).toBe(
      'give the mask as a prefix length without the slash, e.g. 24',
    );
    expect(await harness.errorFor('pool.1.gateway')).toBe(
      'gateway 10.0.5.1 is outside the subnet of 10.0.6.11/24',
    );
    expect(await harness.errorFor('pool.2.ip')).toBe(
      '10.0.6.11 is already used by pool.1.ip; IPs must be unique in the pool',
    );
    expect(await harness.errorFor('pool.2.mask')).toBe(
      'give the mask as a prefix length: 24 for 255.255.255.0',
    );
    expect(await harness.errorFor('pool.2.additionNic.0.gateway')).toBe('gateway is required');
    expect(await harness.errorFor('pool.2.additionNic.0.dvSwitchName')).toBe(
      'an additional NIC needs its DV switch',
    );
    expect(await names('dcsiphostnamepools')).not.toContain('bad-pool');
    await harness.screenshot('ip-pool-form-errors');
  });

  test('create with a DV switch and port group chosen from the platform; the list shows the slots', async () => {
    await harness.mount('ipPoolForm', { namespace }, ['onSaved', 'onCancel']);
    const page = harness.page;
    await page.waitForSelector('[data-field="credential"] option[value="dcs-auth"]', { state: 'attached' });
    await page.selectOption('[data-field="credential"]', 'dcs-auth');
    await page.waitForSelector('[data-field="pool.0.dvSwitchName"] option[value="DVS-Business"]', {
      state: 'attached',
    });
    await page.fill('[data-field="name"]', 'lab-pool');
    await page.fill('[data-field="pool.0.ip"]', '10.0.9.11');
    await page.fill('[data-field="pool.0.mask"]', '24');
    await page.fill('[data-field="pool.0.gateway"]', '10.0.9.1');
    await page.fill('[data-field="pool.0.dns"]', '10.0.0.2,10.0.0.3');
    await page.fill('[data-field="pool.0.hostname"]', 'lab-1');
    await page.selectOption('[data-field="pool.0.dvSwitchName"]', 'DVS-Business');
    await page.selectOption('[data-field="pool.0.portGroupName"]', 'business-vlan200');
    await page.click('[data-action="save"]');
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
    expect(await harness.events()).toEqual([['onSaved', 'lab-pool']]);
    const pool = await kubernetesRequest<{ spec: unknown }>(
      kubeConfig,
      'GET',
      `${INFRA}/namespaces/${namespace}/dcsiphostnamepools/lab-pool`,
    );
    expect(pool.spec).toEqual({
      pool: [
        {
          ip: '10.0.9.11',
          mask: '24',
          gateway: '10.0.9.1',
          dns: '10.0.0.2,10.0.0.3',
          hostname: 'lab-1',
          dvSwitchName: 'DVS-Business',
          portGroupName: 'business-vlan200',
        },
      ],
    });
    // A machine holds one entry of cp-pool: the list shows who.
    await kubernetesRequest(
      kubeConfig,
      'PATCH',
      `${INFRA}/namespaces/${namespace}/dcsiphostnamepools/cp-pool/status`,
      {
        status: { slots: [{ ip: '10.0.1.11', dcsMachine: 'demo-cp-abc', dcsMachineUID: 'uid-1' }] },
      },
    );
    await harness.mount('ipPoolList', { namespace }, ['create', 'edit']);
    await page.waitForSelector('[data-slot="10.0.1.11"]');
    expect(await page.textContent('[data-slot="10.0.1.11"]')).toBe('10.0.1.11 — demo-cp-abc');
    expect(await page.textContent('[data-free="cp-pool"]')).toBe('2');
    await harness.screenshot('ip-pool-list');
    // A pool with held entries is not deleted: the list says why.
    await page.click('[data-action="delete:cp-pool"]');
    const refusal = page.locator('[role="alert"]', { hasText: 'cannot be deleted' });
    expect(await refusal.textContent()).toBe('cp-pool has 1 entries held by machines; it cannot be deleted');
    // The form refuses to drop the held entry.
    await harness.mount('ipPoolForm', { namespace, name: 'cp-pool' }, ['onSaved', 'onCancel']);
    await page.waitForSelector('[data-action="remove-entry:0"]');
    expect(await page.isDisabled('[data-action="remove-entry:0"]')).toBe(true);
    expect(await page.getAttribute('[data-action="remove-entry:0"]', 'title')).toContain(
      'held by demo-cp-abc',
    );
  });
});

describe('machine template form', () => {
  test('documented fields and mandatory disks; errors next to fields; nothing created', async () => {
    await harness.mount('machineTemplateForm', { namespace }, ['onSaved', 'onCancel']);
    const page = harness.page;
    await page.waitForSelector('[data-field="vmTemplateName"] option[value="ubuntu-2204-k8s-v1.35"]', {
      state: 'attached',
    });
    expect(
      await page.textContent('[data-field="vmTemplateName"] option[value="ubuntu-2204-k8s-v1.35"]'),
    ).toBe('ubuntu-2204-k8s-v1.35 — OS alaudaos-44.m1.202601010000-0.x86_64, Kubernetes v1.35.1');
    // Worker: system, kubelet, containerd; control plane adds etcd.
    expect(await page.locator('[data-disk]').count()).toBe(3);
    await page.selectOption('[data-field="type"]', 'control-plane');
    expect(await page.locator('[data-disk]').count()).toBe(4);
    expect(await page.inputValue('[data-field="disks.3.path"]')).toBe('/var/lib/etcd');
    expect(await page.inputValue('[data-field="disks.3.sizeGB"]')).toBe('10');
    expect(await page.locator('[data-action^="remove-disk"]').count()).toBe(0);
    await page.fill('[data-field="name"]', 'Bad Name');
    await page.fill('[data-field="cpu"]', '0');
    await page.click('[data-action="add-disk"]');
    await page.fill('[data-field="disks.4.path"]', '/var/lib/kubelet');
    await page.click('[data-action="save"]');
    expect(await harness.errorFor('name')).toMatch(/lowercase/);
    expect(await harness.errorFor('vmTemplateName')).toBe('choose a VM template');
    expect(await harness.errorFor('cpu')).toBe('CPU cores must be a whole number of at least 1');
    expect(await harness.errorFor('ipPool')).toBe('choose an IP pool');
    expect(await harness.errorFor('disks.0.datastore')).toBe('choose a datastore or datastore cluster');
    expect(await harness.errorFor('disks.4.path')).toBe('/var/lib/kubelet is already disk 2');
    expect(await names('dcsmachinetemplates')).toEqual(['cp-135', 'worker-135']);
    await harness.screenshot('machine-template-form-errors');
  });

  test('create from platform lists; editing a template in use makes a new one', async () => {
    await harness.mount('machineTemplateForm', { namespace }, ['onSaved', 'onCancel']);
    const page = harness.page;
    await page.waitForSelector('[data-field="credential"] option[value="dcs-auth"]', { state: 'attached' });
    await page.selectOption('[data-field="credential"]', 'dcs-auth');
    await page.waitForSelector('[data-field="folder"] option[value="kubernetes"]', { state: 'attached' });
    await page.fill('[data-field="name"]', 'worker-big');
    await page.selectOption('[data-field="vmTemplateName"]', 'ubuntu-2204-k8s-v1.35');
    await page.selectOption('[data-field="folder"]', 'kubernetes');
    await page.fill('[data-field="cpu"]', '16');
    await page.fill('[data-field="memoryMB"]', '32768');
    for (const i of [0, 1, 2]) await page.selectOption(`[data-field="disks.${i}.datastore"]`, 'ssd-pool');
    await page.selectOption('[data-field="ipPool"]', 'worker-pool');
    await page.click('[data-action="save"]');
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
    expect(await harness.events()).toEqual([['onSaved', 'worker-big']]);
    const created = await kubernetesRequest<{ metadata: { labels: Record<string, string> }; spec: unknown }>(
      kubeConfig,
      'GET',
      `${INFRA}/namespaces/${namespace}/dcsmachinetemplates/worker-big`,
    );
    expect(created.metadata.labels['infrastructure.cluster.x-k8s.io/dcs-machine-type']).toBe('worker');
    expect(created.spec).toEqual({
      template: {
        spec: {
          vmTemplateName: 'ubuntu-2204-k8s-v1.35',
          location: { type: 'folder', name: 'kubernetes' },
          vmConfig: {
            dcsMachineCpuSpec: { quantity: 16 },
            dcsMachineMemorySpec: { quantity: 32768 },
            dcsMachineDiskSpec: [
              { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
              { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/kubelet', format: 'xfs' },
              { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/containerd', format: 'xfs' },
            ],
          },
          ipHostPoolRef: { name: 'worker-pool' },
        },
      },
    });

    // Unused: an edit changes it in place.
    await harness.mount('machineTemplateForm', { namespace, name: 'worker-big' }, ['onSaved', 'onCancel']);
    await page.waitForFunction(
      () => (document.querySelector('[data-field="cpu"]') as HTMLInputElement).value === '16',
    );
    await page.fill('[data-field="cpu"]', '12');
    await page.click('[data-action="save"]');
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
    expect(await harness.events()).toEqual([['onSaved', 'worker-big']]);

    // In use by a MachineDeployment: the edit becomes worker-big-2 and worker-big stays as it was.
    await kubernetesRequest(
      kubeConfig,
      'POST',
      `/apis/cluster.x-k8s.io/v1beta2/namespaces/${namespace}/machinedeployments`,
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'MachineDeployment',
        metadata: { name: 'other-md', namespace },
        spec: {
          clusterName: 'other',
          selector: { matchLabels: { pool: 'other' } },
          template: {
            metadata: { labels: { pool: 'other' } },
            spec: {
              clusterName: 'other',
              bootstrap: { dataSecretName: 'x' },
              infrastructureRef: {
                apiGroup: 'infrastructure.cluster.x-k8s.io',
                kind: 'DCSMachineTemplate',
                name: 'worker-big',
              },
            },
          },
        },
      },
    );
    await harness.mount('machineTemplateForm', { namespace, name: 'worker-big' }, ['onSaved', 'onCancel']);
    await page.waitForFunction(
      () => (document.querySelector('[data-field="cpu"]') as HTMLInputElement).value === '12',
    );
    await page.fill('[data-field="cpu"]', '8');
    await page.click('[data-action="save"]');
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
    expect(await harness.events()).toEqual([['onSaved', 'worker-big-2']]);
    const cpu = async (name: string) =>
      (
        await kubernetesRequest<{
          spec: { template: { spec: { vmConfig: { dcsMachineCpuSpec: { quantity: number } } } } };
        }>(kubeConfig, 'GET', `${INFRA}/namespaces/${namespace}/dcsmachinetemplates/${name}`)
      ).spec.template.spec.vmConfig.dcsMachineCpuSpec.quantity;
    expect(await cpu('worker-big')).toBe(12);
    expect(await cpu('worker-big-2')).toBe(8);
    expect(harness.notices.at(-1)).toBe(
      'info: worker-big is used by MachineDeployment/other-md; the changes were saved as a new template worker-big-2',
    );
    await harness.mount('machineTemplateList', { namespace }, ['create', 'edit']);
    await page.waitForSelector('[data-name="worker-big-2"]');
    await harness.screenshot('machine-template-list');
    // A template in use is not deleted; an unused one is, after the user confirms.
    await page.click('[data-action="delete:worker-big"]');
    const refusal = page.locator('[role="alert"]', { hasText: 'cannot be deleted' });
    expect(await refusal.textContent()).toBe(
      'worker-big is used by MachineDeployment/other-md; it cannot be deleted',
    );
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('[data-action="delete:worker-big-2"]');
    await page.waitForSelector('[data-name="worker-big-2"]', { state: 'detached' });
    expect(await cpu('worker-big')).toBe(12);
  });
});
