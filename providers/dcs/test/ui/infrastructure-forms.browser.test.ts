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

// Each documented rule of these forms (its error next to the field, nothing created) is tested
// through the real Fleet Essentials host in test/fleet/infrastructure-forms.browser.test.ts; here
// what that file leaves out: held entries, deletion refusals, a template used by a MachineDeployment.
describe('IP pool form', () => {
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
