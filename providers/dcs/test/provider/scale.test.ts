import { fileURLToPath } from 'node:url';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import {
  clusterApiObjects,
  generateControlPlanePki,
  inParallel,
  MACHINES_PER_CLUSTER,
  plainHttpConsent,
  runScale,
  type ScaleTarget,
  scaleSettings,
  spawnManagerProcess,
  writeScaleReport,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, expect, inject, it } from 'vitest';

// The manager as production runs it (`iinfra manager`, its own process, the built provider), many
// machines at once on a simulated DCS, without Cluster API's controllers: the provider and the host
// are what is measured (testkit's runScale). The test's short version asserts only counts that do
// not depend on speed; `npm run bench:scale` runs it with SCALE_MACHINES=1000 and prints the timings.
const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const SCALE = scaleSettings({ machines: 20, taskSeconds: 0.2 });
/** What the issue allows from a machine's create to its Ready, our writes only. */
const MAX_WRITES_PER_MACHINE = 12;
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
/** Cluster API's objects of the Cluster `cluster` in `namespace`. */
const capiObjects = (namespace: string, cluster: string) =>
  clusterApiObjects({
    namespace,
    cluster,
    infrastructureKinds: { cluster: 'DCSCluster', machine: 'DCSMachine' },
  });
const USER = 'cluster-api';

let sim: DcsSimulator | undefined;
afterAll(async () => {
  await sim?.close();
});

const ignition = JSON.stringify({ ignition: { version: '3.4.0' } });

/**
 * What Cluster API and a user leave around DCS machines: one credential for all, and per cluster a
 * pool of ten entries, the Cluster and the DCSCluster; per machine its Machine, bootstrap Secret and
 * DCSMachine.
 */
function dcsTarget(platform: DcsSimulator, objects: KubernetesObjectApi): ScaleTarget {
  const create = (object: Record<string, unknown>) => objects.create(object as KubernetesObject);
  const vmsOf = (namespace: string) =>
    platform.state().vms.filter((vm) => vm.name.startsWith(`${namespace}-`));
  return {
    provider: 'dcs',
    machineKind: { apiVersion: INFRA, kind: 'DCSMachine' },
    startManager: (namespace, port) =>
      spawnManagerProcess({
        provider,
        kubeconfigPath: inject('iinfraKubeconfigPath'),
        namespace,
        probeAddress: `127.0.0.1:${port}`,
        logLevel: 'warn',
        args: SCALE.concurrency ? ['--concurrency', String(SCALE.concurrency)] : [],
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    async createObjects(namespace, clusters, machines) {
      await create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'dcs-auth', namespace },
        stringData: {
          authUser: USER,
          authKey: 'Huawei@123',
          endpoint: platform.url,
          ...plainHttpConsent(platform.url),
        },
      });
      // What the kubeadm control plane provider creates before the first machine: the cluster CA
      // (one for all: signing the nodes' kubelet certificates is what it is for here).
      const { ca } = await generateControlPlanePki();
      await inParallel(clusters, async (cluster) => {
        const n = Number(cluster.slice(1));
        await create({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: `${cluster}-ca`,
            namespace,
            labels: { 'cluster.x-k8s.io/cluster-name': cluster },
          },
          type: 'cluster.x-k8s.io/secret',
          stringData: { 'tls.crt': ca.certificate, 'tls.key': ca.privateKey },
        });
        await create({
          apiVersion: INFRA,
          kind: 'DCSIpHostnamePool',
          metadata: { name: `${cluster}-pool`, namespace },
          spec: {
            pool: Array.from({ length: MACHINES_PER_CLUSTER }, (_, i) => ({
              ip: `10.${n >> 8}.${n & 255}.${10 + i}`,
              mask: '24',
              gateway: '10.0.0.1',
              hostname: `${cluster}-node-${i + 1}`,
              machineName: `${namespace}-${cluster}-vm-${i + 1}`,
              dvSwitchName: 'DVS-Business',
              portGroupName: 'business-vlan100',
            })),
          },
        });
        const capi = capiObjects(namespace, cluster);
        const owner = await create(capi.cluster());
        await create({
          apiVersion: INFRA,
          kind: 'DCSCluster',
          metadata: {
            name: cluster,
            namespace,
            labels: capi.labels,
            ownerReferences: [capi.ownerReference(owner)],
          },
          spec: {
            controlPlaneLoadBalancer: { type: 'external', host: '10.0.1.100', port: 6443 },
            credentialSecretRef: { name: 'dcs-auth' },
            networkType: 'kube-ovn',
          },
        });
      });
      await inParallel(machines, async ({ name, cluster, controlPlane }) => {
        const labels = {
          'cluster.x-k8s.io/cluster-name': cluster,
          ...(controlPlane ? { 'cluster.x-k8s.io/control-plane': '' } : {}),
        };
        const capi = capiObjects(namespace, cluster);
        await create(capi.bootstrapSecret(name, ignition, 'ignition'));
        const machine = await create(capi.machine(name, { labels }));
        await create({
          apiVersion: INFRA,
          kind: 'DCSMachine',
          metadata: {
            name,
            namespace,
            labels,
            ownerReferences: [capi.ownerReference(machine)],
          },
          spec: {
            vmTemplateName: 'ubuntu-2204-k8s-v1.34',
            ipHostPoolRef: { name: `${cluster}-pool` },
            vmConfig: {
              dcsMachineCpuSpec: { quantity: 4 },
              dcsMachineMemorySpec: { quantity: 8192 },
              dcsMachineDiskSpec: [{ quantity: 0, systemVolume: true, datastoreClusterName: 'ssd-pool' }],
            },
          },
        });
      });
    },
    platformMachines: (namespace) => vmsOf(namespace).length,
    platformCreates: () => platform.state().creates.vms,
    platformTasks: () => platform.state().tasks.length,
    platformLogins: () => platform.state().logins.byUser[USER] ?? 0,
  };
}

it(`provisions ${SCALE.machines} DCS machines over ${Math.ceil(SCALE.machines / MACHINES_PER_CLUSTER)} clusters with at most ${MAX_WRITES_PER_MACHINE} API writes each to Ready and one DCS login for the shared credential, then deletes them all`, {
  timeout: 600_000 + SCALE.machines * 6_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  sim = await startDcsSimulator({
    faults: {
      taskSeconds: SCALE.taskSeconds,
      ...(SCALE.platformRps
        ? { rateLimit: { requestsPerSecond: SCALE.platformRps, burst: SCALE.platformRps } }
        : {}),
    },
  });
  const namespace = await createTestNamespace(kubeConfig, 'dcs-scale');
  const report = await runScale(
    kubeConfig,
    namespace,
    SCALE,
    dcsTarget(sim, KubernetesObjectApi.makeApiClient(kubeConfig)),
  );
  writeScaleReport(report);
  console.log(JSON.stringify(report));

  // One VM per machine, cloned once, none left after the delete.
  expect(report.platformMachinesAtReady).toBe(SCALE.machines);
  expect(report.platformCreates).toBe(SCALE.machines);
  expect(report.platformMachinesLeft).toBe(0);
  // Counts that do not depend on speed: our writes per machine, and the one shared account's logins.
  expect(report.kubePerMachineToReady.writes).toBeLessThanOrEqual(MAX_WRITES_PER_MACHINE);
  expect(report.logins).toBe(1);
});
