import type { KubernetesManifest } from '@immutable-infra/core';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HcsFleetLab, INFRA, startHcsFleetLab } from './fleet-host.js';

// The HCS create-cluster workflow in the real Fleet Essentials host, in chromium, against hcs-sim:
// the VPC, subnets and security group come from the project through the platform proxy, every
// problem shows next to its field with nothing written, and Create writes exactly the reviewed
// objects in the documented shape (no Cluster API controllers run here). axe-core checks each screen.

const CAPI_GROUPS = ['cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io', 'bootstrap.cluster.x-k8s.io'];

/** The HCS step after basic info: the network and the control plane ELB. */
const NETWORK_STEP = 'hcs-network';

let lab: HcsFleetLab;
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

function configPool(name: string, prefix: string, first: number, count: number) {
  return {
    apiVersion: `${INFRA}/v1beta1`,
    kind: 'HCSMachineConfigPool',
    metadata: { name },
    spec: {
      configs: Array.from({ length: count }, (_, i) => ({
        hostname: `${prefix}-${i + 1}`,
        networks: [{ subnetName: 'control-plane', ipAddress: `192.168.10.${first + i}` }],
      })),
    },
  };
}

function machineTemplate(name: string, pool: string) {
  return {
    apiVersion: `${INFRA}/v1beta1`,
    kind: 'HCSMachineTemplate',
    metadata: { name },
    spec: {
      template: {
        spec: {
          imageName: 'microos-k8s-1.34.1',
          flavorName: 's6.xlarge.2',
          availabilityZone: 'az1',
          rootVolume: { type: 'SSD', size: 100 },
          configPoolRef: { name: pool },
        },
      },
    },
  };
}

beforeAll(async () => {
  lab = await startHcsFleetLab('hcs-create', [
    { apiGroups: CAPI_GROUPS, resources: ['*'], verbs: ['get', 'list', 'watch', 'create'] },
  ]);
  page = lab.page;
  await lab.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: lab.ns,
    body: {
      metadata: { name: 'hcs-lab' },
      stringData: {
        accessKey: lab.sim.accessKey,
        secretKey: lab.sim.secretKey,
        projectID: lab.sim.projectId,
        region: lab.sim.region,
        externalGlobalDomain: lab.domain,
        schema: 'http',
        allowPlainHTTP: 'true',
      },
    },
  });
  await createObject('hcsmachineconfigpools', configPool('lab-cp-pool', 'lab-master', 11, 3));
  await createObject('hcsmachineconfigpools', configPool('lab-worker-pool', 'lab-worker', 21, 2));
  await createObject('hcsmachinetemplates', machineTemplate('lab-cp', 'lab-cp-pool'));
  await createObject('hcsmachinetemplates', machineTemplate('lab-worker', 'lab-worker-pool'));
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

/** Fills a step's fields in order (a select once it offers the value, a checkbox ticked), then presses `next`. */
async function fillStep(step: string, values: [string, string][], next = 'Next'): Promise<void> {
  await page.locator(`[data-step="${step}"]`).waitFor();
  for (const [name, value] of values) {
    const tag = await field(name).evaluate((control) =>
      control.tagName === 'INPUT' ? (control as HTMLInputElement).type : control.tagName,
    );
    if (tag === 'checkbox') await field(name).check();
    else if (tag !== 'SELECT') await field(name).fill(value);
    else {
      await offered(name, value);
      await field(name).selectOption(value);
    }
  }
  await page.getByRole('button', { name: next }).click();
}

function readStored(manifest: KubernetesManifest): Promise<unknown> {
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

describe('HCS create-cluster workflow in Fleet Essentials', () => {
  it('shows each problem of the first two steps next to its field and writes nothing', async () => {
    await page.goto(`${lab.url}/#/create/${lab.ns}`);
    await page.reload();
    await page.locator('[data-step="basic-info"]').waitFor();
    await lab.expectAccessible('the first step');
    await field('name').fill('global');
    await field('kubernetesVersion').fill('v1.30.2');
    const writes = lab.writes.length;
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await problemOf('credential')).toBe('choose an HCS credential');
    expect(await problemOf('name')).toBe('global is the name of the global cluster and is reserved');
    expect(await problemOf('kubernetesVersion')).toBe(
      'Kubernetes 1.30 is not supported; choose 1.31, 1.32, 1.33, 1.34, 1.35',
    );
    await lab.expectAccessible('the first step with its problems');
    await lab.shot('create-1-refused');

    // Basic info fixed, the network step's problems keep the user on it.
    await fillStep('basic-info', [
      ['credential', 'hcs-lab'],
      ['name', 'lab'],
      ['kubernetesVersion', 'v1.35.1'],
    ]);
    await page.locator(`[data-step="${NETWORK_STEP}"]`).waitFor();
    await offered('vpc', 'cluster-vpc');
    await field('vipAddress').fill('192.168.10');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await problemOf('vpc')).toBe('choose the VPC');
    expect(await problemOf('subnets')).toBe('choose at least one subnet for the machines');
    expect(await problemOf('securityGroup')).toBe('choose the security group');
    expect(await problemOf('vipSubnetName')).toBe('choose the subnet of the control plane VIP');
    expect(await problemOf('vipAddress')).toBe('192.168.10 is not an IPv4 address');
    expect(await page.locator('[data-step]').getAttribute('data-step')).toBe(NETWORK_STEP);
    expect(lab.writes.slice(writes)).toEqual([]);
    expect(await clusters()).toEqual([]);
    await lab.expectAccessible('the network step with its problems');
    await lab.shot('create-1-network-refused');
  });

  it('shows the documented six steps; network problems show and hold the user on the network step', async () => {
    await page.goto(`${lab.url}/#/create/${lab.ns}`);
    await page.reload();
    await page.locator('[data-step="basic-info"]').waitFor();
    // The workflow's five steps and the host's review, as the stepper shows them.
    expect(
      await page.locator('[aria-label="Steps"] [id^="wizard-step-"][id$="-title"]').allTextContents(),
    ).toEqual([
      '1. Basic Info',
      '2. Network and Load Balancer',
      '3. Control Plane Node Pool',
      '4. Worker Node Pools',
      '5. Networking',
      '6. Review',
    ]);
    await fillStep('basic-info', [
      ['credential', 'hcs-lab'],
      ['name', 'lab'],
      ['kubernetesVersion', 'v1.35.1'],
    ]);
    // Chosen on the network step, then left by Back (nothing is checked).
    await fillStep(
      NETWORK_STEP,
      [
        ['vpc', 'cluster-vpc'],
        ['subnets.control-plane', 'check'],
        ['vipSubnetName', 'control-plane'],
        ['vipAddress', '192.168.99.5'],
      ],
      'Back',
    );
    // The preflight: shown again, the step checks its choices against the networks it lists before
    // the user presses Next; a field still empty is not marked yet.
    await fillStep('basic-info', []);
    await page.locator(`[data-step="${NETWORK_STEP}"]`).waitFor();
    expect(await problemOf('vipAddress')).toBe(
      '192.168.99.5 is not in subnet control-plane (192.168.10.0/24)',
    );
    expect(await field('securityGroup').getAttribute('aria-invalid')).toBeNull();

    // Next with network problems keeps the user on the network step, each problem at its field.
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await problemOf('securityGroup')).toBe('choose the security group');
    expect(await problemOf('vipAddress')).toBe(
      '192.168.99.5 is not in subnet control-plane (192.168.10.0/24)',
    );
    expect(await page.locator('[data-step]').getAttribute('data-step')).toBe(NETWORK_STEP);
    await expect
      .poll(() => page.locator(`#wizard-step-${NETWORK_STEP}`).getAttribute('aria-label'))
      .toBe('2. Network and Load Balancer: current step');
    await fillStep(NETWORK_STEP, [
      ['securityGroup', 'cluster-sg'],
      ['vipAddress', '192.168.10.100'],
    ]);
    await page.locator('[data-step="control-plane"]').waitFor();
    // Back on it, the choices are kept.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator(`[data-step="${NETWORK_STEP}"]`).waitFor();
    await expect.poll(() => field('securityGroup').inputValue()).toBe('cluster-sg');
    expect(await field('vipAddress').inputValue()).toBe('192.168.10.100');
  });

  it('walks the six steps and creates exactly the reviewed, documented objects', async () => {
    await page.goto(`${lab.url}/#/create/${lab.ns}`);
    await page.reload();
    await fillStep('basic-info', [
      ['credential', 'hcs-lab'],
      ['name', 'lab'],
      ['displayName', 'Lab cluster'],
      ['kubernetesVersion', 'v1.35.1'],
    ]);
    await fillStep(NETWORK_STEP, [
      ['vpc', 'cluster-vpc'],
      ['subnets.control-plane', 'check'],
      ['securityGroup', 'cluster-sg'],
      ['vipSubnetName', 'control-plane'],
      ['vipAddress', '192.168.10.100'],
      ['vipDomainName', 'api.lab.example.com'],
      ['l4Ips', '192.168.10.101, 192.168.10.102'],
      ['l7Ips', '192.168.10.103, 192.168.10.104'],
    ]);
    await fillStep('control-plane', [['controlPlane.machineTemplate', 'lab-cp']]);
    await fillStep('worker-pools', [
      ['workers.0.machineTemplate', 'lab-worker'],
      ['workers.0.replicas', '2'],
    ]);
    await fillStep(
      'networking',
      Object.entries({ podsCidr: '10.3.0.0/16', servicesCidr: '10.4.0.0/16', joinCidr: '100.64.0.0/16' }).map(
        ([key, value]): [string, string] => [`networking.${key}`, value],
      ),
      'Review',
    );

    await page.locator('[data-step="review"]').waitFor();
    await lab.expectAccessible('the review');
    await lab.shot('create-2-review');
    const reviewed = (await page.locator('[data-manifest] pre').allTextContents()).map(
      (text) => JSON.parse(text) as KubernetesManifest,
    );
    expect(reviewed.map((m) => `${m.kind}/${m.metadata.name}`).join(' ')).toBe(
      'HCSCluster/lab HCSMachineTemplate/lab-control-plane KubeadmControlPlane/lab ' +
        'HCSMachineTemplate/lab-worker-1-template MachineDeployment/lab-worker-1 ' +
        'KubeadmConfigTemplate/lab-worker-1-bootstrap Cluster/lab',
    );
    expect(reviewed[0]?.spec).toEqual({
      controlPlaneLoadBalancer: {
        vipAddress: '192.168.10.100',
        vipSubnetName: 'control-plane',
        vipDomainName: 'api.lab.example.com',
        elbVirsubnetL4Ips: [{ subnetName: 'control-plane', ips: ['192.168.10.101', '192.168.10.102'] }],
        elbVirsubnetL7Ips: [{ subnetName: 'control-plane', ips: ['192.168.10.103', '192.168.10.104'] }],
      },
      networkType: 'kube-ovn',
      network: {
        vpc: { name: 'cluster-vpc' },
        subnets: [{ name: 'control-plane' }],
        securityGroup: { name: 'cluster-sg' },
      },
      identityRef: { name: 'hcs-lab' },
    });
    expect(reviewed[1]?.spec).toEqual({
      template: { spec: machineTemplate('x', 'lab-cp-pool').spec.template.spec },
    });
    const cluster = reviewed.at(-1);
    expect(cluster?.metadata.annotations).toMatchObject({
      'cpaas.io/sentry-deploy-type': 'Baremetal',
      'cpaas.io/alb-address-type': 'ClusterAddress',
      'capi.cpaas.io/resource-group-version': 'infrastructure.cluster.x-k8s.io/v1beta1',
      'capi.cpaas.io/resource-kind': 'HCSCluster',
      'cpaas.io/kube-ovn-join-cidr': '100.64.0.0/16',
    });
    expect(cluster?.metadata.labels).toMatchObject({ 'cluster-type': 'HCS' });
    expect(await clusters()).toEqual([]);

    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/#/clusters/${lab.ns}/lab`);
    await lab.shot('create-3-created');

    // Each reviewed object as the API server stores it (defaults may be added).
    const stored = await Promise.all(reviewed.map(readStored));
    reviewed.forEach((manifest, i) => {
      const what = `${manifest.kind}/${manifest.metadata.name}`;
      const { spec, metadata } = stored[i] as { spec: object; metadata: KubernetesManifest['metadata'] };
      expect({ spec, labels: metadata.labels ?? {} }, what).toMatchObject({
        spec: manifest.spec as object,
        labels: manifest.metadata.labels ?? {},
      });
    });
  });

  it('ran without a page error, and no body the host sent carried the secret key', () => {
    expect(lab.pageErrors).toEqual([]);
    expect(lab.sentBodies.filter((body) => body.includes(lab.sim.secretKey))).toEqual([]);
  });
});
