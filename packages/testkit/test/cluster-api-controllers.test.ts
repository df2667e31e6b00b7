import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ClusterApiControllers,
  createManagementPlane,
  isRunning,
  type ManagedProcess,
  type ManagementPlane,
  startClusterApiControllers,
} from '@immutable-infra/management-plane';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../src/eventually.js';
import { TEST_INFRASTRUCTURE_GROUP, testInfrastructureCrds } from '../src/test-infrastructure-provider.js';
import { createTestNamespace } from '../src/vitest.js';

const INFRA_GROUP = TEST_INFRASTRUCTURE_GROUP;
const INFRA_V = `${INFRA_GROUP}/v1alpha1`;
const CAPI = 'cluster.x-k8s.io';

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of objects the controllers wrote.
type Loose = Record<string, any>;

// The webhook configurations are cluster-wide, so this file gets its own management plane.
let plane: ManagementPlane;
let capi: ClusterApiControllers;
let api: CustomObjectsApi;
let namespace: string;

beforeAll(async () => {
  plane = await createManagementPlane({
    assets: inject('iinfraEnvtestAssets'),
    crdObjects: testInfrastructureCrds(),
  });
  capi = await startClusterApiControllers(plane.kubeConfig, {
    assets: plane.assets,
    kubeconfigPath: plane.controlPlane.kubeconfigPath,
  });
  api = plane.kubeConfig.makeApiClient(CustomObjectsApi);
  namespace = await createTestNamespace(plane.kubeConfig, 'capi');
}, 240_000);

afterAll(async () => {
  await capi?.stop();
  await plane?.controlPlane.stop();
}, 60_000);

const create = (group: string, version: string, plural: string, body: object) =>
  api.createNamespacedCustomObject({ group, version, namespace, plural, body });
const get = (group: string, version: string, plural: string, name: string) =>
  api.getNamespacedCustomObject({ group, version, namespace, plural, name }) as Promise<Loose>;
const list = async (group: string, version: string, plural: string, labelSelector: string) =>
  (
    (await api.listNamespacedCustomObject({ group, version, namespace, plural, labelSelector })) as {
      items: Loose[];
    }
  ).items;

async function infraFixtures(cluster: string) {
  await create(INFRA_GROUP, 'v1alpha1', 'testclusters', {
    apiVersion: INFRA_V,
    kind: 'TestCluster',
    metadata: { name: cluster },
    spec: {},
  });
  await create(INFRA_GROUP, 'v1alpha1', 'testmachinetemplates', {
    apiVersion: INFRA_V,
    kind: 'TestMachineTemplate',
    metadata: { name: `${cluster}-md` },
    spec: { template: { spec: { size: 'small' } } },
  });
  await create('bootstrap.cluster.x-k8s.io', 'v1beta1', 'kubeadmconfigtemplates', {
    apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmConfigTemplate',
    metadata: { name: `${cluster}-md` },
    spec: {
      template: {
        spec: { joinConfiguration: { nodeRegistration: { name: '{{ ds.meta_data.local_hostname }}' } } },
      },
    },
  });
}

function machineDeploymentV1beta1(cluster: string, replicas: number, version = 'v1.35.4') {
  return {
    apiVersion: `${CAPI}/v1beta1`,
    kind: 'MachineDeployment',
    metadata: { name: `${cluster}-md` },
    spec: {
      clusterName: cluster,
      replicas,
      selector: { matchLabels: {} },
      template: {
        spec: {
          clusterName: cluster,
          version,
          bootstrap: {
            configRef: {
              apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
              kind: 'KubeadmConfigTemplate',
              name: `${cluster}-md`,
            },
          },
          infrastructureRef: { apiVersion: INFRA_V, kind: 'TestMachineTemplate', name: `${cluster}-md` },
        },
      },
    },
  };
}

describe('the real Cluster API controllers on the test API server', () => {
  it('runs the three managers, each tied to this process', async () => {
    expect(capi.controllers.map((c) => c.component)).toEqual([
      'core',
      'kubeadm-bootstrap',
      'kubeadm-control-plane',
    ]);
    for (const controller of capi.controllers) expect(await isRunning(controller.process)).toBe(true);
  });

  it('converts a Cluster, KubeadmControlPlane and MachineDeployment created through v1beta1 when read through v1beta2', async () => {
    const cluster = 'conv';
    await infraFixtures(cluster);
    await create(INFRA_GROUP, 'v1alpha1', 'testmachinetemplates', {
      apiVersion: INFRA_V,
      kind: 'TestMachineTemplate',
      metadata: { name: `${cluster}-cp` },
      spec: { template: { spec: { size: 'large' } } },
    });
    await create(CAPI, 'v1beta1', 'clusters', {
      apiVersion: `${CAPI}/v1beta1`,
      kind: 'Cluster',
      metadata: { name: cluster },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['10.244.0.0/16'] } },
        controlPlaneRef: {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
          kind: 'KubeadmControlPlane',
          name: `${cluster}-cp`,
          namespace,
        },
        infrastructureRef: { apiVersion: INFRA_V, kind: 'TestCluster', name: cluster, namespace },
      },
    });
    await create('controlplane.cluster.x-k8s.io', 'v1beta1', 'kubeadmcontrolplanes', {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
      kind: 'KubeadmControlPlane',
      metadata: { name: `${cluster}-cp` },
      spec: {
        replicas: 3,
        version: 'v1.35.4',
        machineTemplate: {
          infrastructureRef: {
            apiVersion: INFRA_V,
            kind: 'TestMachineTemplate',
            name: `${cluster}-cp`,
            namespace,
          },
          nodeDrainTimeout: '30s',
        },
        kubeadmConfigSpec: { clusterConfiguration: { apiServer: { timeoutForControlPlane: '5m' } } },
      },
    });
    await create(CAPI, 'v1beta1', 'machinedeployments', machineDeploymentV1beta1(cluster, 0));

    const c = await get(CAPI, 'v1beta2', 'clusters', cluster);
    expect(c.apiVersion).toBe(`${CAPI}/v1beta2`);
    // v1beta2 references name an API group, not an apiVersion: only the conversion webhook rewrites them.
    expect(c.spec.infrastructureRef).toEqual({ apiGroup: INFRA_GROUP, kind: 'TestCluster', name: cluster });
    expect(c.spec.controlPlaneRef).toEqual({
      apiGroup: 'controlplane.cluster.x-k8s.io',
      kind: 'KubeadmControlPlane',
      name: `${cluster}-cp`,
    });

    const kcp = await get(
      'controlplane.cluster.x-k8s.io',
      'v1beta2',
      'kubeadmcontrolplanes',
      `${cluster}-cp`,
    );
    expect(kcp.spec.machineTemplate.spec.infrastructureRef).toEqual({
      apiGroup: INFRA_GROUP,
      kind: 'TestMachineTemplate',
      name: `${cluster}-cp`,
    });
    // nodeDrainTimeout (a duration string) became nodeDrainTimeoutSeconds.
    expect(kcp.spec.machineTemplate.spec.deletion.nodeDrainTimeoutSeconds).toBe(30);

    const md = await get(CAPI, 'v1beta2', 'machinedeployments', `${cluster}-md`);
    expect(md.spec.template.spec.bootstrap.configRef).toEqual({
      apiGroup: 'bootstrap.cluster.x-k8s.io',
      kind: 'KubeadmConfigTemplate',
      name: `${cluster}-md`,
    });
    // The mutating webhook defaulted the cluster-name label into the selector.
    expect(md.spec.selector.matchLabels[`${CAPI}/cluster-name`]).toBe(cluster);

    // And back: the v1beta1 view of a stored v1beta2 object is converted too.
    const oldView = await get(CAPI, 'v1beta1', 'clusters', cluster);
    expect(oldView.spec.infrastructureRef.apiVersion).toBe(INFRA_V);
  });

  it('refuses invalid objects in the Cluster API webhooks', async () => {
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiException);
      return String((error as ApiException<unknown>).body);
    };
    const badVersion = machineDeploymentV1beta1('bad', 1, 'one-point-thirty-five');
    badVersion.metadata.name = 'bad-version';
    expect(await refusal(create(CAPI, 'v1beta1', 'machinedeployments', badVersion))).toMatch(
      /denied the request.*version/i,
    );
    const evenReplicas = await refusal(
      create('controlplane.cluster.x-k8s.io', 'v1beta2', 'kubeadmcontrolplanes', {
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
        kind: 'KubeadmControlPlane',
        metadata: { name: 'even' },
        spec: {
          replicas: 2,
          version: 'v1.35.4',
          machineTemplate: {
            spec: { infrastructureRef: { apiGroup: INFRA_GROUP, kind: 'TestMachineTemplate', name: 'x' } },
          },
          kubeadmConfigSpec: { format: 'cloud-config' },
        },
      }),
    );
    expect(evenReplicas).toMatch(/validation\.kubeadmcontrolplane.*replicas/is);
  });

  it('creates a MachineSet and its Machines, with bootstrap configs and infrastructure machines, for a MachineDeployment', async () => {
    const cluster = 'workers';
    await infraFixtures(cluster);
    await create(CAPI, 'v1beta2', 'clusters', {
      apiVersion: `${CAPI}/v1beta2`,
      kind: 'Cluster',
      metadata: { name: cluster },
      spec: { infrastructureRef: { apiGroup: INFRA_GROUP, kind: 'TestCluster', name: cluster } },
    });
    await create(CAPI, 'v1beta1', 'machinedeployments', machineDeploymentV1beta1(cluster, 2));

    const selector = `${CAPI}/deployment-name=${cluster}-md`;
    const machineSets = await eventually(
      'a MachineSet for the MachineDeployment',
      async () => {
        const items = await list(CAPI, 'v1beta2', 'machinesets', selector);
        return items.length > 0 && items;
      },
      120_000,
    ).catch((error) => {
      throw new Error(`${error}\n${capi.logTails()}`);
    });
    expect(machineSets).toHaveLength(1);
    const machines = await eventually(
      'two Machines',
      async () => {
        const items = await list(CAPI, 'v1beta2', 'machines', selector);
        return (
          items.length === 2 &&
          items.every((m) => m.spec.infrastructureRef && m.spec.bootstrap.configRef) &&
          items
        );
      },
      120_000,
    ).catch((error) => {
      throw new Error(`${error}\n${capi.logTails()}`);
    });
    for (const machine of machines) {
      expect(machine.spec.version).toBe('v1.35.4');
      const infra = await get(INFRA_GROUP, 'v1alpha1', 'testmachines', machine.spec.infrastructureRef.name);
      expect(infra.spec.size).toBe('small');
      const config = await get(
        'bootstrap.cluster.x-k8s.io',
        'v1beta2',
        'kubeadmconfigs',
        machine.spec.bootstrap.configRef.name,
      );
      // Owned by its MachineSet until the Machine controller adopts it for the Machine.
      const owners = config.metadata.ownerReferences.map((o: { kind: string }) => o.kind);
      expect(owners.some((kind: string) => kind === 'Machine' || kind === 'MachineSet')).toBe(true);
      expect(config.metadata.labels[`${CAPI}/cluster-name`]).toBe(cluster);
    }
  }, 300_000);

  // Last: the child's managers take over the webhook configurations, and die with it.
  it('stops the managers when the process that started them is killed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/start-controllers-and-hang.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture], {
      env: {
        ...process.env,
        IINFRA_TEST_ASSETS: JSON.stringify(plane.assets),
        IINFRA_TEST_KUBECONFIG: plane.controlPlane.kubeconfigPath,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<{ processes: ManagedProcess[]; stateDir: string }>(
      (resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? ''));
        });
        child.on('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
      },
    );
    const { processes, stateDir } = started;
    expect(processes).toHaveLength(3);
    for (const p of processes) expect(await isRunning(p)).toBe(true);

    child.kill('SIGKILL');

    const allGone = async () => {
      for (const p of processes) if (await isRunning(p)) return false;
      return !existsSync(stateDir);
    };
    expect(await eventually('the three managers and their directory gone', allGone, 60_000)).toBe(true);
  }, 240_000);
});
