import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { captureLog, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DcsClient, DcsSessionPool } from '../../src/cloud/index.js';
import { createDcsProvider } from '../../src/provider.js';
import { DcsFixtures, INFRA, isBootstrapIsoOf } from './dcs-fixtures.ts';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let sim: DcsSimulator;
let fixtures: DcsFixtures;
const managers = new Set<Manager>();
const managerLog = captureLog();

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  fixtures = new DcsFixtures(objects, sim.url);
});

afterAll(async () => {
  await Promise.all([...managers].map((manager) => manager.stop()));
  await sim?.close();
});

function startManager(namespace: string): Manager {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createDcsProvider({ sessions: { timeoutMs: 5_000 } })],
    log: createLogger({ level: 'debug', destination: managerLog.destination }),
  });
  managers.add(manager);
  void manager.start();
  return manager;
}

async function stopManager(manager: Manager): Promise<void> {
  managers.delete(manager);
  await manager.stop();
}

const ready = (namespace: string, name: string) =>
  eventually(`DCSMachine ${namespace}/${name} ready`, async () => {
    const m = await fixtures.read<{ metadata: { uid: string }; status?: { ready?: boolean } }>(
      'DCSMachine',
      namespace,
      name,
    );
    return m?.status?.ready ? m : undefined;
  });

const gone = (namespace: string, name: string) =>
  eventually(
    `DCSMachine ${namespace}/${name} gone`,
    async () => (await fixtures.read('DCSMachine', namespace, name)) === undefined,
  );

const uploadsNamed = (fileName: string) => sim.state().uploads.filter((u) => u.fileName === fileName);

it("deletes a machine's own bootstrap ISO only: a machine of the same name keeps its ISO, and an ISO an earlier release named by name only goes just when the machine's status recorded it", async () => {
  // Two clusters on one DCS site, each with a DCSMachine `twin-1` (a name a MachineDeployment or a
  // user re-applying a manifest uses again), and `old-1`, a machine an earlier release set up.
  const first = await createTestNamespace(kubeConfig, 'dcs-twin-a');
  const second = await createTestNamespace(kubeConfig, 'dcs-twin-b');
  let firstManager = startManager(first);
  startManager(second);
  await fixtures.createCluster(first, 'Huawei@123');
  await fixtures.createCluster(second, 'Huawei@123');
  await fixtures.createMachine(first, 'twin-1');
  await fixtures.createMachine(first, 'old-1');
  await fixtures.createMachine(second, 'twin-1');
  const twinA = await ready(first, 'twin-1');
  const twinB = await ready(second, 'twin-1');
  const old = await ready(first, 'old-1');
  // Each machine has an ISO of its own, named with its UID.
  expect(uploadsNamed(`twin-1-${twinA.metadata.uid}-bootstrap.iso`)).toHaveLength(1);
  expect(uploadsNamed(`twin-1-${twinB.metadata.uid}-bootstrap.iso`)).toHaveLength(1);

  // ISOs an earlier release named by the machine's name only: `old-1`'s own (recorded in its status,
  // as that release recorded the file it attached) and a `twin-1` ISO recorded by no machine here.
  const sessions = new DcsSessionPool();
  const client = new DcsClient(
    sessions.session({ endpoint: sim.url, user: 'cluster-api', key: 'Huawei@123' }),
  );
  const datastore = await client.resolveDatastore('datastore-nas-01');
  const legacyOld = await client.uploadIso(datastore.urn, 'old-1-bootstrap.iso', new Uint8Array(2048));
  await client.uploadIso(datastore.urn, 'twin-1-bootstrap.iso', new Uint8Array(2048));
  await sessions.closeAll();
  // Written with the manager stopped, so no reconcile in flight writes its own copy over it.
  await stopManager(firstManager);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = {
    group: 'infrastructure.cluster.x-k8s.io',
    version: 'v1beta1',
    namespace: first,
    plural: 'dcsmachines',
    name: 'old-1',
  };
  const current = (await custom.getNamespacedCustomObject(target)) as { status?: Record<string, unknown> };
  const status = {
    ...current.status,
    cdRomFile: legacyOld.filePath,
    cdRomDatastoreUrn: legacyOld.datastoreUrn,
  };
  await custom.replaceNamespacedCustomObjectStatus({ ...target, body: { ...current, status } });
  firstManager = startManager(first);

  await objects.delete({
    apiVersion: INFRA,
    kind: 'DCSMachine',
    metadata: { name: 'twin-1', namespace: first },
  });
  await objects.delete({
    apiVersion: INFRA,
    kind: 'DCSMachine',
    metadata: { name: 'old-1', namespace: first },
  });
  await gone(first, 'twin-1');
  await gone(first, 'old-1');

  expect(uploadsNamed(`twin-1-${twinA.metadata.uid}-bootstrap.iso`)).toEqual([]);
  expect(uploadsNamed(`old-1-${old.metadata.uid}-bootstrap.iso`)).toEqual([]);
  expect(uploadsNamed('old-1-bootstrap.iso')).toEqual([]);
  // The other `twin-1` machines' ISOs are left alone.
  expect(uploadsNamed(`twin-1-${twinB.metadata.uid}-bootstrap.iso`)).toHaveLength(1);
  expect(uploadsNamed('twin-1-bootstrap.iso')).toHaveLength(1);
  expect(sim.state().uploads.filter((u) => isBootstrapIsoOf('twin-1', u.fileName))).toHaveLength(1);
}, 240_000);
