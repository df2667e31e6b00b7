import type { KubernetesManifest } from '@immutable-infra/core';
import { DOCUMENTED_TEMPLATE } from '@immutable-infra/vcsim';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INFRA, startVsphereFleetLab, type VsphereFleetLab } from './fleet-host.js';

// The create-cluster workflow in the real Fleet Essentials host, in chromium, against vcsim:
// datacenters come from vCenter through the platform proxy, every problem shows next to its
// field with nothing written, and Create writes exactly the reviewed objects (no Cluster API
// controllers run here: the test is about what the workflow writes).

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl lab';
const CAPI_GROUPS = ['cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io', 'bootstrap.cluster.x-k8s.io'];

let lab: VsphereFleetLab;
let page: Page;

const custom = () => lab.kubeConfig.makeApiClient(CustomObjectsApi);
const field = (name: string) => page.locator(`[data-field="${name}"]`);
const offered = (name: string, value: string) =>
  page.locator(`[data-field="${name}"] option[value="${value}"]`).waitFor({ state: 'attached' });
/** The words in the problem slot the control names in aria-describedby. */
async function problemOf(name: string): Promise<string> {
  const slot = page.locator(`[id="${await field(name).getAttribute('aria-describedby')}"]`);
  await expect.poll(async () => (await slot.textContent()) ?? '').not.toBe('');
  return (await slot.textContent()) ?? '';
}
const createObject = (plural: string, body: object) =>
  custom().createNamespacedCustomObject({
    group: INFRA,
    version: 'v1beta1',
    namespace: lab.ns,
    plural,
    body,
  });

function slots(prefix: string, first: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    hostname: `${prefix}-${i + 1}`,
    network: {
      primary: {
        networkName: 'pg-business',
        ip: `10.10.10.${first + i}/24`,
        gateway: '10.10.10.1',
        dns: ['10.10.10.2'],
      },
    },
  }));
}

function machineTemplate(name: string, pool: string) {
  return {
    apiVersion: `${INFRA}/v1beta1`,
    kind: 'VSphereMachineTemplate',
    metadata: { name },
    spec: {
      template: {
        spec: {
          datacenter: 'dc-a',
          template: DOCUMENTED_TEMPLATE,
          numCPUs: 4,
          memoryMiB: 8192,
          network: { devices: [{ networkName: 'pg-business' }] },
          machineConfigPoolRef: { name: pool },
        },
      },
    },
  };
}

beforeAll(async () => {
  lab = await startVsphereFleetLab('vsphere-create', [
    { apiGroups: CAPI_GROUPS, resources: ['*'], verbs: ['get', 'list', 'watch', 'create'] },
    // The documented CPI delivery: its ConfigMaps and ClusterResourceSet.
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] },
    {
      apiGroups: ['addons.cluster.x-k8s.io'],
      resources: ['clusterresourcesets'],
      verbs: ['get', 'list', 'create'],
    },
  ]);
  page = lab.page;
  const server = new URL(lab.vcsim.server).host;
  await lab.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: lab.ns,
    body: {
      metadata: { name: 'vcenter-lab' },
      stringData: {
        server,
        username: lab.vcsim.username,
        password: lab.vcsim.password,
        caBundle: lab.vcsim.caCertificate,
      },
    },
  });
  for (const [name, prefix, first, count] of [
    ['lab-cp-pool', 'lab-cp', 11, 3],
    ['lab-worker-pool', 'lab-worker', 21, 2],
  ] as const)
    await createObject('vspheremachineconfigpools', {
      apiVersion: `${INFRA}/v1beta1`,
      kind: 'VSphereMachineConfigPool',
      metadata: { name },
      spec: { clusterRef: { name: 'lab' }, datacenter: 'dc-a', configs: slots(prefix, first, count) },
    });
  await createObject('vspheremachinetemplates', machineTemplate('lab-cp', 'lab-cp-pool'));
  await createObject('vspheremachinetemplates', machineTemplate('lab-worker', 'lab-worker-pool'));
}, 300_000);

afterAll(async () => {
  await lab?.close();
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && lab)
    await lab
      .shot(`create-failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`)
      .catch(() => undefined);
});

/** Fills a step's fields in order (a select once it offers the value), then presses `next`. */
async function fillStep(step: string, values: [string, string][], next = 'Next'): Promise<void> {
  await page.locator(`[data-step="${step}"]`).waitFor();
  for (const [name, value] of values) {
    if ((await field(name).evaluate((control) => control.tagName)) !== 'SELECT')
      await field(name).fill(value);
    else {
      await offered(name, value);
      await field(name).selectOption(value);
    }
  }
  await page.getByRole('button', { name: next }).click();
}

/** A reviewed object read back with the admin kubeconfig. */
function readStored(manifest: KubernetesManifest): Promise<unknown> {
  if (manifest.kind === 'ConfigMap')
    return lab.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: lab.ns, name: manifest.metadata.name });
  const [group, version] = manifest.apiVersion.split('/') as [string, string];
  return custom().getNamespacedCustomObject({
    group,
    version,
    namespace: lab.ns,
    plural: `${manifest.kind.toLowerCase()}s`,
    name: manifest.metadata.name,
  });
}

const clusters = async () =>
  (
    (await custom().listNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: lab.ns,
      plural: 'clusters',
    })) as { items: unknown[] }
  ).items;

describe('vSphere create-cluster workflow in Fleet Essentials', () => {
  it('shows each problem of the first step next to its field and writes nothing', async () => {
    await page.goto(`${lab.url}/#/create/${lab.ns}`);
    await page.reload();
    await page.locator('[data-step="basic-info"]').waitFor();
    await field('name').fill('global');
    await field('server').fill('https://vcenter.example.com');
    await field('kubernetesVersion').fill('v1.30.2');
    const writes = lab.writes.length;
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await problemOf('credential')).toBe('choose a vCenter credential');
    expect(await problemOf('name')).toBe('global is the name of the global cluster and is reserved');
    expect(await problemOf('server')).toBe(
      'a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path',
    );
    expect(await problemOf('kubernetesVersion')).toBe(
      'Kubernetes 1.30 is not supported; choose 1.31, 1.32, 1.33, 1.34, 1.35',
    );
    expect(await problemOf('apiServerAddress')).toBe('the cluster API address is required');
    expect(lab.writes.slice(writes)).toEqual([]);
    expect(await clusters()).toEqual([]);
    await lab.shot('create-1-refused');
  });

  it('walks the five steps and creates exactly the reviewed objects, then opens the cluster', async () => {
    await page.goto(`${lab.url}/#/create/${lab.ns}`);
    await page.reload();
    const server = new URL(lab.vcsim.server).host;
    await fillStep('basic-info', [
      ['credential', 'vcenter-lab'],
      ['datacenter', 'dc-a'],
      ['name', 'lab'],
      ['displayName', 'Lab cluster'],
      ['kubernetesVersion', 'v1.35.1'],
      ['apiServerAddress', 'https://10.10.10.100:6443'],
      ['server', server],
      ['thumbprint', lab.vcsim.thumbprint],
    ]);
    await fillStep('control-plane', [
      ['controlPlane.machineTemplate', 'lab-cp'],
      ['controlPlane.sshAuthorizedKeys', SSH_KEY],
    ]);
    // The worker pool named after the cluster; the control plane's config pool is refused for it.
    await fillStep('worker-pools', [
      ['workers.0.machineTemplate', 'lab-cp'],
      ['workers.0.replicas', '2'],
    ]);
    expect(await field('workers.0.name').inputValue()).toBe('lab-worker-1');
    expect(await problemOf('workers.0.machineTemplate')).toBe(
      'machine config pool lab-cp-pool is already used by the control plane',
    );
    await fillStep('worker-pools', [
      ['workers.0.machineTemplate', 'lab-worker'],
      ['workers.0.sshAuthorizedKeys', SSH_KEY],
    ]);
    await fillStep(
      'networking',
      Object.entries({ podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' }).map(
        ([key, value]): [string, string] => [`networking.${key}`, value],
      ),
      'Review',
    );

    await page.locator('[data-step="review"]').waitFor();
    await lab.shot('create-2-review');
    const reviewed = (await page.locator('[data-manifest] pre').allTextContents()).map(
      (text) => JSON.parse(text) as KubernetesManifest,
    );
    // In creation order, the Cluster last (the rule tests check each object's fields).
    const order = 'VSphereCluster/lab VSphereMachineTemplate/lab-control-plane KubeadmControlPlane/lab-kcp';
    const worker = 'VSphereMachineTemplate/lab-worker-1-template MachineDeployment/lab-worker-1';
    // The documented CPI delivery; its Secret (the vCenter account) is the provider's to make.
    const cpi =
      'ConfigMap/lab-vsphere-cpi-config ConfigMap/lab-vsphere-cpi-manifests ClusterResourceSet/lab-vsphere-cpi';
    expect(reviewed.map((m) => `${m.kind}/${m.metadata.name}`).join(' ')).toBe(
      `${order} ${worker} KubeadmConfigTemplate/lab-worker-1-bootstrap ${cpi} Cluster/lab`,
    );
    expect(reviewed[0]?.spec).toEqual({
      controlPlaneEndpoint: { host: '10.10.10.100', port: 6443 },
      identityRef: { kind: 'Secret', name: 'vcenter-lab' },
      server,
      thumbprint: lab.vcsim.thumbprint,
    });
    expect(await clusters()).toEqual([]);

    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/#/clusters/${lab.ns}/lab`);
    await page.getByRole('heading', { name: /lab/ }).waitFor();
    await lab.shot('create-3-created');

    // Each reviewed object as the API server stores it, at the reviewed version (defaults may be added).
    const stored = await Promise.all(reviewed.map(readStored));
    reviewed.forEach((manifest, i) => {
      const what = `${manifest.kind}/${manifest.metadata.name}`;
      const { spec, data, metadata } = stored[i] as {
        spec: object;
        data?: object;
        metadata: KubernetesManifest['metadata'];
      };
      expect(
        { spec, data, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} },
        what,
      ).toMatchObject({
        spec: manifest.spec as object,
        data: (manifest as { data?: object }).data,
        labels: manifest.metadata.labels ?? {},
        annotations: manifest.metadata.annotations ?? {},
      });
    });
  });

  it('ran without a page error, and no body the host sent carried the vCenter password', () => {
    expect(lab.pageErrors).toEqual([]);
    expect(lab.sentBodies.filter((body) => body.includes(lab.vcsim.password))).toEqual([]);
  });
});
