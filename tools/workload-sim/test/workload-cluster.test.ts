import { appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClusterApiControllers,
  eventually,
  startClusterApiControllers,
  startTestInfrastructureProvider,
  TEST_INFRASTRUCTURE_GROUP,
  type TestInfrastructureProvider,
} from '@immutable-infra/testkit';
import { anyTestFailed, createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { etcdCall } from '../src/etcd-member.js';
import { startWorkloadSimulator, type WorkloadSimulator } from '../src/simulator.js';
import { freeLoopbackEndpoint, workloadKubeConfig } from './loopback.js';

// biome-ignore lint/suspicious/noExplicitAny: the test reads deep paths of objects the controllers wrote.
type Loose = Record<string, any>;

const CAPI = 'cluster.x-k8s.io';
const INFRA_V = `${TEST_INFRASTRUCTURE_GROUP}/v1alpha1`;
let kubeConfig: KubeConfig;
let api: CustomObjectsApi;
let namespace: string;
let capi: ClusterApiControllers;
let infra: TestInfrastructureProvider;
let sim: WorkloadSimulator;
const simLog: string[] = [];

const create = (group: string, version: string, plural: string, body: object) =>
  api.createNamespacedCustomObject({ group, version, namespace, plural, body });
const get = async (group: string, version: string, plural: string, name: string) =>
  (await api.getNamespacedCustomObject({ group, version, namespace, plural, name })) as Loose;

const endpoint = await freeLoopbackEndpoint();
// Followed live while a run is slow: `tail -f` it.
const liveLog = join(tmpdir(), `workload-sim-test-${process.pid}.log`);

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  api = kubeConfig.makeApiClient(CustomObjectsApi);
  namespace = await createTestNamespace(kubeConfig, 'wsim');
  const assets = inject('iinfraEnvtestAssets');
  capi = await startClusterApiControllers(kubeConfig, {
    assets,
    kubeconfigPath: inject('iinfraKubeconfigPath'),
  });
  infra = startTestInfrastructureProvider(kubeConfig, {
    namespace,
    endpoint,
    machineAddress: (n) => endpoint.host.replace(/\.1$/, `.${10 + n}`),
  });
  sim = await startWorkloadSimulator({
    kubeConfig,
    assets,
    namespace,
    log: (line) => {
      simLog.push(line);
      appendFileSync(liveLog, `${new Date().toISOString()} ${line}\n`);
    },
  });
}, 240_000);

// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from its first parameter, which must be a pattern; the suite is the second
afterAll(async ({}, suite) => {
  await sim?.stop();
  await infra?.stop();
  await capi?.stop();
  // A passing run leaves no live log behind; a failing one keeps it for its diagnostics.
  if (!anyTestFailed(suite)) rmSync(liveLog, { force: true });
}, 120_000);

function diagnostics(): string {
  return `workload-sim:\n${simLog.slice(-30).join('\n')}\n${capi.logTails(40)}`;
}

it('brings a kubeadm cluster (3 control plane, 2 workers) to Ready with the real Cluster API controllers', async () => {
  const cluster = 'wl';
  await create(TEST_INFRASTRUCTURE_GROUP, 'v1alpha1', 'testclusters', {
    apiVersion: INFRA_V,
    kind: 'TestCluster',
    metadata: { name: cluster },
    spec: {},
  });
  for (const pool of ['cp', 'md']) {
    await create(TEST_INFRASTRUCTURE_GROUP, 'v1alpha1', 'testmachinetemplates', {
      apiVersion: INFRA_V,
      kind: 'TestMachineTemplate',
      metadata: { name: `${cluster}-${pool}` },
      spec: { template: { spec: {} } },
    });
  }
  await create('bootstrap.cluster.x-k8s.io', 'v1beta2', 'kubeadmconfigtemplates', {
    apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmConfigTemplate',
    metadata: { name: `${cluster}-md` },
    spec: { template: { spec: { format: 'ignition' } } },
  });
  await create(CAPI, 'v1beta2', 'clusters', {
    apiVersion: `${CAPI}/v1beta2`,
    kind: 'Cluster',
    metadata: { name: cluster },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['10.244.0.0/16'] } },
      controlPlaneRef: {
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: 'KubeadmControlPlane',
        name: `${cluster}-cp`,
      },
      infrastructureRef: { apiGroup: TEST_INFRASTRUCTURE_GROUP, kind: 'TestCluster', name: cluster },
    },
  });
  await create('controlplane.cluster.x-k8s.io', 'v1beta2', 'kubeadmcontrolplanes', {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmControlPlane',
    metadata: { name: `${cluster}-cp` },
    spec: {
      replicas: 3,
      version: 'v1.35.4',
      machineTemplate: {
        spec: {
          infrastructureRef: {
            apiGroup: TEST_INFRASTRUCTURE_GROUP,
            kind: 'TestMachineTemplate',
            name: `${cluster}-cp`,
          },
        },
      },
      kubeadmConfigSpec: { format: 'ignition' },
    },
  });
  await create(CAPI, 'v1beta2', 'machinedeployments', {
    apiVersion: `${CAPI}/v1beta2`,
    kind: 'MachineDeployment',
    metadata: { name: `${cluster}-md` },
    spec: {
      clusterName: cluster,
      replicas: 2,
      selector: { matchLabels: {} },
      template: {
        spec: {
          clusterName: cluster,
          version: 'v1.35.4',
          bootstrap: {
            configRef: {
              apiGroup: 'bootstrap.cluster.x-k8s.io',
              kind: 'KubeadmConfigTemplate',
              name: `${cluster}-md`,
            },
          },
          infrastructureRef: {
            apiGroup: TEST_INFRASTRUCTURE_GROUP,
            kind: 'TestMachineTemplate',
            name: `${cluster}-md`,
          },
        },
      },
    },
  });

  const isTrue = (object: Loose, type: string) =>
    (object.status?.conditions ?? []).some((c: Loose) => c.type === type && c.status === 'True');
  await eventually(
    'Cluster Available, KubeadmControlPlane 3/3, MachineDeployment 2/2',
    async () => {
      const c = await get(CAPI, 'v1beta2', 'clusters', cluster);
      const kcp = await get(
        'controlplane.cluster.x-k8s.io',
        'v1beta2',
        'kubeadmcontrolplanes',
        `${cluster}-cp`,
      );
      const md = await get(CAPI, 'v1beta2', 'machinedeployments', `${cluster}-md`);
      return (
        isTrue(c, 'Available') &&
        kcp.status?.readyReplicas === 3 &&
        kcp.status?.availableReplicas === 3 &&
        md.status?.readyReplicas === 2 &&
        md.status?.availableReplicas === 2
      );
    },
    600_000,
  ).catch((error) => {
    throw new Error(`${error}\n${diagnostics()}`);
  });

  // What the controllers saw came from a real workload API server and a real etcd cluster.
  const workload = await workloadKubeConfig(kubeConfig, namespace, cluster);
  const nodes = (await workload.makeApiClient(CoreV1Api).listNode()).items;
  expect(nodes).toHaveLength(5);
  expect(nodes.every((n) => n.spec?.providerID?.startsWith('test://'))).toBe(true);
  const secret = await kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace, name: `${cluster}-etcd` });
  const etcdCa = Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString();
  const etcdKey = Buffer.from(secret.data?.['tls.key'] ?? '', 'base64').toString();
  const { loadCertificateAuthority } = await import('@immutable-infra/testkit');
  const client = await (await loadCertificateAuthority(etcdCa, etcdKey)).issue({
    subject: 'CN=test',
    usage: 'client',
  });
  const cpNodes = nodes.filter(
    (n) => n.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined,
  );
  const firstIp = cpNodes[0]?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const members = await etcdCall<{ members: { name: string }[] }>(
    `https://${firstIp}:2379`,
    '/v3/cluster/member/list',
    {},
    { ...client, ca: etcdCa },
  );
  expect(members.members.map((m) => m.name).sort()).toEqual(cpNodes.map((n) => n.metadata?.name).sort());
}, 700_000);
