// A bare-metal cluster end to end: the real Cluster API controllers, the manager as the Helm chart
// installs it, the simulated host fleet (baremetal-sim, playing elemental: registration, plan
// Secrets, the agent running reprovision and clean plans) and the workload-cluster simulator, which
// boots each host from the user data of the reprovision plan it ran. The cluster is the documented
// one (clusterctl/cluster-template.yaml, generated from the guide's manifests) with an Internal VIP:
// 3 control plane nodes, as the guide requires (Cluster API's own webhook refuses its maxSurge 0
// rollout with fewer), and 1 worker, scaled to 2 onto a host whose data volume (an adopted xfs
// filesystem) is prepared first, activated by its reprovision plan and kept, deactivated, when the
// cluster is deleted. The cluster is upgraded by version through the image catalog (every host
// reprovisioned with the new version's image), and a version the catalog lacks fails the new
// machine alone.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaremetalFleet, type HostDefinition } from '@immutable-infra/baremetal-sim';
import {
  aliveModuleGrantsNotExercised,
  capiResource,
  eventually,
  infraResource as infra,
  type LooseObject,
} from '@immutable-infra/testkit';
import { anyTestFailed, createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  bootstrapFiles,
  type ClusterE2e,
  type DeliveredBootstrapData,
  type InfraMachineView,
  type MachineView,
  startClusterE2e,
} from '@immutable-infra/workload-sim';
import {
  CustomObjectsApi,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createBaremetalProvider } from '../../src/provider.js';

const CLUSTER = 'e2e';
const VERSION = 'v1.33.7-2';
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
/** The version the cluster is upgraded to, added to the image catalog as an operator adds it. */
const UPGRADE_VERSION = 'v1.34.5-1';
const UPGRADE_IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.34.5-1';
/**
 * A version the catalog never has; of the control plane's minor, since Cluster API's MachineSet
 * preflight checks hold back a worker newer than the control plane before any machine is made.
 */
const MISSING_VERSION = 'v1.34.6-1';
const CONTROL_PLANE = 3;
const WORKERS = 2;
const VIP_UNIT = 'baremetal-bootstrap-vip.service';
const USER_DATA = '/var/lib/cloud/seed/nocloud/user-data';
const MACHINES = capiResource('machines');
const ELEMENTAL = 'elemental.cattle.io/v1beta1';
const names = { controlPlane: `${CLUSTER}-control-plane`, workerPool: `${CLUSTER}-workers` };
const templates = { cp: `${CLUSTER}-control-plane-template`, worker: `${CLUSTER}-worker-template` };
const pools = { cp: `${CLUSTER}-control-plane-pool`, worker: `${CLUSTER}-worker-pool` };

let e2e: ClusterE2e;
let fleet: BaremetalFleet;
let custom: CustomObjectsApi;
let namespace: string;
let subnet: string;
/** The registered hosts: elemental names them `<cluster>-<SMBIOS UUID>`, as the documented registration does. */
let cpHosts: HostDefinition[];
let workerHosts: HostDefinition[];
/** The worker pool's last host: free until the scale, which prepares its data volume first. */
const lastWorkerHost = () => workerHosts.at(-1)?.name as string;

/** The cluster as `clusterctl generate cluster` writes it from the provider's template, with these values. */
function documentedCluster(values: Record<string, string>): Record<string, unknown>[] {
  const template = readFileSync(
    fileURLToPath(new URL('../../clusterctl/cluster-template.yaml', import.meta.url)),
    'utf8',
  );
  const text = template.replace(/\$\{([A-Z_]+)(?::=([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    const value = values[name] ?? fallback;
    if (value === undefined) throw new Error(`no value for clusterctl variable ${name}`);
    return value;
  });
  return parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
}

/** What the host's agent wrote as the NoCloud user data of the last reprovision plan it applied. */
function deliveredUserData(
  _machine: MachineView,
  infraMachine: InfraMachineView,
): DeliveredBootstrapData | undefined {
  const inventory = (infraMachine.status as { machineInventoryRef?: { name?: string } } | undefined)
    ?.machineInventoryRef?.name;
  if (!inventory) return undefined;
  const plan = fleet
    .host(inventory)
    .executed.filter((p) => p.type === 'reprovision' && p.outcome === 'Applied')
    .at(-1);
  const value = plan?.files[USER_DATA];
  return value ? { format: 'cloud-config', value } : undefined;
}

/**
 * The documented Internal VIP, as the host received it: the node that runs `kubeadm init` starts
 * the VIP unit before anything else; no other node holds the VIP.
 */
function vipProblems(data: DeliveredBootstrapData, machine: MachineView): string[] {
  const config = parse(data.value) as { runcmd?: string[] };
  const init = [...bootstrapFiles(data.value, 'cloud-config').values()].some((content) =>
    /kind:\s*InitConfiguration/.test(content),
  );
  const startsVip = (config.runcmd?.[0] ?? '').includes(`systemctl start ${VIP_UNIT}`);
  if (init && !startsVip) return [`${machine.metadata.name} runs kubeadm init without ${VIP_UNIT} first`];
  if (!init && startsVip) return [`${machine.metadata.name} joins and still takes the VIP`];
  return [];
}

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  namespace = await createTestNamespace(kubeConfig, 'e2e');
  // A loopback /24 of its own (DCS and HCS draw from 127.20-249.x, vSphere from 127.250-254.x):
  // the hosts' addresses (the simulator runs etcd and the kubelet there) and the VIP.
  subnet = `127.${10 + (process.pid % 10)}.${Math.floor(process.pid / 10) % 250}`;
  const host = (n: number): HostDefinition => ({
    name: `${CLUSTER}-4c4c4544-00${30 + n}`,
    address: `${subnet}.${10 + n}`,
  });
  cpHosts = [1, 2, 3].map(host);
  // One host more than the workers: the scale's.
  workerHosts = [11, 12, 13].map(host);
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: [...cpHosts, ...workerHosts],
    pollMs: 100,
    durations: { reprovisionMs: 300, cleanMs: 100 },
  });
  e2e = await startClusterE2e({
    kubeConfig,
    namespace,
    assets: inject('iinfraEnvtestAssets'),
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    logName: 'baremetal-e2e',
    providerLabel: 'Bare Metal',
    providers: [createBaremetalProvider()],
    // The manager as the Helm chart installs it: its arguments and its ServiceAccount's permissions;
    // the package with plans looked at every 200 ms (the simulated plans take 300 ms).
    chart: {
      path: fileURLToPath(new URL('../../charts/cluster-api-provider-baremetal', import.meta.url)),
      providerModule: fileURLToPath(new URL('../contract/baremetal-host-provider.ts', import.meta.url)),
      env: { BAREMETAL_POLL_MS: '200' },
    },
    auditLogPath: inject('iinfraAuditLogPath'),
    cluster: CLUSTER,
    // Booted: the machine is Running, so its host's agent applied the reprovision plan (and rebooted).
    isBooted: (machine, infraMachine) =>
      Boolean(infraMachine.status?.ready) && deliveredUserData(machine, infraMachine) !== undefined,
    deliveredBootstrapData: deliveredUserData,
    checkBootstrapData: vipProblems,
  });
  e2e.probe.shape = { ...names, controlPlaneReplicas: CONTROL_PLANE };
  e2e.live.say(`subnet ${subnet}.0/24`);
}, 300_000);

// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from its first parameter, which must be a pattern; the suite is the second
afterAll(async ({}, suite) => {
  // A passing run leaves no live logs behind; a failing one keeps them for its diagnostics.
  await e2e?.stop({ keepLogs: anyTestFailed(suite) });
  fleet?.stop();
}, 120_000);

interface InventoryStorage {
  phase?: string;
  conditions?: { type: string; status: string; reason: string }[];
}
const storageOf = async (name: string) =>
  (
    (await custom.getNamespacedCustomObject({
      group: 'elemental.cattle.io',
      version: 'v1beta1',
      plural: 'machineinventories',
      namespace,
      name,
    })) as { status?: { storage?: InventoryStorage } }
  ).status?.storage;

const inventories = async () =>
  (await e2e.objects.list(ELEMENTAL, 'MachineInventory', namespace)).items as unknown as LooseObject[];

describe('a bare-metal cluster with the real Cluster API controllers, simulated hosts and the workload-cluster simulator', () => {
  it(`creates ${CONTROL_PLANE} control plane + ${WORKERS} worker machines from the documented manifests and reaches Ready at the VIP`, async () => {
    // The provider's namespace holds the image catalog (the chart's POD_NAMESPACE is the release's).
    await e2e.objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'elemental-image-catalog', namespace },
      data: { [VERSION]: IMAGE },
    } as KubernetesObject);
    // Step 2 of the guide: one pool per role, control plane hosts with their node names.
    const pool = (name: string, members: HostDefinition[], hostnames: boolean) => ({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'MachineInventoryPool',
      metadata: { name, namespace },
      spec: {
        clusterName: CLUSTER,
        machineInventories: members.map((m, i) => ({
          name: m.name,
          ...(hostnames ? { hostname: `${CLUSTER}-cp-${i + 1}` } : {}),
        })),
      },
    });
    await e2e.objects.create(pool(pools.cp, cpHosts, true) as KubernetesObject);
    await e2e.objects.create(pool(pools.worker, workerHosts, false) as KubernetesObject);

    const started = Date.now();
    for (const object of documentedCluster({
      CLUSTER_NAME: CLUSTER,
      NAMESPACE: namespace,
      CONTROL_PLANE_VIP: `${subnet}.100`,
      VRID: '51',
      KUBERNETES_VERSION: VERSION,
      CONTROL_PLANE_MACHINE_COUNT: String(CONTROL_PLANE),
      WORKER_MACHINE_COUNT: String(WORKERS),
      SSH_AUTHORIZED_KEYS:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2e e2e',
      REGISTRY_ADDRESS: 'registry.example.local',
      DNS_IMAGE_TAG: 'v1.12.1',
      ETCD_IMAGE_TAG: '3.5.21-0',
      PODS_CIDR: '10.16.0.0/16',
      SERVICES_CIDR: '10.96.0.0/12',
      KUBE_OVN_JOIN_CIDR: '100.64.0.0/16',
    }))
      await e2e.objects.create(object as KubernetesObject);
    await e2e.probe.reachSettled('create to Ready', WORKERS, VERSION, started);

    const cluster = await e2e.probe.get(capiResource('clusters'), CLUSTER);
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: `${subnet}.100`, port: 6443 });
    expect(e2e.workloads.bootFailures()).toEqual({});
    // Each machine on a host of its role's pool, its node's provider ID the inventory's.
    const machines = await e2e.probe.list(infra('baremetalmachines'));
    expect(machines).toHaveLength(CONTROL_PLANE + WORKERS);
    for (const machine of machines) {
      expect(machine.status?.phase).toBe('Running');
      expect(machine.spec.providerID).toBe(`baremetal:///${machine.status?.machineInventoryRef?.name}`);
    }
    const workload = await e2e.probe.workloadApi();
    const nodes = (await workload.listNode()).items;
    expect(nodes.map((n) => n.spec?.providerID).sort()).toEqual(
      machines.map((m) => m.spec.providerID).sort(),
    );
    expect(nodes.map((n) => n.metadata?.name)).toContain(`${CLUSTER}-cp-1`);
    // One reprovision plan per host taken, none run twice.
    for (const host of [...cpHosts, ...workerHosts.slice(0, WORKERS)])
      expect(fleet.host(host.name).executed.map((p) => p.type)).toEqual(['reprovision']);
    expect(fleet.host(lastWorkerHost()).executed).toEqual([]);
    const workerPool = await e2e.probe.get(infra('machineinventorypools'), pools.worker);
    expect(workerPool.status).toMatchObject({ total: WORKERS + 1, allocated: WORKERS, available: 1 });
    // This management cluster is not the platform: alive cannot be asked for, the VIP stays on the
    // first node, and the cluster is ready all the same.
    const baremetalCluster = await e2e.probe.get(infra('baremetalclusters'), CLUSTER);
    expect(
      baremetalCluster.status?.conditions?.find((c: LooseObject) => c.type === 'EndpointReady'),
    ).toMatchObject({ status: 'False', reason: 'AlivePlatformMissing' });
  }, 1_000_000);

  it('scales the workers by one onto the pool’s last host, after its data volume is prepared', async () => {
    // The documented data disk workflow on an available inventory: an existing xfs filesystem
    // adopted (no approval needed), prepared before the host is allocated.
    const last = lastWorkerHost();
    const disk = fleet.host(last).devices.find((d) => d.path === '/dev/sdc');
    await custom.patchNamespacedCustomObject(
      {
        group: 'elemental.cattle.io',
        version: 'v1beta1',
        plural: 'machineinventories',
        namespace,
        name: last,
        body: {
          spec: {
            storage: {
              volumes: [
                {
                  name: 'application-data',
                  source: { deviceID: disk?.id, minimumSize: '100Gi' },
                  filesystem: { policy: 'Adopt', type: 'xfs', expectedUUID: disk?.filesystem?.uuid },
                  mount: { path: '/data/application', required: true },
                },
              ],
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(
      'data volume prepared',
      async () => (await storageOf(last))?.phase === 'Prepared',
      120_000,
      500,
    );
    await e2e.probe.patch(capiResource('machinedeployments'), names.workerPool, {
      spec: { replicas: WORKERS + 1 },
    });
    await e2e.probe.waitFor(`MD ${WORKERS + 1}/${WORKERS + 1}`, () =>
      e2e.probe.settled(WORKERS + 1, VERSION),
    );
    for (const host of workerHosts.slice(0, WORKERS))
      expect(fleet.host(host.name).executed.map((p) => p.type)).toEqual(['reprovision']);
    expect(fleet.host(last).executed.map((p) => p.type)).toEqual(['storage-prepare', 'reprovision']);
    expect((await storageOf(last))?.phase).toBe('Active');
    expect(
      fleet
        .host(last)
        .devices.find((d) => d.path === '/dev/sdc')
        ?.mounts?.map((m) => m.path),
    ).toEqual(['/data/application']);
    const workerPool = await e2e.probe.get(infra('machineinventorypools'), pools.worker);
    expect(workerPool.status).toMatchObject({ total: WORKERS + 1, allocated: WORKERS + 1, available: 0 });
  }, 1_000_000);

  it('upgrades by version through the image catalog: each host reprovisioned with the new image, one machine at a time', async () => {
    // The operator adds the new version's image to the catalog, then changes the version of the
    // control plane and the workers; the machine templates (the pools) stay.
    await e2e.objects.patch(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'elemental-image-catalog', namespace },
        data: { [UPGRADE_VERSION]: UPGRADE_IMAGE },
      } as KubernetesObject,
      undefined,
      undefined,
      'baremetal-e2e',
      undefined,
      PatchStrategy.MergePatch,
    );
    const { most } = await e2e.probe.upgrade({
      version: UPGRADE_VERSION,
      templateKind: 'BaremetalMachineTemplate',
      controlPlaneTemplate: templates.cp,
      workerTemplate: templates.worker,
      workers: WORKERS + 1,
    });
    // maxSurge 0: an old machine's host is cleaned and freed before the new machine takes it.
    expect(most).toEqual({ cp: CONTROL_PLANE, worker: WORKERS + 1 });
    for (const host of [...cpHosts, ...workerHosts]) {
      const plans = fleet.host(host.name).executed.filter((p) => p.type !== 'storage-prepare');
      expect(
        plans.map((p) => [p.type, p.outcome]),
        host.name,
      ).toEqual([
        ['reprovision', 'Applied'],
        ['clean', 'Applied'],
        ['reprovision', 'Applied'],
      ]);
      expect(plans[0]?.commands).toContain(`elemental upgrade --reboot=false --system ${IMAGE}`);
      expect(plans[2]?.commands).toContain(`elemental upgrade --reboot=false --system ${UPGRADE_IMAGE}`);
    }
    const workload = await e2e.probe.workloadApi();
    const nodes = (await workload.listNode()).items;
    expect(nodes.map((n) => n.status?.nodeInfo?.kubeletVersion)).toEqual(
      Array(CONTROL_PLANE + WORKERS + 1).fill(UPGRADE_VERSION),
    );
    // The data volume came back with the new machine on its host.
    const last = lastWorkerHost();
    expect((await storageOf(last))?.phase).toBe('Active');
  }, 1_000_000);

  it('fails the new machine of a version missing from the catalog, naming it, and wipes no host', async () => {
    // A surge rollout, so the new machine comes before any old one goes: what it does alone shows.
    await e2e.probe.patch(capiResource('machinedeployments', 'v1beta1'), names.workerPool, {
      spec: {
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { spec: { version: MISSING_VERSION } },
      },
    });
    const failed = await eventually(
      'the new worker machine Failed',
      async () =>
        (await e2e.probe.list(infra('baremetalmachines'))).find(
          (m: LooseObject) => m.status?.phase === 'Failed',
        ),
      120_000,
      500,
    );
    expect(failed.status).toMatchObject({ failureReason: 'ImageCatalogMiss' });
    expect(failed.status?.failureMessage).toContain(
      `Machine.spec.version ${MISSING_VERSION} is not a key of ConfigMap ${namespace}/elemental-image-catalog (it has ${VERSION}, ${UPGRADE_VERSION})`,
    );
    expect(failed.status?.machineInventoryRef).toBeUndefined();
    // No host taken, no plan written: every host ran exactly what the upgrade left it with.
    for (const host of [...cpHosts, ...workerHosts])
      expect(
        fleet
          .host(host.name)
          .executed.filter((p) => p.type !== 'storage-prepare')
          .map((p) => p.type),
        host.name,
      ).toEqual(['reprovision', 'clean', 'reprovision']);
    expect(await e2e.probe.settled(WORKERS + 1, UPGRADE_VERSION)).toBe(false);
    // Back to the catalog's version: the failed machine goes, the running ones stay.
    await e2e.probe.patch(capiResource('machinedeployments', 'v1beta1'), names.workerPool, {
      spec: {
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        template: { spec: { version: UPGRADE_VERSION } },
      },
    });
    await e2e.probe.waitFor('the failed machine gone, the cluster settled', () =>
      e2e.probe.settled(WORKERS + 1, UPGRADE_VERSION),
    );
  }, 1_000_000);

  it('deletes the cluster: every host cleaned and Available again, no MachineInventory deleted', async () => {
    const before = (await inventories()).map((i) => i.metadata.uid).sort();
    await e2e.probe.deleteCluster();
    expect(await e2e.probe.list(MACHINES)).toEqual([]);
    expect(await e2e.probe.list(infra('baremetalmachines'))).toEqual([]);
    const after = await inventories();
    expect(after.map((i) => i.metadata.uid).sort()).toEqual(before);
    for (const inventory of after) {
      expect(
        inventory.metadata.annotations?.['baremetal.alauda.io/allocation-state'],
        inventory.metadata.name,
      ).toBe('Available');
      expect(inventory.metadata.annotations?.['baremetal.alauda.io/owner-machine']).toBeUndefined();
    }
    const last = lastWorkerHost();
    for (const host of [...cpHosts, ...workerHosts])
      expect(fleet.host(host.name).executed.map((p) => [p.type, p.outcome])).toEqual([
        ...(host.name === last ? [['storage-prepare', 'Applied']] : []),
        ['reprovision', 'Applied'],
        ['clean', 'Applied'],
        ['reprovision', 'Applied'],
        ['clean', 'Applied'],
      ]);
    // Deleting the Machine deactivated the data volume: unmounted, still prepared, its data kept.
    const storage = await storageOf(last);
    expect(storage?.phase).toBe('Prepared');
    expect(storage?.conditions?.find((c) => c.type === 'StorageActive')).toMatchObject({
      status: 'False',
      reason: 'Inactive',
    });
    const disk = fleet.host(last).devices.find((d) => d.path === '/dev/sdc');
    expect(disk?.filesystem?.type).toBe('xfs');
    expect(disk?.mounts).toBeUndefined();
    await e2e.probe.awaitGarbageCollected(infra('baremetalmachinetemplates'));
  }, 1_000_000);

  it("needed no permission beyond the Helm chart's, and the chart grants nothing it did not use", () => {
    // The alive ModuleInfo's kinds are asked only on a platform that serves them
    // (test/self-built-vip.test.ts plays one); this management cluster is not the platform.
    const alive = 'Internal VIP on a platform serving the module kinds only';
    // A BaremetalHost reads its SeedImage (test/baremetal-host.test.ts); these hosts have no BMC.
    expect(
      e2e.permissionProblems({
        ...aliveModuleGrantsNotExercised(alive),
        'elemental.cattle.io seedimages get': 'BaremetalHost only: hosts booted over their BMC',
      }),
    ).toEqual([]);
  });
});
