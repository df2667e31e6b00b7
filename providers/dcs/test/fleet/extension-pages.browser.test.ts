import { readFileSync } from 'node:fs';
import { eventually, plainHttpConsent } from '@immutable-infra/testkit';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcsClient, DcsSession } from '../../src/cloud/index.js';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { createVm, credentialFor } from '../cloud/simulator.js';
import { kubernetesRequest } from '../ui/host-api.js';
import { INFRA, ipPool, machineTemplate } from '../ui/wizard-scenario.js';
import {
  type DcsLab,
  describeWhatTheBrowserReceived,
  type FleetHost,
  type Loose,
  openFleet,
  PASSWORD,
  SITE,
  screenshotFailures,
  startDcsLab,
  USER,
} from './fleet-host.js';

// The DCS extension's pages beyond the documented form rules (infrastructure-forms.browser.test.ts)
// and the wizard (create-cluster.browser.test.ts), each through the real Fleet Essentials host:
// the cluster page's machines tab, a credential's whole life in the list, IP pool entries held by
// machines, a machine template in use by a MachineDeployment. The credential was applied with
// kubectl, so its last-applied annotation holds every value: what the pages read of it goes
// through the host's scrubbing, and the scan at the end sees every byte the browser received.

// A wrong key, typed into a credential: it must not come back either.
const WRONG = 'Not-The-Password-42';

let lab: DcsLab;
let host: FleetHost;
let page: Page;
let vmUrn: string;
const at = (collection: string, name = '') => `${collection}/namespaces/${lab.ns}/${name}`;
const admin = <T = Loose>(method: string, path: string, body?: unknown) =>
  kubernetesRequest<T>(lab.kubeConfig, method, path, body);

/** The Secret as `kubectl apply -f` leaves it: the applied manifest, values and all, in an annotation. */
function appliedCredential(ns: string, endpoint: string) {
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dcs-lab', namespace: ns, annotations: { 'cpaas.io/display-name': 'Lab DCS' } },
    type: 'Opaque',
    stringData: {
      authUser: USER,
      authKey: PASSWORD,
      endpoint,
      site: SITE,
      userType: 'interconnect',
      ...plainHttpConsent(endpoint),
    },
  };
  return {
    ...manifest,
    metadata: {
      ...manifest.metadata,
      annotations: {
        ...manifest.metadata.annotations,
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest),
      },
    },
  };
}

beforeAll(async () => {
  lab = await startDcsLab('fleet-pages');
  await admin('POST', at('/api/v1', 'secrets'), appliedCredential(lab.ns, lab.sim.url));
  await admin('POST', at(INFRA, 'dcsiphostnamepools'), ipPool(lab.ns, 'cp-pool', 11, 3));
  await admin('POST', at(INFRA, 'dcsiphostnamepools'), ipPool(lab.ns, 'worker-pool', 21, 4));
  // A control plane machine of cluster demo: its VM in dcs-sim, its entry of cp-pool, its disk attached.
  const session = new DcsSession(credentialFor(lab.sim, { user: USER, key: PASSWORD }));
  vmUrn = (await createVm(new DcsClient(session), 'demo-cp-x1')).vmUrn;
  await session.close();
  await admin('POST', at(INFRA, 'dcsclusters'), {
    apiVersion: `${INFRA.slice('/apis/'.length)}`,
    kind: 'DCSCluster',
    metadata: { name: 'demo' },
    spec: {
      controlPlaneLoadBalancer: { host: '192.0.2.100', port: 6443, type: 'external' },
      credentialSecretRef: { name: 'dcs-lab' },
      networkType: 'kube-ovn',
    },
  });
  await admin('POST', at('/apis/cluster.x-k8s.io/v1beta2', 'clusters'), {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name: 'demo' },
    spec: {
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSCluster', name: 'demo' },
    },
  });
  await admin('POST', at(INFRA, 'dcsmachines'), {
    apiVersion: `${INFRA.slice('/apis/'.length)}`,
    kind: 'DCSMachine',
    metadata: { name: 'demo-cp-x1', labels: { 'cluster.x-k8s.io/cluster-name': 'demo' } },
    spec: {
      vmTemplateName: 'ubuntu-2204-k8s-v1.34',
      vmUrn,
      ipHostPoolRef: { name: 'cp-pool' },
      vmConfig: {
        dcsMachineCpuSpec: { quantity: 4 },
        dcsMachineMemorySpec: { quantity: 8192 },
        dcsMachineDiskSpec: [
          { quantity: 0, datastoreClusterName: 'ssd-pool', systemVolume: true },
          { quantity: 100, datastoreClusterName: 'ssd-pool', path: '/var/lib/kubelet' },
        ],
      },
    },
  });
  await admin('PATCH', at(INFRA, 'dcsmachines/demo-cp-x1/status'), {
    status: { networkConfig: { ip: '10.0.1.11', hostname: 'cp-pool-1', machineName: 'demo-cp-x1' } },
  });
  await admin('PATCH', at(INFRA, 'dcsiphostnamepools/cp-pool/status'), {
    status: {
      slots: [{ ip: '10.0.1.11', dcsMachine: 'demo-cp-x1', dcsMachineUID: 'uid-1' }],
      persistentDiskStatus: [
        { ip: '10.0.1.11', slot: 0, name: 'cp-pool-10-0-1-11-0', path: '/var/cpaas', phase: 'Attached' },
      ],
    },
  });
  host = await openFleet(lab);
  page = host.page;
  await host.signIn();
}, 300_000);

afterAll(async () => {
  await host?.close();
  await closePlatformSessions();
  await lab?.close();
}, 120_000);

screenshotFailures(() => host);

/** The provider's list of `kind` in the host, read afresh. */
async function openList(kind: 'credentials' | 'ip-pools' | 'machine-templates'): Promise<void> {
  await page.goto(`${host.url}/#/infrastructure/${kind}/${lab.ns}`);
  await page.reload();
  await page.locator(`[data-extension="dcs.${kind}"] [data-action="create"]`).waitFor();
}

const toast = (text: string) => page.locator('[data-toast]', { hasText: text }).waitFor();
const secretNames = async () =>
  (await lab.kubeConfig.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: lab.ns })).items
    .map((s) => s.metadata?.name)
    .filter((name) => name !== 'dcs-kubernetes-1.35-files');

describe('the extension bundle in the real host', () => {
  it('the host serves every entry of ui-extension.json, and a bundle with each export it names', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../ui-extension.json', import.meta.url), 'utf8'));
    const served = (await page.evaluate(() => fetch('/api/extensions').then((r) => r.json()))) as {
      id: string;
      load: boolean;
      manifest?: { extensions: { id: string }[] };
      bundleUrl?: string;
    }[];
    const dcs = served.find((e) => e.id === '@immutable-infra/provider-dcs');
    expect(dcs?.load).toBe(true);
    expect(dcs?.manifest?.extensions.map((e) => e.id)).toEqual(
      manifest.extensions.map((e: { id: string }) => e.id),
    );
    // A string, so the test runner leaves the page's own import() alone.
    const exported = (await page.evaluate(
      `import(${JSON.stringify(dcs?.bundleUrl)}).then((m) => Object.keys(m))`,
    )) as string[];
    for (const entry of manifest.extensions) expect(exported, entry.export).toContain(entry.export);
  });
});

describe('DCS machines on the cluster page', () => {
  it('the Extensions tab shows each machine’s VM, host, IP slot, disks and persistent volumes', async () => {
    await page.goto(`${host.url}/#/clusters/${lab.ns}/demo`);
    await page.getByRole('tab', { name: 'Extensions' }).click();
    await page.locator('[data-machine="demo-cp-x1"]').waitFor();
    await expect.poll(() => page.textContent('[data-host="demo-cp-x1"]')).toMatch(/^CNA0[23]$/);
    expect(await page.textContent('[data-vm="demo-cp-x1"]')).toBe('demo-cp-x1 (running)');
    expect(await page.textContent('[data-slot="demo-cp-x1"]')).toBe('10.0.1.11 in cp-pool (cp-pool-1)');
    expect(await page.textContent('[data-volumes="demo-cp-x1"]')).toBe(
      'slot 0 /var/cpaas cp-pool-10-0-1-11-0 Attached',
    );
    expect(await page.textContent('[data-extension="dcs.machines"] table')).toContain('system: template GB');
    await host.shot('pages-cluster-machines-tab');
  });
});

describe('a credential’s life in the list', () => {
  it('a wrong key is saved and its test says the login was refused; the applied credential is read back without values and its test passes', async () => {
    await openList('credentials');
    await page.locator('[data-extension="dcs.credentials"] [data-action="create"]').click();
    await host.field('name').fill('dcs-wrong');
    await host.field('endpoint').fill(lab.sim.url);
    await host.field('authUser').fill(USER);
    await host.field('authKey').fill(WRONG);
    await host.field('site').fill(SITE);
    // The simulator speaks plain HTTP: the form takes it only with the box ticked.
    await host.field('allowPlainHTTP').check();
    await page.locator('[data-action="save"]').click();
    await toast('Credential dcs-wrong saved, but the connection test failed');
    // Both credentials are listed; the wrong one's own test is refused by DCS.
    await page.locator('[data-extension="dcs.credentials"] [data-name="dcs-wrong"]').waitFor();
    await page.locator('[data-extension="dcs.credentials"] [data-name="dcs-lab"]').waitFor();
    await page.locator('[data-action="test:dcs-wrong"]').click();
    const verdict = page.locator('[data-connection-result="dcs-wrong"][data-result]');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-result')).toBe('LoginFailed');
    expect(await verdict.textContent()).toContain('wrong user or key');
    await host.shot('pages-credential-login-failed');
    // The edit form reads the applied Secret through the host: the display name, no values.
    await page.locator('[data-action="edit:dcs-lab"]').click();
    await expect.poll(() => host.field('displayName').inputValue()).toBe('Lab DCS');
    expect(await host.field('authKey').inputValue()).toBe('');
    await page.locator('[data-action="test-connection"]').click();
    await page.locator('[data-connection-result][data-result="ok"]').waitFor();
  });

  it('an update changes the display name and keeps the stored key; an unused credential is deleted', async () => {
    await openList('credentials');
    await page.locator('[data-action="edit:dcs-wrong"]').click();
    await expect.poll(() => host.field('name').inputValue()).toBe('dcs-wrong');
    await host.field('displayName').fill('Typo account');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="dcs.credentials"] [data-action="create"]').waitFor();
    const core = lab.kubeConfig.makeApiClient(CoreV1Api);
    const secret = await eventually('the display name stored on the Secret', async () => {
      const read = await core.readNamespacedSecret({ namespace: lab.ns, name: 'dcs-wrong' });
      return read.metadata?.annotations?.['cpaas.io/display-name'] === 'Typo account' ? read : undefined;
    });
    expect(Buffer.from(secret.data?.authKey ?? '', 'base64').toString()).toBe(WRONG);
    await openList('credentials');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-action="delete:dcs-wrong"]').click();
    await page
      .locator('[data-extension="dcs.credentials"] [data-name="dcs-wrong"]')
      .waitFor({ state: 'detached' });
    expect(await secretNames()).toEqual(['dcs-lab']);
  });
});

describe('IP pool entries held by machines', () => {
  it('the list shows who holds an entry and refuses to delete the pool; the form refuses to drop the entry', async () => {
    await openList('ip-pools');
    await page.locator('[data-slot="10.0.1.11"]').waitFor();
    expect(await page.textContent('[data-slot="10.0.1.11"]')).toBe('10.0.1.11 — demo-cp-x1');
    expect(await page.textContent('[data-free="cp-pool"]')).toBe('2');
    await host.shot('pages-ip-pool-held');
    await page.locator('[data-action="delete:cp-pool"]').click();
    const refusal = page.locator('[role="alert"]', { hasText: 'cannot be deleted' });
    expect(await refusal.textContent()).toBe('cp-pool has 1 entries held by machines; it cannot be deleted');
    await page.locator('[data-action="edit:cp-pool"]').click();
    await page.locator('[data-action="remove-entry:0"]').waitFor();
    expect(await page.isDisabled('[data-action="remove-entry:0"]')).toBe(true);
    expect(await page.getAttribute('[data-action="remove-entry:0"]', 'title')).toContain(
      'held by demo-cp-x1',
    );
  });
});

describe('a machine template used by a MachineDeployment', () => {
  it('an edit is saved as <name>-2; the template in use is not deleted, the unused revision is', async () => {
    await admin(
      'POST',
      at(INFRA, 'dcsmachinetemplates'),
      machineTemplate(lab.ns, 'worker-big', 'worker', 'worker-pool', 'ubuntu-2204-k8s-v1.35'),
    );
    await admin('POST', at('/apis/cluster.x-k8s.io/v1beta2', 'machinedeployments'), {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: 'other-md' },
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
    });
    const cpu = async (name: string) =>
      (await admin('GET', at(INFRA, `dcsmachinetemplates/${name}`))).spec.template.spec.vmConfig
        .dcsMachineCpuSpec.quantity as number;
    const before = await cpu('worker-big');
    await openList('machine-templates');
    await page.locator('[data-action="edit:worker-big"]').click();
    await expect.poll(() => host.field('ipPool').inputValue()).toBe('worker-pool');
    await host.field('cpu').fill(String(before + 4));
    await page.locator('[data-action="save"]').click();
    await toast(
      'worker-big is used by MachineDeployment/other-md; the changes were saved as a new template worker-big-2',
    );
    await page.locator('[data-extension="dcs.machine-templates"] [data-name="worker-big-2"]').waitFor();
    expect(await cpu('worker-big')).toBe(before);
    expect(await cpu('worker-big-2')).toBe(before + 4);
    await host.shot('pages-machine-template-in-use');
    await page.locator('[data-action="delete:worker-big"]').click();
    const refusal = page.locator('[role="alert"]', { hasText: 'cannot be deleted' });
    expect(await refusal.textContent()).toBe(
      'worker-big is used by MachineDeployment/other-md; it cannot be deleted',
    );
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-action="delete:worker-big-2"]').click();
    await page
      .locator('[data-extension="dcs.machine-templates"] [data-name="worker-big-2"]')
      .waitFor({ state: 'detached' });
    expect(await cpu('worker-big')).toBe(before);
  });
});

// The pages read the applied Secret (its annotation holds every value) and called the platform.
describeWhatTheBrowserReceived(() => host, {
  bodies: { '/secrets/dcs-lab': 1, '/api/platform': 4 },
  typed: [WRONG],
});
