import { createLogger, Manager } from '@immutable-infra/manager';
import { captureLog, eventually, installCrds, platformModuleCrds } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { VSphereMachineConfigPoolObject } from '../../src/api/vsphere-machine-config-pool.js';
import { endpointMismatch, multiNicSlot, vipSlotConflicts } from '../../src/controllers/self-built-vip.js';
import { createVsphereProvider } from '../../src/provider.js';
import { CLUSTER, INFRA, VsphereFixtures } from './vsphere-fixtures.js';

// The documented Self-built VIP of a VSphereCluster (controlPlaneLoadBalancer.type internal) on
// the real API server and vcsim: the slot-address check that holds machines back, the first
// control plane node's VIP in the guestinfo user data vcsim keeps, and the alive ModuleInfo chain
// on SelfBuiltLoadBalancerReady, against stand-in CRDs of the platform's module kinds. The test
// plays the platform (ModulePlugin, ModuleConfig, ClusterModule, the ModuleInfo's status) and
// Cluster API (Machine nodeRefs). The CRD rules are in test/crds.test.ts.

const USERNAME = 'svc-capv@example.local';
const PASSWORD = 'not-a-real-password';
const GROUP = 'cluster.alauda.io';
const VERSION = 'v1alpha1';
// sha256("demo-cluster:alive:alive"), first 32 hex, computed apart from the code under test (node -e).
const MODULE_INFO = 'demo-cluster-65a11c51a49196665c3c2e464dc46734';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONDITION = 'SelfBuiltLoadBalancerReady';
/** The address of slot cp-01's second NIC in the documented control plane pool. */
const VIP = '10.20.10.11';
const POOL = 'demo-cluster-control-plane-pool';

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
const JOIN_DATA = INIT_DATA.replace('kind: InitConfiguration', 'kind: JoinConfiguration')
  .replaceAll('kubeadm.yaml', 'kubeadm-join-config.yaml')
  .replace('kubeadm init', 'kubeadm join');

// The same first node in Ignition: a file with the InitConfiguration.
const INIT_IGNITION = JSON.stringify({
  ignition: { version: '3.4.0' },
  storage: {
    files: [
      {
        path: '/etc/kubeadm.yml',
        contents: { source: `data:;base64,${Buffer.from('kind: InitConfiguration\n').toString('base64')}` },
      },
    ],
  },
});

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let custom: CustomObjectsApi;
let vcsim: Vcsim;
let namespace: string;
let fixtures: VsphereFixtures;
const managers: Manager[] = [];
const managerLog = captureLog();

type Condition = { type: string; status: string; reason?: string; message?: string; severity?: string };
type ClusterStatus = { ready?: boolean; conditions?: Condition[] };
type Loose = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  vcsim = await startVcsim({ documentedNames: true, username: USERNAME, password: PASSWORD });
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await vcsim?.stop();
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

function startManager(inNamespace: string, pluginAliveVersion?: string): void {
  const manager = new Manager({
    kubeConfig,
    namespace: inNamespace,
    providers: [
      createVsphereProvider({
        sessions: { requestTimeoutMs: 5_000 },
        listingLagMs: 2_000,
        ...(pluginAliveVersion ? { pluginAliveVersion } : {}),
      }),
    ],
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

/**
 * Touches an object so the manager looks at it now: the platform's objects and the config pools
 * are not watched, and the periodic recheck would only make the test wait longer, not differently.
 */
async function nudge(kind = 'VSphereCluster', name = CLUSTER, inNamespace = namespace): Promise<void> {
  await objects.patch(
    {
      apiVersion: INFRA,
      kind,
      metadata: { name, namespace: inNamespace, annotations: { 'test/nudge': `${Date.now()}` } },
    },
    undefined,
    undefined,
    'test',
    undefined,
    PatchStrategy.MergePatch,
  );
}

const readCluster = (from = fixtures) =>
  from.read<{ spec: Record<string, unknown>; status?: ClusterStatus }>('VSphereCluster', CLUSTER);

/** Waits until SelfBuiltLoadBalancerReady has `reason` (and, when given, a message with `saying` in it). */
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

/** A guestinfo key's decoded value, as vcsim keeps it for the VM. */
async function guestinfo(path: string, key: string): Promise<string> {
  const out = JSON.parse(await vcsim.govc('vm.info', '-json', '-e', path)) as {
    virtualMachines?: { config: { extraConfig?: { key: string; value: string }[] } }[] | null;
  };
  const value = out.virtualMachines?.[0]?.config.extraConfig?.find((e) => e.key === key)?.value;
  return Buffer.from(value ?? '', 'base64').toString();
}

/** The cloud-config vcsim keeps in the VM's guestinfo.userdata. */
async function userData(path: string): Promise<{
  runcmd: string[];
  write_files: { path: string; content: string; permissions?: string }[];
}> {
  return parse(await guestinfo(path, 'guestinfo.userdata'));
}

async function vmsNamed(prefix: string): Promise<string[]> {
  const found = await vcsim.govc('find', '/', '-type', 'm', '-name', `${prefix}*`);
  return found.split('\n').filter(Boolean);
}

describe('the rules of a Self-built VIP that span objects', () => {
  it("finds the VIP among the slot addresses of the cluster's pools only, naming pool, slot and field", () => {
    const pool = (name: string, cluster: string, primary: string, additional: string[] = []) =>
      ({
        metadata: { name },
        spec: {
          clusterRef: { name: cluster },
          configs: [
            {
              hostname: `${name}-1`,
              network: {
                primary: { networkName: 'pg', ip: primary },
                additional: additional.map((ip) => ({ networkName: 'pg2', ip })),
              },
            },
          ],
        },
      }) as unknown as VSphereMachineConfigPoolObject;
    const pools = [
      pool('cp', 'demo', '10.0.0.10/24'),
      pool('md', 'demo', '10.0.0.20/24', ['10.1.0.5/24', '10.0.0.10/24']),
      pool('other', 'other', '10.0.0.10/24'),
    ];
    expect(vipSlotConflicts(pools, 'demo', '10.0.0.10')).toEqual([
      { pool: 'cp', hostname: 'cp-1', field: 'network.primary.ip' },
      { pool: 'md', hostname: 'md-1', field: 'network.additional[1].ip' },
    ]);
    expect(vipSlotConflicts(pools, 'demo', '10.0.0.11')).toEqual([]);
    // Where the interface had better be named: a slot with a second NIC.
    expect(multiNicSlot(pools, 'demo')).toEqual({ pool: 'md', hostname: 'md-1' });
    expect(multiNicSlot(pools, 'other')).toBeUndefined();
  });

  it('names both fields when the endpoint and the load balancer disagree, and waits for an empty endpoint', () => {
    const balancer = { type: 'internal' as const, host: '10.0.0.10', port: 6443, vrid: 1 };
    expect(endpointMismatch({ controlPlaneLoadBalancer: balancer })).toBeUndefined();
    expect(
      endpointMismatch({
        controlPlaneLoadBalancer: balancer,
        controlPlaneEndpoint: { host: '10.0.0.10', port: 6443 },
      }),
    ).toBeUndefined();
    expect(
      endpointMismatch({
        controlPlaneLoadBalancer: balancer,
        controlPlaneEndpoint: { host: '10.0.0.10', port: 443 },
      }),
    ).toBe(
      'spec.controlPlaneEndpoint 10.0.0.10:443 and spec.controlPlaneLoadBalancer 10.0.0.10:6443 must name the same address',
    );
  });
});

// Each step waits on the manager and vcsim, within eventually's bound rather than the default test timeout.
describe('a VSphereCluster with a Self-built VIP, on the real API server and vcsim', {
  timeout: 300_000,
}, () => {
  it('never enters the VIP chain without controlPlaneLoadBalancer or with an external one, whose endpoint it fills', async () => {
    const plainNamespace = await createTestNamespace(kubeConfig, 'vs-vip-none');
    const externalNamespace = await createTestNamespace(kubeConfig, 'vs-vip-ext');
    startManager(plainNamespace);
    startManager(externalNamespace);
    const plain = new VsphereFixtures(objects, vcsim, plainNamespace);
    const external = new VsphereFixtures(objects, vcsim, externalNamespace);
    await plain.createCluster();
    await external.createCluster({
      clusterSpec: {
        controlPlaneEndpoint: undefined,
        controlPlaneLoadBalancer: { type: 'external', host: 'lb.example.local', port: 6443 },
      },
    });
    for (const [name, from] of [
      ['no controlPlaneLoadBalancer', plain],
      ['type external', external],
    ] as const) {
      const cluster = await eventually(`VSphereCluster ready (${name})`, async () => {
        const read = await readCluster(from);
        return read?.status?.ready ? read : undefined;
      });
      expect(
        cluster.status?.conditions?.map((c) => c.type),
        name,
      ).not.toContain(CONDITION);
    }
    expect((await readCluster(external))?.spec.controlPlaneEndpoint).toEqual({
      host: 'lb.example.local',
      port: 6443,
    });
    expect((await readCluster(plain))?.spec.controlPlaneEndpoint).toEqual({
      host: '10.10.10.10',
      port: 6443,
    });
  });

  it('names the pool and slot whose address is the VIP, and clones no VM until the slot changes', async () => {
    namespace = await createTestNamespace(kubeConfig, 'vs-vip');
    fixtures = new VsphereFixtures(objects, vcsim, namespace);
    startManager(namespace);
    // The documented example, its VIP on slot cp-01's second NIC; the endpoint is filled from it.
    const documented = fixtures.documentedObject('VSphereCluster', 'demo-cluster-vip');
    await fixtures.createCluster({
      clusterSpec: {
        controlPlaneEndpoint: undefined,
        controlPlaneLoadBalancer: { ...(documented.spec.controlPlaneLoadBalancer as object), host: VIP },
      },
    });
    const conflict = await vipCondition(
      'VIPConflictsWithSlot',
      `slot cp-01 (network.additional[0].ip) of VSphereMachineConfigPool ${POOL}`,
    );
    expect(conflict).toMatchObject({ status: 'False', severity: 'Error' });
    // The condition reports the VIP chain only: the cluster is ready, its endpoint the VIP.
    const cluster = await eventually('VSphereCluster ready', async () => {
      const read = await readCluster();
      return read?.status?.ready ? read : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: VIP, port: 6443 });

    await fixtures.createMachine('cp-a', 'control-plane', {}, undefined, INIT_DATA);
    await eventually('the machine held back', async () => {
      const machine = await fixtures.read<{ status?: { conditions?: Condition[] } }>(
        'VSphereMachine',
        'cp-a',
      );
      const provisioned = machine?.status?.conditions?.find((c) => c.type === 'VMProvisioned');
      return provisioned?.reason === 'VIPConflictsWithSlot' && provisioned.message?.includes(`slot cp-01`);
    });
    expect(await vmsNamed('cp-0')).toEqual([]);
    // Told once as an Event too, naming the same slot.
    const events = await eventually('the VIPConflictsWithSlot Event', async () => {
      const list = (await objects.list('v1', 'Event', namespace)).items as {
        reason?: string;
        message?: string;
      }[];
      const found = list.filter((e) => e.reason === 'VIPConflictsWithSlot');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.message).toContain(
      `slot cp-01 (network.additional[0].ip) of VSphereMachineConfigPool ${POOL}`,
    );

    await custom.patchNamespacedCustomObject({
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace,
      plural: 'vspheremachineconfigpools',
      name: POOL,
      body: [{ op: 'replace', path: '/spec/configs/0/network/additional/0/ip', value: '10.20.10.21/24' }],
    });
    await nudge('VSphereMachine', 'cp-a');
    await nudge();
    // No platform here yet: alive cannot be installed, and the VIP stays on the first node.
    await vipCondition('AlivePlatformMissing');
  });

  it('gives the VIP to the kubeadm init node only: a unit started by the first runcmd entry, ahead of kubeadm', async () => {
    startManager(namespace);
    await fixtures.createMachine('cp-b', 'control-plane', {}, undefined, JOIN_DATA);
    await fixtures.createMachine('cp-c', 'control-plane', {}, undefined, INIT_IGNITION, 'ignition');
    // Which slot (and so VM) each machine took is up to the order they were reconciled in.
    const vmOf = await eventually(
      'the control plane VMs powered on',
      async () => {
        const read = await Promise.all(
          ['cp-a', 'cp-b', 'cp-c'].map((n) =>
            fixtures.read<{ status?: { ready?: boolean; addresses?: { type: string; address: string }[] } }>(
              'VSphereMachine',
              n,
            ),
          ),
        );
        if (!read.every((m) => m?.status?.ready)) return undefined;
        const hostnames = read.map((m) => m?.status?.addresses?.find((a) => a.type === 'Hostname')?.address);
        return {
          init: `/dc-a/vm/${hostnames[0]}`,
          join: `/dc-a/vm/${hostnames[1]}`,
          ignition: `/dc-a/vm/${hostnames[2]}`,
        };
      },
      120_000,
    );
    const first = await userData(vmOf.init);
    expect(first.runcmd).toEqual([
      'systemctl daemon-reload && systemctl start capv-bootstrap-vip.service || exit 1',
      'kubeadm init --config /run/kubeadm/kubeadm.yaml',
    ]);
    const unit = first.write_files.find((f) => f.path === '/etc/systemd/system/capv-bootstrap-vip.service');
    expect(unit?.content).toContain(`ExecStart=/bin/sh -c "ip addr replace ${VIP}/32 dev eth0"`);
    expect(unit?.content).toContain('Before=kubelet.service kubeadm.service');
    // Never enabled: a reboot does not bring it back beside alive's keepalived.
    expect(unit?.content).not.toContain('[Install]');

    const joining = await userData(vmOf.join);
    expect(joining.runcmd).toEqual(['kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml']);
    expect(joining.write_files.map((f) => f.path)).toEqual(['/run/kubeadm/kubeadm-join-config.yaml']);

    // Ignition enables units, so there the unit starts at boot (as DCS's does).
    const ignition = JSON.parse(await guestinfo(vmOf.ignition, 'guestinfo.ignition.config.data')) as {
      systemd: { units: { name: string; enabled: boolean; contents: string }[] };
    };
    expect(ignition.systemd.units).toEqual([
      expect.objectContaining({ name: 'capv-bootstrap-vip.service', enabled: true }),
    ]);
    expect(ignition.systemd.units[0]?.contents).toContain(`ip addr replace ${VIP}/32 dev eth0`);
    expect(ignition.systemd.units[0]?.contents).toContain('[Install]');
  });

  it('reports each stage of the alive ModuleInfo on SelfBuiltLoadBalancerReady without holding up ready', async () => {
    startManager(namespace);
    await installCrds(kubeConfig, platformModuleCrds());
    await nudge();
    await vipCondition('WaitingForControlPlaneNodes', '0 of 3 control plane Machines have a Node');
    for (const machine of ['cp-a', 'cp-b', 'cp-c']) await setNodeRef(machine);
    await nudge();
    await vipCondition('WaitingForClusterModule');

    await createPlatformObject('ClusterModule', { metadata: { name: CLUSTER }, spec: { version: 'v4.0.3' } });
    await nudge();
    expect(await vipCondition('AliveModulePluginMissing')).toMatchObject({ severity: 'Error' });
    await createPlatformObject('ModulePlugin', {
      metadata: { name: 'alive', labels: { 'cpaas.io/module-catalog': 'platform' } },
      spec: {},
      status: { targetClusterVersions: {} },
    });
    await nudge();
    await vipCondition('AliveVersionUnresolved', 'no status.targetClusterVersions entry for v4.0.3');
    await patchPlatformStatus('ModulePlugin', 'alive', { latestVersion: 'v4.1.0' });
    await nudge();
    await vipCondition('AliveModuleConfigMissing', 'ModuleConfig alive-v4.1.0');
    await createPlatformObject('ModuleConfig', {
      metadata: { name: 'alive-v4.1.0' },
      spec: {},
      status: { readyForDeploy: false },
    });
    await nudge();
    await vipCondition('AliveModuleConfigNotReady');

    // Someone else's ModuleInfo under the name: left alone.
    await createPlatformObject('ModuleInfo', {
      metadata: { name: MODULE_INFO, labels: { 'cpaas.io/module-name': 'alive' } },
      spec: { version: 'v1.0.0', config: { vip: '10.9.9.9' } },
    });
    await patchPlatformStatus('ModuleConfig', 'alive-v4.1.0', { readyForDeploy: true });
    await nudge();
    expect(await vipCondition('AliveModuleInfoNotManaged', MODULE_INFO)).toMatchObject({
      severity: 'Warning',
    });
    expect((await readPlatformObject('ModuleInfo', MODULE_INFO))?.spec).toEqual({
      version: 'v1.0.0',
      config: { vip: '10.9.9.9' },
    });
    await custom.deleteClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: 'moduleinfoes',
      name: MODULE_INFO,
    });
    await nudge();
    await vipCondition('WaitingForAlive', 'the platform reports no version');

    const moduleInfo = (await readPlatformObject('ModuleInfo', MODULE_INFO)) as Loose;
    expect(moduleInfo.metadata.labels).toEqual({
      'cpaas.io/cluster-name': CLUSTER,
      'cpaas.io/module-name': 'alive',
      'cpaas.io/module-type': 'plugin',
      'infrastructure.cluster.x-k8s.io/self-built-lb-managed': 'true',
      'cpaas.io/module-catalog': 'platform',
    });
    expect(moduleInfo.spec).toEqual({
      version: 'v4.1.0',
      config: {
        vip: VIP,
        vrid: 42,
        apiserverPort: 6443,
        httpPort: 11780,
        httpsPort: 11781,
        extraPorts: '',
        interface: 'eth0',
      },
    });
    await patchPlatformStatus('ModuleInfo', MODULE_INFO, { version: 'v4.1.0', phase: 'Running' });
    await nudge();
    expect(await vipCondition('AliveRunning', `keeps ${VIP}`)).toMatchObject({ status: 'True' });
    expect((await readCluster())?.status?.ready).toBe(true);
    // The old name of the kit's condition is not reported on vSphere.
    expect((await readCluster())?.status?.conditions?.map((c) => c.type)).not.toContain('SelfBuiltVIPReady');
  });

  it('asks for the version VSPHERE_PLUGIN_ALIVE_VERSION names, still only with a ready ModuleConfig', async () => {
    process.env.VSPHERE_PLUGIN_ALIVE_VERSION = 'v4.0.9';
    try {
      startManager(namespace);
    } finally {
      delete process.env.VSPHERE_PLUGIN_ALIVE_VERSION;
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
    expect((await readCluster())?.status?.ready).toBe(true);
  });
});
