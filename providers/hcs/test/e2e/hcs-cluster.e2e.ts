import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import {
  capiResource,
  infraResource as infra,
  type LooseObject,
  mostRepeated,
} from '@immutable-infra/testkit';
import { anyTestFailed, createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  bootstrapFiles,
  type ClusterE2e,
  type InfraMachineView,
  includedUserData,
  type MachineView,
  startClusterE2e,
} from '@immutable-infra/workload-sim';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { API_SERVER_PORT } from '../../src/controllers/control-plane-load-balancer.js';
import { loadBalancerName, persistentVolumeName, serverGroupName } from '../../src/controllers/names.js';
import { createHcsProvider } from '../../src/provider.js';
import { simLookup, TEST_DOMAIN } from '../cloud/simulator.js';
import {
  type ClusterValues,
  clusterManifests,
  hostnameOf,
  KUBERNETES_FROM,
  KUBERNETES_TO,
  machineTemplate,
  objectNames,
  POOLS,
  prerequisites,
  regionInventory,
} from './cluster-manifests.ts';

const MACHINES = capiResource('machines');
let sim: HcsSimulator;
let e2e: ClusterE2e;
let v: ClusterValues;
const names = objectNames('e2e');
/**
 * The user data each server booted with, an `#include` followed as cloud-init does (once: the
 * provider deletes the object after the node registers, with spec.bootstrapObjectStorage).
 */
const booted = new Map<string, string>();
/** Servers whose user data did not carry their Machine's bootstrap data, with what differed. */
const undelivered = new Map<string, string>();

beforeAll(async () => {
  const kubeConfig = testKubeConfig();
  const namespace = await createTestNamespace(kubeConfig, 'e2e');
  // A loopback /24 of its own (the DCS suite draws from 127.100-249.x): node addresses, the VIP.
  const subnet = `127.${20 + (process.pid % 80)}.${Math.floor(process.pid / 80) % 250}`;
  v = { namespace, cluster: 'e2e', subnet, workerPoolSize: 5, workers: 3 };
  sim = await startHcsSimulator({ inventory: regionInventory(subnet), faults: { jobSeconds: 0.05 } });
  e2e = await startClusterE2e({
    kubeConfig,
    namespace,
    assets: inject('iinfraEnvtestAssets'),
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    logName: 'hcs-e2e',
    providerLabel: 'HCS',
    providers: [createHcsProvider({ http: { lookup: simLookup() } })],
    // The manager as the Helm chart installs it: its arguments and its ServiceAccount's permissions.
    chart: {
      path: fileURLToPath(new URL('../../charts/cluster-api-provider-hcs', import.meta.url)),
      // The package, with the simulator's host names pointed at loopback (as simLookup does here).
      providerModule: fileURLToPath(new URL('../contract/hcs-host-provider.ts', import.meta.url)),
      env: { HCS_LOOKUP_DOMAIN: TEST_DOMAIN },
    },
    auditLogPath: inject('iinfraAuditLogPath'),
    cluster: v.cluster,
    isBooted,
  });
  e2e.probe.shape = { controlPlane: names.controlPlane, workerPool: names.workerPool };
  e2e.live.say(`subnet ${subnet}.0/24, hcs-sim ${sim.url}`);
}, 300_000);

// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from its first parameter, which must be a pattern; the suite is the second
afterAll(async ({}, suite) => {
  // A passing run leaves no live logs behind; a failing one keeps them for its diagnostics.
  await e2e?.stop({ keepLogs: anyTestFailed(suite) });
  await sim?.close();
}, 120_000);

type SimServer = HcsSimulator extends { state(): { servers: (infer S)[] } } ? S : never;

/**
 * HCS: the server is ACTIVE and booted with user data (cloud-init) that carries the Machine's
 * bootstrap data: every file of the bootstrap Secret at its path with the same content (PROVIDER_ID
 * and NODE_IP replaced as the provider must), and the same kubeadm commands.
 */
async function isBooted(machine: MachineView, infraMachine: InfraMachineView): Promise<boolean> {
  const serverId = (infraMachine.status as { serverId?: string } | undefined)?.serverId;
  const server = sim.state().servers.find((s) => s.id === serverId);
  const secretName = machine.spec.bootstrap?.dataSecretName;
  if (server?.status !== 'ACTIVE' || !secretName) return false;
  const secret = await e2e.probe.core.readNamespacedSecret({ namespace: v.namespace, name: secretName });
  const userData =
    booted.get(server.id) ??
    (await includedUserData(
      Buffer.from(server['OS-EXT-SRV-ATTR:user_data'] ?? '', 'base64').toString(),
      fetchOnBoot,
    ));
  booted.set(server.id, userData);
  const problem = deliveryProblem(
    server,
    userData,
    Buffer.from(secret.data?.value ?? '', 'base64').toString(),
    `hcs://${infraMachine.metadata.name}`,
  );
  if (problem && undelivered.get(server.name) !== problem) e2e.live.say(`${server.name}: ${problem}`);
  if (problem) undelivered.set(server.name, problem);
  else undelivered.delete(server.name);
  return problem === undefined;
}

/** A booting node's GET of an included URL; the regional names resolve to hcs-sim. */
function fetchOnBoot(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { lookup: simLookup() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString())
          : reject(new Error(`GET of the included user data answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function deliveryProblem(
  server: SimServer,
  userData: string,
  bootstrap: string,
  providerID: string,
): string | undefined {
  const ip = Object.values(server.addresses).flat()[0]?.addr ?? '';
  const substituted = bootstrap.replaceAll('PROVIDER_ID', providerID).replaceAll('NODE_IP', ip);
  const delivered = bootstrapFiles(userData, 'cloud-config');
  const wanted = bootstrapFiles(substituted, 'cloud-config');
  if (wanted.size === 0) return 'the bootstrap Secret has no files';
  for (const [path, content] of wanted)
    if (delivered.get(path) !== content) return `${path} missing or different in the user data`;
  const runcmd = (text: string) => JSON.stringify((parse(text) as { runcmd?: unknown }).runcmd ?? null);
  if (runcmd(userData) !== runcmd(substituted)) return 'runcmd differs from the bootstrap data';
  return undefined;
}

const clusterServers = () => sim.state().servers;
const volumesByName = () => new Map(sim.state().volumes.map((volume) => [volume.name, volume]));
/** The pool entries' persistent disks (not the servers' own system and data disks): volume id by name. */
const persistentDiskIds = () =>
  new Map(
    sim
      .state()
      .volumes.filter((volume) => Object.values(POOLS).some((pool) => volume.name.startsWith(`${pool}-`)))
      .map((volume) => [volume.name, volume.id]),
  );
const addressOf = (machine: LooseObject) =>
  machine.status?.addresses?.find((a: LooseObject) => a.type === 'InternalIP')?.address;

/** The members of the cluster's ELB pool, straight from HCS: name and address. */
function elbMembers(): string[] {
  const state = sim.state();
  const lb = state.loadBalancers.find((l) => l.name === loadBalancerName(v.namespace, v.cluster));
  const pool = state.pools.find((p) => p.loadbalancers.some((l) => l.id === lb?.id));
  return state.members
    .filter((m) => m.pool_id === pool?.id)
    .map((m) => `${m.name}=${m.address}:${m.protocol_port}`)
    .sort();
}

/** What the ELB pool should hold: the control plane HCSMachines, by name and address. */
async function controlPlaneMembers(): Promise<string[]> {
  const machines = await e2e.probe.list(infra('hcsmachines'), 'cluster.x-k8s.io/control-plane');
  return machines.map((m) => `${m.metadata.name}=${addressOf(m)}:${API_SERVER_PORT}`).sort();
}

/**
 * Every server holds the persistent disk of the pool entry its machine claimed (the volume of the
 * entry's deterministic name), attached at the device its cloud-init mounts on /var/cpaas; answers
 * the volume id by hostname (the server's name).
 */
async function persistentDisksInPlace(): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  const volumes = volumesByName();
  for (const machine of await e2e.probe.list(infra('hcsmachines'))) {
    const pool = machine.spec.configPoolRef.name;
    const hostname = machine.status?.poolHostname;
    const server = clusterServers().find((s) => s.id === machine.status?.serverId);
    const volume = volumes.get(persistentVolumeName(pool, hostname, 0));
    expect(server?.name, machine.metadata.name).toBe(hostname);
    expect(volume?.status, `${pool}/${hostname}`).toBe('in-use');
    expect(volume?.attachments.map((a) => a.server_id)).toEqual([server?.id]);
    const userData =
      booted.get(server?.id ?? '') ??
      Buffer.from(server?.['OS-EXT-SRV-ATTR:user_data'] ?? '', 'base64').toString();
    const mounts = (parse(userData) as { mounts?: string[][] }).mounts ?? [];
    expect(mounts.find((mount) => mount[1] === '/var/cpaas')?.[0]).toBe(volume?.attachments[0]?.device);
    held.set(hostname, volume?.id ?? '');
  }
  return held;
}

describe('an HCS cluster with the real Cluster API controllers, hcs-sim and the workload-cluster simulator', () => {
  it('creates 3 control plane + 3 worker machines from the documented manifests and reaches Ready behind the ELB VIP', async () => {
    for (const object of prerequisites(v, sim)) await e2e.objects.create(object as KubernetesObject);
    const started = Date.now();
    for (const object of clusterManifests(v)) await e2e.objects.create(object as KubernetesObject);
    await e2e.probe.reachSettled('create to Ready', 3, KUBERNETES_FROM, started);

    // The endpoint is the VIP HCS handed out in the cluster's subnet, port 6443, and the workload
    // API server answers there (the kubeconfig KCP wrote names it).
    const lb = sim.state().loadBalancers.find((l) => l.name === loadBalancerName(v.namespace, v.cluster));
    expect(lb?.vip_address.startsWith(`${v.subnet}.`)).toBe(true);
    const cluster = await e2e.probe.get(capiResource('clusters'), v.cluster);
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: lb?.vip_address, port: API_SERVER_PORT });
    const kubeconfig = await e2e.probe.core.readNamespacedSecret({
      namespace: v.namespace,
      name: `${v.cluster}-kubeconfig`,
    });
    expect(Buffer.from(kubeconfig.data?.value ?? '', 'base64').toString()).toContain(
      `server: https://${lb?.vip_address}:${API_SERVER_PORT}`,
    );
    const workload = await e2e.probe.workloadApi();

    // Six ACTIVE servers named after their pool entries, with the entries' fixed addresses.
    const servers = clusterServers();
    expect(servers.map((s) => `${s.name}=${s.status}`).sort()).toEqual(
      [1, 2, 3]
        .flatMap((n) => [`${hostnameOf(v, 'cp', n)}=ACTIVE`, `${hostnameOf(v, 'worker', n)}=ACTIVE`])
        .sort(),
    );
    const machines = await e2e.probe.list(infra('hcsmachines'));
    for (const machine of machines) {
      expect(machine.spec.providerID).toBe(`hcs://${machine.metadata.name}`);
      const server = servers.find((s) => s.id === machine.status?.serverId);
      expect(
        Object.values(server?.addresses ?? {})
          .flat()
          .map((a) => a.addr),
      ).toEqual([addressOf(machine)]);
    }
    const nodes = (await workload.listNode()).items;
    expect(nodes.map((n) => n.spec?.providerID).sort()).toEqual(
      machines.map((m) => m.spec.providerID).sort(),
    );
    expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(servers.map((s) => s.name).sort());
    expect(undelivered).toEqual(new Map());

    // The control plane machines, and only they, are the ELB's members; they share the anti-affinity group.
    expect(elbMembers()).toEqual(await controlPlaneMembers());
    expect(elbMembers()).toHaveLength(3);
    const group = sim.state().serverGroups.find((g) => g.name === serverGroupName(v.namespace, v.cluster));
    expect(group?.policies).toEqual(['anti-affinity']);
    expect(group?.members.map((id) => servers.find((s) => s.id === id)?.name).sort()).toEqual(
      [1, 2, 3].map((n) => hostnameOf(v, 'cp', n)),
    );

    // Each server holds its entry's persistent disk, created once.
    expect((await persistentDisksInPlace()).size).toBe(6);
    expect(sim.state().creates.volumes).toBe(6);
    // The v1beta1 view (the documented manifests' version) reads the same state through the conversion webhook.
    const old = await e2e.probe.get(capiResource('clusters', 'v1beta1'), v.cluster);
    expect(old.status?.phase).toBe('Provisioned');
    expect(old.status?.controlPlaneReady).toBe(true);
  }, 1_000_000);

  it('scales the workers 3 -> 5 -> 2: slots released, servers deleted, their persistent disks detached and kept', async () => {
    for (const replicas of [5, 2]) {
      await e2e.probe.patch(capiResource('machinedeployments'), names.workerPool, { spec: { replicas } });
      await e2e.probe.waitFor(`MD ${replicas}/${replicas}`, () =>
        e2e.probe.settled(replicas, KUBERNETES_FROM),
      );
      await e2e.probe.waitFor(
        `${3 + replicas} servers`,
        async () => clusterServers().length === 3 + replicas,
      );
      const pool = await e2e.probe.get(infra('hcsmachineconfigpools'), POOLS.worker);
      expect(pool.status?.availableCount).toBe(5 - replicas);
      expect(pool.status?.usedConfigs ?? []).toHaveLength(replicas);
      expect((await persistentDisksInPlace()).size).toBe(3 + replicas);
    }
    // The three entries given up keep their disks, detached: five worker disks were made, none twice.
    const held = new Set(
      (await e2e.probe.list(infra('hcsmachines'))).map((m) =>
        persistentVolumeName(m.spec.configPoolRef.name, m.status.poolHostname, 0),
      ),
    );
    const kept = sim
      .state()
      .volumes.filter((volume) => volume.name.startsWith(`${POOLS.worker}-`) && !held.has(volume.name));
    expect(kept.map((volume) => volume.status)).toEqual(['available', 'available', 'available']);
    expect(sim.state().creates.volumes).toBe(8);
    expect(mostRepeated(sim.state().volumes.map((volume) => volume.name))).toBe(1);
  }, 1_000_000);

  it('puts back owner references and finalizers that were removed, touching no server', async () => {
    const servers = await e2e.probe.ownershipResilience({
      infraKinds: [infra('hcsclusters'), infra('hcsmachines')],
      workers: 2,
      version: KUBERNETES_FROM,
      platformIds: () => clusterServers().map((server) => server.id),
    });
    expect(servers.after).toEqual(servers.before);
  }, 1_000_000);

  it('upgrades (new HCSMachineTemplate and Kubernetes version) one machine at a time, each replacement getting its entry persistent disk back', async () => {
    const disksBefore = persistentDiskIds();
    expect(disksBefore.size).toBe(8);
    const createsBefore = sim.state().creates;
    const oldServers = new Set(clusterServers().map((s) => s.id));
    const oldImage = clusterServers()[0]?.image.id;
    const cpTemplate = machineTemplate(v.namespace, 'cp', KUBERNETES_TO);
    const workerTemplate = machineTemplate(v.namespace, 'worker', KUBERNETES_TO);
    for (const template of [cpTemplate, workerTemplate])
      await e2e.objects.create(template as KubernetesObject);

    const { most } = await e2e.probe.upgrade({
      version: KUBERNETES_TO,
      templateKind: 'HCSMachineTemplate',
      controlPlaneTemplate: cpTemplate.metadata.name,
      workerTemplate: workerTemplate.metadata.name,
      workers: 2,
    });

    // maxSurge 0: never a fourth control plane machine, never a third worker.
    expect(most).toEqual({ cp: 3, worker: 2 });
    // Five new servers on the new image; the old ones are gone.
    const servers = clusterServers();
    expect(servers).toHaveLength(5);
    expect(servers.filter((s) => oldServers.has(s.id))).toEqual([]);
    expect(new Set(servers.map((s) => s.image.id)).size).toBe(1);
    expect(servers[0]?.image.id).not.toBe(oldImage);
    // The same persistent volumes (same id per entry), now attached to the new servers; no volume
    // made, server created more than once per replacement, or member left behind.
    expect(persistentDiskIds()).toEqual(disksBefore);
    const held = await persistentDisksInPlace();
    expect(held.size).toBe(5);
    // The control plane pool has no spare entry: every replacement took its predecessor's entry,
    // hostname and disk. (A worker replacement takes the first free entry, which can be another one.)
    for (const n of [1, 2, 3]) {
      const hostname = hostnameOf(v, 'cp', n);
      expect(held.get(hostname)).toBe(disksBefore.get(persistentVolumeName(POOLS.cp, hostname, 0)));
    }
    expect(sim.state().creates.volumes).toBe(createsBefore.volumes);
    expect(sim.state().creates.servers).toBe(createsBefore.servers + 5);
    expect(elbMembers()).toEqual(await controlPlaneMembers());
    expect(undelivered).toEqual(new Map());
    const workload = await e2e.probe.workloadApi();
    const versions = (await workload.listNode()).items.map((n) => n.status?.nodeInfo?.kubeletVersion);
    expect(versions).toEqual(Array(5).fill(KUBERNETES_TO));
  }, 1_500_000);

  it('leaves no credential value in any log line, Event or condition after create, scale and upgrade', async () => {
    expect(e2e.live.managerText().length).toBeGreaterThan(0);
    expect(await credentialLeaks()).toEqual([]);
  });

  it('deletes the cluster: no server, ELB, member or server group left, the persistent disks once each and free, every slot released', async () => {
    await e2e.probe.deleteCluster();
    expect(await e2e.probe.list(MACHINES)).toEqual([]);
    expect(await e2e.probe.list(infra('hcsmachines'))).toEqual([]);
    const state = sim.state();
    expect(state.servers).toEqual([]);
    expect(state.loadBalancers).toEqual([]);
    expect(state.listeners).toEqual([]);
    expect(state.pools).toEqual([]);
    expect(state.members).toEqual([]);
    expect(state.healthMonitors).toEqual([]);
    expect(state.serverGroups).toEqual([]);
    // Only the pool entries' persistent disks are left (every server's own disks went with it): each
    // once, detached, and made once (as many volume creates as volumes left).
    const persistent = [1, 2, 3]
      .map((n) => persistentVolumeName(POOLS.cp, hostnameOf(v, 'cp', n), 0))
      .concat([1, 2, 3, 4, 5].map((n) => persistentVolumeName(POOLS.worker, hostnameOf(v, 'worker', n), 0)));
    expect(state.volumes.map((volume) => volume.name).sort()).toEqual(persistent.sort());
    expect(state.volumes.filter((volume) => volume.status !== 'available')).toEqual([]);
    expect(state.creates.volumes).toBe(state.volumes.length);
    for (const pool of await e2e.probe.list(infra('hcsmachineconfigpools'))) {
      expect(pool.status?.usedConfigs ?? []).toEqual([]);
      expect(pool.status?.availableCount).toBe(pool.spec.configs.length);
    }
    await e2e.probe.awaitGarbageCollected(infra('hcsmachinetemplates'));
  }, 1_000_000);

  it('leaves no credential value in the log lines and Events of the delete either', async () => {
    expect(await credentialLeaks()).toEqual([]);
  });
  it("needed no permission beyond the Helm chart's, and the chart grants nothing it did not use", () => {
    expect(e2e.permissionProblems({})).toEqual([]);
  });
});

/** Where the secret key (as it is, or in base64) appears in the manager's log, an Event or a status. */
function credentialLeaks(): Promise<string[]> {
  return e2e.probe.credentialLeaks(
    { 'secret key': sim.secretKey, 'secret key base64': Buffer.from(sim.secretKey).toString('base64') },
    { 'manager log': e2e.live.managerText() },
    [
      capiResource('clusters'),
      MACHINES,
      infra('hcsclusters'),
      infra('hcsmachines'),
      infra('hcsmachineconfigpools'),
    ],
  );
}
