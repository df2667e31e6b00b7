import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, network } from '../cloud/simulator.js';
import { type HcsFleetLab, INFRA, startHcsFleetLab } from './fleet-host.js';

// The HCS extension in the real Fleet Essentials host, in chromium, against hcs-sim: the credential
// form saves the documented Secret and runs the connection test through the platform proxy; the
// config pool and machine template forms fill their dropdowns from the simulator, show each
// problem next to its field and save the documented kinds. axe-core checks every screen.

const WRONG_SECRET_KEY = 'Not-The-Secret-Key-4u';

let lab: HcsFleetLab;
let page: Page;

beforeAll(async () => {
  lab = await startHcsFleetLab('hcs-fleet');
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
/** Waits until the select `name` offers `value` (lists from HCS arrive after the form). */
const offered = (name: string, value: string) =>
  page.locator(`[data-field="${name}"] option[value="${value}"]`).waitFor({ state: 'attached' });
const optionValues = (name: string) =>
  field(name)
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
/** The words in the problem slot of `name`, which the control names in aria-describedby, and whether it is marked invalid. */
async function problemOf(name: string): Promise<{ invalid: string | null; text: string }> {
  const control = field(name);
  const slot = page.locator(`[id="${await control.getAttribute('aria-describedby')}"]`);
  return { invalid: await control.getAttribute('aria-invalid'), text: (await slot.textContent()) ?? '' };
}

async function openList(kind: 'credentials' | 'machine-templates' | 'ip-pools'): Promise<void> {
  await page.goto(`${lab.url}/#/infrastructure/${kind}/${lab.ns}`);
  await page.reload();
}

async function openCreateForm(kind: 'credentials' | 'machine-templates' | 'ip-pools', form: string) {
  await openList(kind);
  const list = {
    credentials: 'credentials',
    'ip-pools': 'config-pools',
    'machine-templates': 'machine-templates',
  }[kind];
  await page.locator(`[data-extension="hcs.${list}"] [data-action="create"]`).click();
  await page.locator(`[data-extension="${form}"] [data-field="name"]`).waitFor();
}

const objects = () => KubernetesObjectApi.makeApiClient(lab.kubeConfig);

/** An HCS object of the test namespace by kind, read with the admin kubeconfig (not through the host). */
async function readObject(kind: string, name: string) {
  const read = await objects().read({
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

/** Fills the documented keys of a credential pointing at the simulator over plain HTTP. */
async function fillCredential(name: string, secretKey: string) {
  await field('name').fill(name);
  await field('accessKey').fill(lab.sim.accessKey);
  await field('secretKey').fill(secretKey);
  await field('projectID').fill(lab.sim.projectId);
  await field('region').fill(lab.sim.region);
  await field('externalGlobalDomain').fill(lab.domain);
  await field('schema').selectOption('http');
  await field('allowPlainHTTP').check();
}

describe('credential form', () => {
  it('shows every missing or wrong key next to its field, and writes nothing', async () => {
    await openCreateForm('credentials', 'hcs.credential-form');
    await lab.expectAccessible('the empty credential form');
    await field('name').fill('hcs-bad');
    await field('accessKey').fill(lab.sim.accessKey);
    await field('externalGlobalDomain').fill('https://hcs.example.com');
    await field('schema').selectOption('http');
    const writes = lab.writes.length;
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('secretKey')).toEqual({
      invalid: 'true',
      text: 'the secret key (SK) is required',
    });
    expect(await problemOf('projectID')).toEqual({ invalid: 'true', text: 'the project ID is required' });
    expect(await problemOf('region')).toEqual({ invalid: 'true', text: 'the region is required' });
    expect(await problemOf('externalGlobalDomain')).toEqual({
      invalid: 'true',
      text: 'a domain name, optionally with :port, without a scheme or a path',
    });
    expect(await problemOf('schema')).toEqual({
      invalid: 'true',
      text: 'http sends the access key unencrypted: choose https, or tick "Allow plain HTTP" to accept that',
    });
    expect((await problemOf('accessKey')).invalid).toBeNull();
    expect(lab.writes.slice(writes)).toEqual([]);
    await lab.expectAccessible('the credential form with its problems');
    await lab.shot('credential-refused');
  });

  it('saves the documented Secret, runs the connection test against HCS; a row’s Test runs it again', async () => {
    await openCreateForm('credentials', 'hcs.credential-form');
    await fillCredential('hcs-lab', lab.sim.secretKey);
    await field('displayName').fill('Lab HCS');
    await page.locator('[data-warnings] li').waitFor();
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-toast="success"]', { hasText: 'Credential hcs-lab saved; connection OK' })
      .waitFor();
    expect(await secretData('hcs-lab')).toEqual({
      accessKey: lab.sim.accessKey,
      secretKey: lab.sim.secretKey,
      projectID: lab.sim.projectId,
      region: lab.sim.region,
      externalGlobalDomain: lab.domain,
      schema: 'http',
      allowPlainHTTP: 'true',
    });

    const row = page.locator('[data-extension="hcs.credentials"] tr', { hasText: 'hcs-lab' });
    await row.locator('[data-action="test:hcs-lab"]').click();
    const verdict = page.locator('[data-connection-result="hcs-lab"][data-result="ok"]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toBe(
      'Connection OK: the access key may use the project; 1 availability zone available',
    );
    expect(await row.textContent()).toContain('Lab HCS');
    expect(await row.textContent()).toContain('Huawei Cloud Stack');
    await lab.expectAccessible('the credential list with a verdict');
    await lab.shot('credential-tested');
  });

  it('a wrong secret key is saved, and the verdict says HCS refused the key', async () => {
    await openCreateForm('credentials', 'hcs.credential-form');
    await fillCredential('hcs-wrong', WRONG_SECRET_KEY);
    await page.locator('[data-action="save"]').click();
    const toast = page.locator('[data-toast="error"]', { hasText: 'Credential hcs-wrong saved' });
    await toast.waitFor();
    expect(await toast.textContent()).toContain(
      'Credential hcs-wrong saved, but the connection test failed:',
    );
    const row = page.locator('[data-extension="hcs.credentials"] tr', { hasText: 'hcs-wrong' });
    await row.locator('[data-action="test:hcs-wrong"]').click();
    await page.locator('[data-connection-result="hcs-wrong"][data-result="LoginFailed"]').waitFor();
  });

  it('updating keeps the stored keys left empty and replaces the typed one', async () => {
    await openList('credentials');
    await page.locator('[data-extension="hcs.credentials"] [data-action="edit:hcs-wrong"]').click();
    await page.locator('[data-extension="hcs.credential-form"] [data-field="secretKey"]').waitFor();
    await field('secretKey').fill(lab.sim.secretKey);
    await page.locator('[data-action="save"]').click();
    await page
      .locator('[data-toast="success"]', { hasText: 'Credential hcs-wrong saved; connection OK' })
      .waitFor();
    expect(await secretData('hcs-wrong')).toMatchObject({
      secretKey: lab.sim.secretKey,
      region: lab.sim.region,
      externalGlobalDomain: lab.domain,
    });
  });

  it('refuses to delete a credential an HCSCluster names, and deletes one no cluster uses', async () => {
    await objects().create({
      apiVersion: `${INFRA}/v1beta1`,
      kind: 'HCSCluster',
      metadata: { name: 'lab', namespace: lab.ns },
      spec: {
        controlPlaneLoadBalancer: { vipAddress: '192.168.10.100', vipSubnetName: 'control-plane' },
        networkType: 'kube-ovn',
        network: {
          vpc: { name: 'cluster-vpc' },
          subnets: [{ name: 'control-plane' }],
          securityGroup: { name: 'cluster-sg' },
        },
        identityRef: { name: 'hcs-lab' },
      },
    } as never);
    await openList('credentials');
    const list = page.locator('[data-extension="hcs.credentials"]');
    await list.locator('tr', { hasText: 'hcs-lab' }).filter({ hasText: 'lab' }).waitFor();
    const writes = lab.writes.length;
    await list.locator('[data-action="delete:hcs-lab"]').click();
    await list
      .locator('[role="alert"]', { hasText: 'hcs-lab is used by lab; delete those clusters first' })
      .waitFor();
    expect(lab.writes.slice(writes)).toEqual([]);

    page.once('dialog', (dialog) => void dialog.accept());
    await list.locator('[data-action="delete:hcs-wrong"]').click();
    await list.locator('[data-name="hcs-wrong"]').waitFor({ state: 'detached' });
    expect(lab.writes.slice(writes)).toEqual([
      `DELETE /api/kube/api/v1/namespaces/${lab.ns}/secrets/hcs-wrong`,
    ]);
  });
});

describe('config pool form', () => {
  it('fills subnets and disk types from HCS, names each entry problem, and creates the documented pool', async () => {
    await openCreateForm('ip-pools', 'hcs.config-pool-form');
    await offered('credential', 'hcs-lab');
    await field('credential').selectOption('hcs-lab');
    await offered('configs.0.networks.0.subnet', 'name:control-plane');
    expect(await optionValues('configs.0.networks.0.subnet')).toEqual(['name:control-plane', 'name:workers']);
    await field('name').fill('lab');
    await field('configs.0.hostname').fill('master-1');
    await field('configs.0.networks.0.subnet').selectOption('name:control-plane');
    await field('configs.0.networks.0.ipAddress').fill('192.168.10.11');
    await page.locator('[data-action="add-disk:0"]').click();
    await field('configs.0.persistentDisks.0.size').fill('40');
    await field('configs.0.persistentDisks.0.mountPath').fill('/var/cpaas');
    // A new entry starts with the last one's subnets and disks.
    await page.locator('[data-action="add-entry"]').click();
    expect(await field('configs.1.networks.0.subnet').inputValue()).toBe('name:control-plane');
    expect(await field('configs.1.persistentDisks.0.mountPath').inputValue()).toBe('/var/cpaas');
    await field('configs.1.hostname').fill('master-1');
    await field('configs.1.networks.0.ipAddress').fill('192.168.20.12');
    const writes = lab.writes.length;
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('configs.1.hostname')).toEqual({
      invalid: 'true',
      text: 'master-1 is already entry 1',
    });
    expect(await problemOf('configs.1.networks.0.ipAddress')).toEqual({
      invalid: 'true',
      text: 'not in subnet control-plane (192.168.10.0/24)',
    });
    expect(await problemOf('configs.0.persistentDisks.0.type')).toEqual({
      invalid: 'true',
      text: 'choose the disk type',
    });
    expect(lab.writes.slice(writes)).toEqual([]);
    await lab.expectAccessible('the config pool form with its problems');
    await lab.shot('config-pool-refused');

    await field('configs.0.persistentDisks.0.type').selectOption('SSD');
    await field('configs.1.persistentDisks.0.type').selectOption('SSD');
    await field('configs.1.hostname').fill('master-2');
    await field('configs.1.networks.0.ipAddress').fill('192.168.10.12');
    await page.locator('[data-action="add-network:1"]').click();
    await field('configs.1.networks.1.subnet').selectOption('name:workers');
    await field('configs.1.networks.1.ipAddress').fill('192.168.20.12');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="hcs.config-pools"] [data-name="lab"]').waitFor();
    const disk = { slot: 0, size: 40, type: 'SSD', mountPath: '/var/cpaas', format: 'xfs' };
    expect((await readObject('HCSMachineConfigPool', 'lab')).spec).toEqual({
      configs: [
        {
          hostname: 'master-1',
          networks: [{ subnetName: 'control-plane', ipAddress: '192.168.10.11' }],
          persistentDisks: [disk],
        },
        {
          hostname: 'master-2',
          networks: [
            { subnetName: 'control-plane', ipAddress: '192.168.10.12' },
            { subnetName: 'workers', ipAddress: '192.168.20.12' },
          ],
          persistentDisks: [disk],
        },
      ],
    });
    await lab.expectAccessible('the config pool list');
    await lab.shot('config-pool-saved');
  });

  it('edits a stored pool, keeping a subnet it names by id', async () => {
    const pool = await readObject('HCSMachineConfigPool', 'lab');
    const subnetId = (await network(clientFor(lab.sim))).workers.id;
    const spec = pool.spec as { configs: [unknown, { networks: Record<string, string>[] }] };
    spec.configs[1].networks[1] = { subnetId, ipAddress: '192.168.20.12' };
    await objects().replace(pool as never);

    await openList('ip-pools');
    await page.locator('[data-extension="hcs.config-pools"] [data-action="edit:lab"]').click();
    await field('configs.1.hostname').waitFor();
    expect(await field('configs.1.networks.1.subnet').inputValue()).toBe(`id:${subnetId}`);
    await page.locator('[data-action="remove-disk:configs.0.persistentDisks.0"]').click();
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="hcs.config-pools"] [data-name="lab"]').waitFor();
    const stored = (await readObject('HCSMachineConfigPool', 'lab')).spec as {
      configs: { persistentDisks?: unknown[]; networks: unknown[] }[];
    };
    expect(stored.configs[0]?.persistentDisks).toBeUndefined();
    expect(stored.configs[1]?.networks[1]).toEqual({ subnetId, ipAddress: '192.168.20.12' });
  });

  it('refuses to delete a pool while a machine holds one of its entries', async () => {
    const pool = await readObject('HCSMachineConfigPool', 'lab');
    await lab.kubeConfig.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObjectStatus({
      group: INFRA,
      version: 'v1beta1',
      namespace: lab.ns,
      plural: 'hcsmachineconfigpools',
      name: 'lab',
      body: { ...pool, status: { usedConfigs: [{ hostname: 'master-1', machineRef: 'lab-cp-x7k2p' }] } },
    });
    await openList('ip-pools');
    const list = page.locator('[data-extension="hcs.config-pools"]');
    await list.locator('tr', { hasText: 'lab-cp-x7k2p' }).waitFor();
    const writes = lab.writes.length;
    await list.locator('[data-action="delete:lab"]').click();
    await list
      .locator('[role="alert"]', { hasText: 'lab has entries in use: master-1 (lab-cp-x7k2p)' })
      .waitFor();
    expect(lab.writes.slice(writes)).toEqual([]);
  });
});

describe('machine template form', () => {
  it('shows each missing choice next to its field, and writes nothing', async () => {
    await openCreateForm('machine-templates', 'hcs.machine-template-form');
    await field('name').fill('lab-control-plane');
    await page.locator('[data-action="add-data-volume"]').click();
    const writes = lab.writes.length;
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('imageName')).toEqual({ invalid: 'true', text: 'choose the image' });
    expect(await problemOf('flavorName')).toEqual({ invalid: 'true', text: 'choose the flavor' });
    expect(await problemOf('rootVolume.type')).toEqual({
      invalid: 'true',
      text: 'choose the system disk type',
    });
    expect(await problemOf('configPoolRef.name')).toEqual({
      invalid: 'true',
      text: 'choose the HCSMachineConfigPool giving hostnames and IPs',
    });
    expect(await problemOf('dataVolumes.0.size')).toEqual({
      invalid: 'true',
      text: 'a whole number of GB, at least 1',
    });
    expect(await problemOf('dataVolumes.0.mountPath')).toEqual({
      invalid: 'true',
      text: 'the mount path is required, such as /var/lib/etcd',
    });
    expect(lab.writes.slice(writes)).toEqual([]);
    await lab.expectAccessible('the machine template form with its problems');
  });

  it('fills its dropdowns from HCS and creates the documented HCSMachineTemplate', async () => {
    await openCreateForm('machine-templates', 'hcs.machine-template-form');
    await offered('configPoolRef.name', 'lab');
    await offered('credential', 'hcs-lab');
    await field('credential').selectOption('hcs-lab');
    await offered('flavorName', 's6.xlarge.2');
    expect(await optionValues('imageName')).toEqual(['microos-k8s-1.33.4', 'microos-k8s-1.34.1']);
    expect(await optionValues('flavorName')).toEqual(['s6.2xlarge.2', 's6.large.2', 's6.xlarge.2']);
    expect(await optionValues('availabilityZone')).toEqual(['az1']);
    expect(await optionValues('rootVolume.type')).toEqual(['SAS', 'SSD']);
    expect(await optionValues('keyPairName')).toEqual(['cluster-key']);
    await lab.shot('machine-template-dropdowns');

    await field('name').fill('lab-control-plane');
    await field('imageName').selectOption('microos-k8s-1.34.1');
    await field('flavorName').selectOption('s6.xlarge.2');
    await field('availabilityZone').selectOption('az1');
    await field('rootVolume.type').selectOption('SSD');
    await field('rootVolume.size').fill('20');
    await field('configPoolRef.name').selectOption('lab');
    await page.locator('[data-action="add-control-plane-volumes"]').click();
    for (const i of [0, 1, 2, 3]) await field(`dataVolumes.${i}.type`).selectOption('SSD');
    await page.locator('[data-action="save"]').click();
    expect(await problemOf('rootVolume.size')).toEqual({
      invalid: 'true',
      text: 'the image needs a system disk of at least 40 GB',
    });
    await field('rootVolume.size').fill('100');
    await page.locator('[data-action="save"]').click();
    await page.locator('[data-extension="hcs.machine-templates"] [data-name="lab-control-plane"]').waitFor();

    const volume = (size: number, mountPath: string) => ({ size, type: 'SSD', mountPath, format: 'xfs' });
    expect((await readObject('HCSMachineTemplate', 'lab-control-plane')).spec.template?.spec).toEqual({
      imageName: 'microos-k8s-1.34.1',
      flavorName: 's6.xlarge.2',
      availabilityZone: 'az1',
      rootVolume: { type: 'SSD', size: 100 },
      configPoolRef: { name: 'lab' },
      dataVolumes: [
        volume(10, '/var/lib/etcd'),
        volume(100, '/var/lib/kubelet'),
        volume(100, '/var/lib/containerd'),
        volume(40, '/var/cpaas'),
      ],
    });
    await lab.expectAccessible('the machine template list');
    await lab.shot('machine-template-saved');
  });
});

describe('what the browser received', () => {
  it('ran without a console error or uncaught exception in the page', () => {
    expect(lab.pageErrors).toEqual([]);
  });

  it('was never sent a secret key or access key, whole or in part of a body', () => {
    // Platform results went through the host too: at least the verdicts and the catalog.
    expect(lab.sentBodies.some((body) => body.includes('s6.2xlarge.2'))).toBe(true);
    for (const secret of [lab.sim.secretKey, WRONG_SECRET_KEY, lab.sim.accessKey])
      expect(lab.sentBodies.filter((body) => body.includes(secret))).toEqual([]);
  });
});
