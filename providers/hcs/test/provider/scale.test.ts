import { fileURLToPath } from 'node:url';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import {
  clusterApiObjects,
  clusterCaSecret,
  inParallel,
  MACHINES_PER_CLUSTER,
  runScale,
  type ScaleTarget,
  scaleSettings,
  spawnManagerProcess,
  writeScaleReport,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';
import { GATEWAY_ADDRESS_VARIABLE } from '../../src/cloud/fixed-address-lookup.js';
import { INFRA, TEST_DOMAIN } from './hcs-fixtures.js';

// The HCS side of testkit's runScale (see the DCS scale test): the manager as production runs it
// (`iinfra manager`, its own process, the built provider, regional names sent to the simulator by
// the site-gateway variable), many servers at once on hcs-sim, no Cluster API controllers. The
// short version asserts only counts that do not depend on speed; `npm run bench:scale -- --provider
// hcs` runs it with more machines and prints the timings.
const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const SCALE = scaleSettings({ machines: 20, taskSeconds: 0.2 });
/** What the scale issue allows from a machine's create to its Ready, our writes only. */
const MAX_WRITES_PER_MACHINE = 12;
const CONTROL_PLANE_PER_CLUSTER = 3;
/**
 * Listings of the ELB's parts (load balancer, listeners, pools, members, health monitors) per
 * cluster from create to Ready: each part is listed once, then trusted by its recorded id (16 before
 * issue 23, when every reconcile listed them all and the members twice).
 */
const MAX_ELB_LISTS_PER_CLUSTER = 8;
/** `ecs.listServers` per server: the look-up before its create; a recorded server is read by id (3.45 before). */
const MAX_SERVER_LISTS_PER_SERVER = 1.5;
const ELB_LISTS = [
  'elb.listLoadBalancers',
  'elb.listListeners',
  'elb.listPools',
  'elb.listMembers',
  'elb.listHealthMonitors',
];

let sim: HcsSimulator | undefined;
afterAll(async () => {
  await sim?.close();
});

/** The n-th address (0-based) of a /20 starting at `base` (`a.b.c.0`). */
function addressIn(base: string, n: number): string {
  const [a, b, c] = base.split('.').map(Number) as [number, number, number];
  const offset = c * 256 + n;
  return `${a}.${b}.${Math.floor(offset / 256)}.${offset % 256}`;
}
// Pool addresses start high in each subnet, clear of the ones hcs-sim hands out itself (ELB VIPs).
const FIXED_FROM = 1_024;

/** A region big enough for every size the benchmark runs: /20 subnets, and quotas to match. */
function scaleInventory(machines: number) {
  const clusters = Math.ceil(machines / MACHINES_PER_CLUSTER);
  return {
    availabilityZones: [{ name: 'az1', hosts: 32 }],
    vpcs: [
      {
        name: 'cluster-vpc',
        cidr: '192.168.0.0/16',
        subnets: [
          { name: 'control-plane', cidr: '192.168.16.0/20' },
          { name: 'workers', cidr: '192.168.32.0/20' },
        ],
        securityGroups: [{ name: 'cluster-sg' }],
      },
    ],
    quotas: {
      instances: machines + 10,
      cores: machines * 8,
      ramMiB: machines * 16_384,
      volumes: machines * 2,
      gigabytes: machines * 200,
      loadBalancers: clusters + 1,
      listeners: clusters * 4,
      pools: clusters * 4,
      members: machines * 4,
      healthMonitors: clusters * 4,
    },
  };
}

const cloudConfig =
  '#cloud-config\nruncmd:\n  - kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml\n';

/**
 * What Cluster API and a user leave around HCS servers: one credential for all, and per cluster a
 * control plane pool and a worker pool, the Cluster and the HCSCluster (its ELB on the control
 * plane subnet); per machine its Machine, bootstrap Secret and HCSMachine.
 */
function hcsTarget(platform: HcsSimulator, objects: KubernetesObjectApi): ScaleTarget {
  const create = (object: Record<string, unknown>) => objects.create(object as KubernetesObject);
  const serversOf = (namespace: string) =>
    platform.state().servers.filter((server) => server.name.startsWith(`${namespace}-`));
  return {
    provider: 'hcs',
    machineKind: { apiVersion: INFRA, kind: 'HCSMachine' },
    startManager: (namespace, port) =>
      spawnManagerProcess({
        provider,
        kubeconfigPath: inject('iinfraKubeconfigPath'),
        namespace,
        probeAddress: `127.0.0.1:${port}`,
        logLevel: 'warn',
        args: SCALE.concurrency ? ['--concurrency', String(SCALE.concurrency)] : [],
        env: { [GATEWAY_ADDRESS_VARIABLE]: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    async createObjects(namespace, clusters, machines) {
      await create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'hcs-auth', namespace },
        stringData: {
          accessKey: platform.accessKey,
          secretKey: platform.secretKey,
          projectID: platform.projectId,
          region: platform.region,
          externalGlobalDomain: `${TEST_DOMAIN}:${new URL(platform.url).port}`,
          schema: 'http',
          allowPlainHTTP: 'true',
        },
      });
      await inParallel(clusters, async (cluster) => {
        const n = Number(cluster.slice(1)) - 1;
        const capi = clusterApiObjects({
          namespace,
          cluster,
          infrastructureKinds: { cluster: 'HCSCluster', machine: 'HCSMachine' },
        });
        await create(await clusterCaSecret(namespace, cluster));
        const pool = (name: string, subnet: 'control-plane' | 'workers', first: number, size: number) =>
          create({
            apiVersion: INFRA,
            kind: 'HCSMachineConfigPool',
            metadata: { name, namespace, labels: { 'cluster.x-k8s.io/cluster-name': cluster } },
            spec: {
              configs: Array.from({ length: size }, (_, i) => ({
                hostname: `${namespace}-${cluster}-${subnet === 'workers' ? 'worker' : 'master'}-${i + 1}`,
                networks: [
                  {
                    subnetName: subnet,
                    ipAddress: addressIn(subnet === 'workers' ? '192.168.32.0' : '192.168.16.0', first + i),
                  },
                ],
              })),
            },
          });
        const workers = MACHINES_PER_CLUSTER - CONTROL_PLANE_PER_CLUSTER;
        await pool(
          `${cluster}-cp`,
          'control-plane',
          FIXED_FROM + n * CONTROL_PLANE_PER_CLUSTER,
          CONTROL_PLANE_PER_CLUSTER,
        );
        await pool(`${cluster}-workers`, 'workers', FIXED_FROM + n * workers, workers);
        const owner = await create(capi.cluster());
        await create({
          apiVersion: INFRA,
          kind: 'HCSCluster',
          metadata: {
            name: cluster,
            namespace,
            labels: capi.labels,
            ownerReferences: [capi.ownerReference(owner)],
          },
          spec: {
            controlPlaneLoadBalancer: { vipSubnetName: 'control-plane' },
            networkType: 'kube-ovn',
            network: {
              vpc: { name: 'cluster-vpc' },
              subnets: [{ name: 'control-plane' }, { name: 'workers' }],
              securityGroup: { name: 'cluster-sg' },
            },
            identityRef: { name: 'hcs-auth' },
          },
        });
      });
      await inParallel(machines, async ({ name, cluster, controlPlane }) => {
        const labels = {
          'cluster.x-k8s.io/cluster-name': cluster,
          ...(controlPlane ? { 'cluster.x-k8s.io/control-plane': '' } : {}),
        };
        const capi = clusterApiObjects({
          namespace,
          cluster,
          infrastructureKinds: { cluster: 'HCSCluster', machine: 'HCSMachine' },
        });
        await create(capi.bootstrapSecret(name, cloudConfig));
        const machine = await create(capi.machine(name, { labels }));
        await create({
          apiVersion: INFRA,
          kind: 'HCSMachine',
          metadata: { name, namespace, labels, ownerReferences: [capi.ownerReference(machine)] },
          spec: {
            imageName: 'microos-k8s-1.34.1',
            flavorName: controlPlane ? 's6.large.2' : 's6.xlarge.2',
            availabilityZone: 'az1',
            rootVolume: { type: 'SSD', size: 40 },
            keyPairName: 'cluster-key',
            configPoolRef: { name: `${cluster}-${controlPlane ? 'cp' : 'workers'}` },
          },
        });
      });
    },
    platformMachines: (namespace) => serversOf(namespace).length,
    platformCreates: () => platform.state().creates.servers,
    platformTasks: () => platform.state().jobs.length,
    // AK/SK requests are signed one by one: there is no login, and no token should be asked for.
    platformLogins: () => platform.state().auth.tokensIssued,
  };
}

it(`provisions ${SCALE.machines} HCS servers over ${Math.ceil(SCALE.machines / MACHINES_PER_CLUSTER)} clusters with at most ${MAX_WRITES_PER_MACHINE} API writes each to Ready, ELB parts listed at most ${MAX_ELB_LISTS_PER_CLUSTER} times per cluster and servers at most ${MAX_SERVER_LISTS_PER_SERVER} per server, and no login, then deletes them all`, {
  timeout: 600_000 + SCALE.machines * 6_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  sim = await startHcsSimulator({
    inventory: scaleInventory(SCALE.machines),
    faults: {
      jobSeconds: SCALE.taskSeconds,
      ...(SCALE.platformRps
        ? { rateLimit: { requestsPerSecond: SCALE.platformRps, burst: SCALE.platformRps } }
        : {}),
    },
  });
  const namespace = await createTestNamespace(kubeConfig, 'hcs-scale');
  const report = await runScale(
    kubeConfig,
    namespace,
    SCALE,
    hcsTarget(sim, KubernetesObjectApi.makeApiClient(kubeConfig)),
  );
  writeScaleReport(report);
  console.log(JSON.stringify(report));

  // One server per machine, created once, none left after the delete.
  expect(report.platformMachinesAtReady).toBe(SCALE.machines);
  expect(report.platformCreates).toBe(SCALE.machines);
  expect(report.platformMachinesLeft).toBe(0);
  // Counts that do not depend on speed: our writes per machine, and no login for signed requests.
  expect(report.kubePerMachineToReady.writes).toBeLessThanOrEqual(MAX_WRITES_PER_MACHINE);
  expect(report.logins).toBe(0);
  // Platform calls that do not depend on speed either: listings are not repeated per reconcile.
  const calls = report.platformCallsByOperation;
  const elbListsPerCluster =
    ELB_LISTS.reduce((sum, operation) => sum + (calls[operation] ?? 0), 0) * MACHINES_PER_CLUSTER;
  expect(elbListsPerCluster).toBeLessThanOrEqual(MAX_ELB_LISTS_PER_CLUSTER);
  expect(calls['ecs.listServers'] ?? 0).toBeLessThanOrEqual(MAX_SERVER_LISTS_PER_SERVER);
  expect(sim.state().auth.signatureFailures).toBe(0);
});
