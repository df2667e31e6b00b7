// The documented Internal VIP of a BaremetalCluster (controlPlaneLoadBalancer.type Internal) on the
// real API server and the simulated host fleet: the first control plane node's VIP unit in its
// reprovision plan (and nobody else's), and the alive ModuleInfo chain on EndpointReady, against
// stand-in CRDs of the platform's module kinds. The test plays the platform (ModulePlugin,
// ModuleConfig, ClusterModule, the ModuleInfo's status) and Cluster API (Machine nodeRefs). The CRD
// rules are in test/crds.test.ts.
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually, installCrds, platformModuleCrds } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, CLUSTER, INFRA } from './baremetal-fixtures.js';

const ELEMENTAL = 'elemental.cattle.io/v1beta1';
const VERSION = 'v1.33.7-2';
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
const GROUP = 'cluster.alauda.io';
const PLATFORM_VERSION = 'v1alpha1';
// sha256("demo:alive:alive"), first 32 hex, computed apart from the code under test (node -e).
const MODULE_INFO = 'demo-d78f0e504a793bfce14214042efeaba1';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONDITION = 'EndpointReady';
const VIP = '192.168.254.100';
const UNIT = 'baremetal-bootstrap-vip.service';

// What the kubeadm bootstrap provider writes for the first control plane node and a joining one.
const INIT_DATA = [
  '#cloud-config',
  'write_files:',
  '- path: /run/kubeadm/kubeadm.yaml',
  '  content: |',
  '    apiVersion: kubeadm.k8s.io/v1beta3',
  '    kind: InitConfiguration',
  'runcmd:',
  "- 'kubeadm init --config /run/kubeadm/kubeadm.yaml'",
  '',
].join('\n');
const JOIN_DATA = INIT_DATA.replace('kind: InitConfiguration', 'kind: JoinConfiguration').replace(
  'kubeadm init',
  'kubeadm join',
);

type Condition = { type: string; status: string; reason?: string; message?: string; severity?: string };
type ClusterObject = {
  spec: Record<string, unknown>;
  status?: { ready?: boolean; conditions?: Condition[] };
};
type Loose = {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
type MachineObject = { status?: { phase?: string; machineInventoryRef?: { name: string } } };
type CloudConfig = { runcmd?: string[]; write_files?: { path: string; content: string }[] };

let kubeConfig: KubeConfig;
let custom: CustomObjectsApi;
let fleet: BaremetalFleet;
let namespace: string;
let fixtures: BaremetalFixtures;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  fixtures = new BaremetalFixtures(kubeConfig);
  namespace = await createTestNamespace(kubeConfig, 'baremetal-vip');
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 3,
    namePrefix: 'demo',
    pollMs: 50,
    durations: { reprovisionMs: 100, cleanMs: 100 },
  });
  await fixtures.imageCatalog(namespace, { [VERSION]: IMAGE });
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  fleet?.stop();
  // The stand-ins are cluster-wide: leave the shared API server as it was.
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of platformModuleCrds()) {
    const name = crd.metadata?.name ?? '';
    await api.deleteCustomResourceDefinition({ name }).catch(() => undefined);
  }
});

function startManager(inNamespace: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace: inNamespace,
    providers: [
      createBaremetalProvider({ imageCatalogNamespace: namespace, pollMs: 100, poolRecheckMs: 200 }),
    ],
    log: createLogger({ level: 'error' }),
  });
  managers.push(manager);
  void manager.start();
}

const plural = (kind: string) => (kind === 'ModuleInfo' ? 'moduleinfoes' : `${kind.toLowerCase()}s`);

async function createPlatformObject(kind: string, object: Loose): Promise<void> {
  await custom.createClusterCustomObject({
    group: GROUP,
    version: PLATFORM_VERSION,
    plural: plural(kind),
    body: { apiVersion: `${GROUP}/${PLATFORM_VERSION}`, kind, ...object },
  });
  if (object.status) await patchPlatformStatus(kind, object.metadata.name, object.status);
}

async function patchPlatformStatus(kind: string, name: string, status: Record<string, unknown>) {
  await custom.patchClusterCustomObjectStatus(
    { group: GROUP, version: PLATFORM_VERSION, plural: plural(kind), name, body: { status } },
    MERGE,
  );
}

async function readPlatformObject(kind: string, name: string): Promise<Loose | undefined> {
  return (await custom
    .getClusterCustomObject({ group: GROUP, version: PLATFORM_VERSION, plural: plural(kind), name })
    .catch(() => undefined)) as Loose | undefined;
}

/** Touches the BaremetalCluster so the manager looks at it now: the platform's objects are not watched. */
async function nudge(inNamespace = namespace): Promise<void> {
  await custom.patchNamespacedCustomObject(
    {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace: inNamespace,
      plural: 'baremetalclusters',
      name: CLUSTER,
      body: { metadata: { annotations: { 'test/nudge': `${Date.now()}` } } },
    },
    MERGE,
  );
}

const readCluster = (inNamespace = namespace) =>
  fixtures.read<ClusterObject>(INFRA, 'BaremetalCluster', inNamespace, CLUSTER);

/** Waits until EndpointReady has `reason` (and, when given, a message with `saying` in it). */
async function vipCondition(reason: string, saying = ''): Promise<Condition> {
  return eventually(`${CONDITION} ${reason}`, async () => {
    const condition = (await readCluster())?.status?.conditions?.find((c) => c.type === CONDITION);
    // Thrown, so a timeout names what the condition said instead.
    if (condition?.reason !== reason || !condition.message?.includes(saying))
      throw new Error(`the condition is ${JSON.stringify(condition)}`);
    return condition;
  });
}

async function setNodeRef(name: string): Promise<void> {
  const target = { group: 'cluster.x-k8s.io', version: 'v1beta2', namespace, plural: 'machines', name };
  const machine = (await custom.getNamespacedCustomObject(target)) as { status?: Record<string, unknown> };
  await custom.replaceNamespacedCustomObjectStatus({
    ...target,
    body: { ...machine, status: { ...machine.status, nodeRef: { name } } },
  });
}

/** The user data of the reprovision plan each machine's host ran, with the host's address. */
async function runningHost(
  name: string,
): Promise<{ userData: CloudConfig; resolved: string; address: string; plan: string }> {
  const machine = await eventually(`BaremetalMachine ${name} Running`, async () => {
    const read = await fixtures.read<MachineObject>(INFRA, 'BaremetalMachine', namespace, name);
    return read?.status?.phase === 'Running' ? read : undefined;
  });
  const inventoryName = machine.status?.machineInventoryRef?.name ?? '';
  const inventory = (await fixtures.read<{
    spec?: { observedNetwork?: { interfaces?: { addresses?: string[] }[] } };
    status?: { plan?: { secretRef?: { name?: string } } };
  }>(ELEMENTAL, 'MachineInventory', namespace, inventoryName)) as {
    spec?: { observedNetwork?: { interfaces?: { addresses?: string[] }[] } };
    status?: { plan?: { secretRef?: { name?: string } } };
  };
  const address = inventory.spec?.observedNetwork?.interfaces?.[0]?.addresses?.[0]?.split('/')[0] ?? '';
  const secret = (await fixtures.read<{ data?: Record<string, string> }>(
    'v1',
    'Secret',
    namespace,
    inventory.status?.plan?.secretRef?.name ?? '',
  )) as { data?: Record<string, string> };
  const plan = Buffer.from(secret.data?.plan ?? '', 'base64').toString();
  // What the host runs, beside the untouched original in the bootstrap Secret (the documented `resolved-value`).
  const bootstrap = (await fixtures.read<{ data?: Record<string, string> }>(
    'v1',
    'Secret',
    namespace,
    `${name}-bootstrap`,
  )) as { data?: Record<string, string> };
  const resolved = Buffer.from(bootstrap.data?.['resolved-value'] ?? '', 'base64').toString();
  return { userData: parse(resolved) as CloudConfig, resolved, address, plan };
}

describe('a BaremetalCluster with an Internal VIP, on the real API server and simulated hosts', {
  timeout: 300_000,
}, () => {
  it('gives the VIP to the kubeadm init node only: a unit started by the first runcmd entry, ahead of kubeadm', async () => {
    startManager(namespace);
    await fixtures.cluster(namespace);
    await fixtures.pool(namespace, 'demo-pool', [
      { name: 'demo-1', hostname: 'demo-cp-1' },
      { name: 'demo-2', hostname: 'demo-cp-2' },
      { name: 'demo-3', hostname: 'demo-worker-1' },
    ]);
    await fixtures.machine(namespace, 'cp-a', 'demo-pool', VERSION, {
      userData: INIT_DATA,
      controlPlane: true,
    });
    await fixtures.machine(namespace, 'cp-b', 'demo-pool', VERSION, {
      userData: JOIN_DATA,
      controlPlane: true,
    });
    await fixtures.machine(namespace, 'worker-a', 'demo-pool', VERSION, { userData: JOIN_DATA });

    const first = await runningHost('cp-a');
    expect(first.userData.runcmd).toEqual([
      `systemctl daemon-reload && systemctl start ${UNIT} || exit 1`,
      'kubeadm init --config /run/kubeadm/kubeadm.yaml',
    ]);
    const unit = first.userData.write_files?.find((f) => f.path === `/etc/systemd/system/${UNIT}`);
    // No interface field on bare metal: the NIC holding the host's observed address takes the VIP.
    expect(unit?.content).toContain(
      `ExecStart=/bin/sh -c "ip addr replace ${VIP}/32 dev $$(ip -o -4 addr show to ${first.address}/32 | cut -d' ' -f2)"`,
    );
    expect(unit?.content).toContain('Before=kubelet.service kubeadm.service');
    // Never enabled: a reboot (every reprovision reboots) does not bring it back beside alive's keepalived.
    expect(unit?.content).not.toContain('[Install]');
    // The plan the host's agent ran carries that user data (base64, as the plan's user-data file).
    expect(first.plan).toContain(Buffer.from(first.resolved).toString('base64'));

    for (const name of ['cp-b', 'worker-a']) {
      const other = await runningHost(name);
      expect(other.userData.runcmd, name).toEqual(['kubeadm join --config /run/kubeadm/kubeadm.yaml']);
      expect(
        other.userData.write_files?.map((f) => f.path),
        name,
      ).toEqual(['/run/kubeadm/kubeadm.yaml']);
    }

    // No platform here yet: alive cannot be installed, the VIP stays on the first node, and the
    // cluster is ready with the VIP as its endpoint all the same.
    await nudge();
    expect(await vipCondition('AlivePlatformMissing')).toMatchObject({ status: 'False' });
    const cluster = await readCluster();
    expect(cluster?.status?.ready).toBe(true);
    expect(cluster?.spec.controlPlaneEndpoint).toEqual({ host: VIP, port: 6443 });
  });

  it('reports each stage of the alive ModuleInfo on EndpointReady without holding up ready', async () => {
    startManager(namespace);
    await installCrds(kubeConfig, platformModuleCrds());
    await nudge();
    await vipCondition('WaitingForControlPlaneNodes', '0 of 2 control plane Machines have a Node');
    for (const machine of ['cp-a', 'cp-b']) await setNodeRef(machine);
    await nudge();
    await vipCondition('WaitingForClusterModule');

    await createPlatformObject('ClusterModule', { metadata: { name: CLUSTER }, spec: { version: 'v4.0.3' } });
    await createPlatformObject('ModulePlugin', {
      metadata: { name: 'alive', labels: { 'cpaas.io/module-catalog': 'platform' } },
      spec: {},
      status: { latestVersion: 'v4.1.0' },
    });
    await nudge();
    expect(await vipCondition('AliveModuleConfigMissing', 'ModuleConfig alive-v4.1.0')).toMatchObject({
      severity: 'Error',
    });
    await createPlatformObject('ModuleConfig', {
      metadata: { name: 'alive-v4.1.0' },
      spec: {},
      status: { readyForDeploy: true },
    });
    await nudge();
    await vipCondition('WaitingForAlive', 'the platform reports no version');

    const moduleInfo = (await readPlatformObject('ModuleInfo', MODULE_INFO)) as Loose;
    expect(moduleInfo.metadata.labels).toMatchObject({
      'cpaas.io/cluster-name': CLUSTER,
      'cpaas.io/module-name': 'alive',
      'infrastructure.cluster.x-k8s.io/self-built-lb-managed': 'true',
    });
    expect(moduleInfo.spec).toEqual({
      version: 'v4.1.0',
      config: {
        vip: VIP,
        vrid: 51,
        apiserverPort: 6443,
        httpPort: 11780,
        httpsPort: 11781,
        extraPorts: '',
        interface: '',
      },
    });
    await patchPlatformStatus('ModuleInfo', MODULE_INFO, { version: 'v4.1.0', phase: 'Running' });
    await nudge();
    expect(await vipCondition('AliveRunning', `keeps ${VIP}`)).toMatchObject({ status: 'True' });
    const cluster = await readCluster();
    expect(cluster?.status?.ready).toBe(true);
    // The kit's default condition name is not reported on bare metal.
    expect(cluster?.status?.conditions?.map((c) => c.type)).not.toContain('SelfBuiltVIPReady');
  });

  it('asks for the version BAREMETAL_PLUGIN_ALIVE_VERSION names, still only with a ready ModuleConfig', async () => {
    process.env.BAREMETAL_PLUGIN_ALIVE_VERSION = 'v4.0.9';
    try {
      startManager(namespace);
    } finally {
      delete process.env.BAREMETAL_PLUGIN_ALIVE_VERSION;
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

  it('leaves alive out for an External load balancer, whose endpoint it fills', async () => {
    const external = await createTestNamespace(kubeConfig, 'baremetal-vip-ext');
    startManager(external);
    await fixtures.cluster(external, { type: 'External', host: 'lb.example.local', port: 6443 });
    const cluster = await eventually('External BaremetalCluster ready', async () => {
      const read = await readCluster(external);
      return read?.status?.ready ? read : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: 'lb.example.local', port: 6443 });
    expect(cluster.status?.conditions?.map((c) => c.type)).not.toContain(CONDITION);
  });
});
