import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { captureLog, eventually, installCrds, platformModuleCrds } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDcsProvider } from '../../src/provider.js';
import { DcsFixtures, INFRA } from './dcs-fixtures.ts';

// The second half of a self-built VIP (controlPlaneLoadBalancer.type internal): the alive
// ModuleInfo, against stand-in CRDs of the platform's module kinds on the real API server. The
// test plays the platform: it creates the ModulePlugin, ModuleConfig and ClusterModule, and
// writes the ModuleInfo's status.version as the platform does once alive runs.

const GROUP = 'cluster.alauda.io';
const VERSION = 'v1alpha1';
// sha256("demo:alive:alive"), first 32 hex, computed apart from the code under test (node -e).
const MODULE_INFO = 'demo-d78f0e504a793bfce14214042efeaba1';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let custom: CustomObjectsApi;
let sim: DcsSimulator;
let fixtures: DcsFixtures;
let namespace: string;
const managers: Manager[] = [];
const managerLog = captureLog();

type Condition = { type: string; status: string; reason?: string; message?: string; severity?: string };
type Loose = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  fixtures = new DcsFixtures(objects, sim.url);
  await installCrds(kubeConfig, platformModuleCrds());
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await sim?.close();
  // The stand-ins are cluster-wide: leave the shared API server as it was.
  await removePlatformCrds();
});

async function removePlatformCrds(): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of platformModuleCrds()) {
    const name = crd.metadata?.name ?? '';
    await api.deleteCustomResourceDefinition({ name }).catch(() => undefined);
    await eventually(`CRD ${name} gone`, () =>
      api.readCustomResourceDefinition({ name }).then(
        () => false,
        () => true,
      ),
    );
  }
}

function startManager(pluginAliveVersion?: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createDcsProvider({ sessions: { timeoutMs: 1_500 }, pluginAliveVersion })],
    log: createLogger({ level: 'debug', destination: managerLog.destination }),
  });
  managers.push(manager);
  void manager.start();
}

const plural = (kind: string) => (kind === 'ModuleInfo' ? 'moduleinfoes' : `${kind.toLowerCase()}s`);

async function createPlatformObject(kind: string, object: Loose): Promise<void> {
  await custom.createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: plural(kind),
    body: { apiVersion: `${GROUP}/${VERSION}`, kind, ...object },
  });
  if (object.status) await patchPlatformStatus(kind, object.metadata.name, object.status);
}

async function patchPlatformStatus(
  kind: string,
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  await custom.patchClusterCustomObjectStatus(
    { group: GROUP, version: VERSION, plural: plural(kind), name, body: { status } },
    MERGE,
  );
}

async function readPlatformObject(kind: string, name: string): Promise<Loose | undefined> {
  return (await custom
    .getClusterCustomObject({ group: GROUP, version: VERSION, plural: plural(kind), name })
    .catch(() => undefined)) as Loose | undefined;
}

async function deletePlatformObject(kind: string, name: string): Promise<void> {
  await custom.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: plural(kind), name });
}

/**
 * Touches the DCSCluster so the manager looks at it now: the platform's objects are not watched,
 * and the periodic recheck would only make the test wait longer, not differently.
 */
async function nudge(): Promise<void> {
  await objects.patch(
    {
      apiVersion: INFRA,
      kind: 'DCSCluster',
      metadata: { name: 'demo', namespace, annotations: { 'test/nudge': `${Date.now()}` } },
    },
    undefined,
    undefined,
    'test',
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** Waits until SelfBuiltVIPReady has `reason` (and, when given, a message with `saying` in it). */
async function vipCondition(reason: string, saying = ''): Promise<Condition> {
  return eventually(`SelfBuiltVIPReady ${reason}`, async () => {
    const cluster = await fixtures.read<{ status?: { conditions?: Condition[] } }>(
      'DCSCluster',
      namespace,
      'demo',
    );
    const condition = cluster?.status?.conditions?.find((c) => c.type === 'SelfBuiltVIPReady');
    // Thrown, so a timeout names what the condition said instead.
    if (condition?.reason !== reason || !condition.message?.includes(saying))
      throw new Error(`the condition is ${JSON.stringify(condition)}`);
    return condition;
  });
}

async function clusterReady(): Promise<boolean> {
  return Boolean(
    (await fixtures.read<{ status?: { ready?: boolean } }>('DCSCluster', namespace, 'demo'))?.status?.ready,
  );
}

/** Sets Machine.status.nodeRef, as Cluster API does once the Node registers. */
async function setNodeRef(name: string, node: string): Promise<void> {
  const target = { group: 'cluster.x-k8s.io', version: 'v1beta2', namespace, plural: 'machines', name };
  const machine = (await custom.getNamespacedCustomObject(target)) as { status?: Record<string, unknown> };
  await custom.replaceNamespacedCustomObjectStatus({
    ...target,
    body: { ...machine, status: { ...machine.status, nodeRef: { name: node } } },
  });
}

// Each step waits on the manager, within eventually's bound rather than the default test timeout.
describe('the alive ModuleInfo of a DCSCluster with a self-built VIP', { timeout: 300_000 }, () => {
  it('waits for the control plane nodes while the cluster itself becomes ready', async () => {
    namespace = await createTestNamespace(kubeConfig, 'dcs-alive');
    startManager();
    await fixtures.createCluster(namespace, 'Huawei@123');
    await objects.patch(
      {
        apiVersion: INFRA,
        kind: 'DCSCluster',
        metadata: { name: 'demo', namespace },
        spec: {
          controlPlaneLoadBalancer: {
            type: 'internal',
            host: '10.0.1.100',
            port: 6443,
            vrid: 42,
            interface: 'eth1',
          },
        },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    await vipCondition('WaitingForControlPlaneNodes', 'no control plane Machine');
    await eventually('DCSCluster ready without alive', clusterReady);

    await fixtures.createMachine(namespace, 'demo-cp-1');
    await nudge();
    expect(await vipCondition('WaitingForControlPlaneNodes', '0 of 1 control plane Machines')).toMatchObject({
      status: 'False',
    });
    await setNodeRef('demo-cp-1', 'cp-1');
    await nudge();
    await vipCondition('WaitingForClusterModule');
  });

  it('names each missing delivery artifact, and refuses a ModuleInfo it did not create', async () => {
    startManager();
    await createPlatformObject('ClusterModule', { metadata: { name: 'demo' }, spec: { version: 'v4.0.3' } });
    await nudge();
    expect(await vipCondition('AliveModulePluginMissing')).toMatchObject({
      status: 'False',
      severity: 'Error',
    });

    await createPlatformObject('ModulePlugin', {
      metadata: {
        name: 'alive',
        labels: { 'cpaas.io/module-catalog': 'platform', 'cpaas.io/product': 'Container-Platform' },
      },
      spec: {},
      status: { latestVersion: 'v4.1.0' },
    });
    await nudge();
    await vipCondition('AliveModuleConfigMissing', 'ModuleConfig alive-v4.1.0');

    await createPlatformObject('ModuleConfig', {
      metadata: { name: 'alive-v4.1.0' },
      spec: {},
      status: { readyForDeploy: false },
    });
    await nudge();
    expect(await vipCondition('AliveModuleConfigNotReady')).toMatchObject({ severity: 'Error' });

    // Someone else's ModuleInfo under the name: left alone.
    await createPlatformObject('ModuleInfo', {
      metadata: { name: MODULE_INFO, labels: { 'cpaas.io/module-name': 'alive' } },
      spec: { version: 'v1.0.0', config: { vip: '10.9.9.9' } },
    });
    await patchPlatformStatus('ModuleConfig', 'alive-v4.1.0', { readyForDeploy: true });
    await nudge();
    await vipCondition('AliveModuleInfoNotManaged', MODULE_INFO);
    expect((await readPlatformObject('ModuleInfo', MODULE_INFO))?.spec).toEqual({
      version: 'v1.0.0',
      config: { vip: '10.9.9.9' },
    });
    await deletePlatformObject('ModuleInfo', MODULE_INFO);
    await nudge();
    await vipCondition('WaitingForAlive');
  });

  it('creates the ModuleInfo with the documented name, labels and config, and is ready once alive runs', async () => {
    startManager();
    const moduleInfo = await eventually('ModuleInfo', () => readPlatformObject('ModuleInfo', MODULE_INFO));
    expect(moduleInfo.metadata.annotations).toEqual({ 'cpaas.io/display-name': 'alive' });
    expect(moduleInfo.metadata.labels).toEqual({
      'cpaas.io/cluster-name': 'demo',
      'cpaas.io/module-name': 'alive',
      'cpaas.io/module-type': 'plugin',
      'infrastructure.cluster.x-k8s.io/self-built-lb-managed': 'true',
      'cpaas.io/module-catalog': 'platform',
      'cpaas.io/product': 'Container-Platform',
    });
    expect(moduleInfo.spec).toEqual({
      version: 'v4.1.0',
      config: {
        vip: '10.0.1.100',
        vrid: 42,
        apiserverPort: 6443,
        httpPort: 11780,
        httpsPort: 11781,
        extraPorts: '',
        interface: 'eth1',
      },
    });
    await patchPlatformStatus('ModuleInfo', MODULE_INFO, { version: 'v4.0.0', phase: 'Running' });
    await nudge();
    await vipCondition('WaitingForAlive', 'the platform reports version v4.0.0');
    await patchPlatformStatus('ModuleInfo', MODULE_INFO, { version: 'v4.1.0', phase: 'Deploying' });
    await nudge();
    expect(await vipCondition('AliveRunning')).toMatchObject({ status: 'True' });
    expect(await clusterReady()).toBe(true);
  });

  it('takes the version from DCS_PLUGIN_ALIVE_VERSION over latestVersion, still only with a ready ModuleConfig', async () => {
    process.env.DCS_PLUGIN_ALIVE_VERSION = 'v4.0.9';
    try {
      startManager();
    } finally {
      delete process.env.DCS_PLUGIN_ALIVE_VERSION;
    }
    await nudge();
    await vipCondition('AliveModuleConfigMissing', 'ModuleConfig alive-v4.0.9');
    expect((await readPlatformObject('ModuleInfo', MODULE_INFO))?.spec?.version).toBe('v4.1.0');
    await createPlatformObject('ModuleConfig', {
      metadata: { name: 'alive-v4.0.9' },
      spec: {},
      status: { readyForDeploy: true },
    });
    await nudge();
    await vipCondition('WaitingForAlive', 'asks for alive v4.0.9');
    expect((await readPlatformObject('ModuleInfo', MODULE_INFO))?.spec?.version).toBe('v4.0.9');
  });

  it('says AlivePlatformMissing on a management cluster without the module kinds, and the cluster stays ready', async () => {
    await removePlatformCrds();
    startManager();
    await nudge();
    const condition = await vipCondition('AlivePlatformMissing');
    for (const kind of ['ModuleInfo', 'ModulePlugin', 'ModuleConfig', 'ClusterModule']) {
      expect(condition.message).toContain(kind);
    }
    expect(await clusterReady()).toBe(true);
  });
});
