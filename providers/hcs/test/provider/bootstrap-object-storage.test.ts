import { request as httpRequest } from 'node:http';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHcsProvider } from '../../src/provider.js';
import { simLookup } from '../cloud/simulator.js';
import { HcsFixtures } from './hcs-fixtures.ts';

const BUCKET = 'iinfra-bootstrap';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let custom: CustomObjectsApi;
let sim: HcsSimulator;
let fixtures: HcsFixtures;
const managers: Manager[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  sim = await startHcsSimulator({ faults: { jobSeconds: 0.05 } });
  fixtures = new HcsFixtures(objects, sim);
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
});

afterAll(async () => {
  await sim?.close();
});

function startManager(namespace: string): Manager {
  const manager = new Manager({
    kubeConfig,
    namespace,
    // hcs-sim lists what it created at once (no createLag fault here).
    providers: [createHcsProvider({ http: { lookup: simLookup(), timeoutMs: 1_500 }, listingLagMs: 2_000 })],
    log: createLogger({ level: 'error' }),
  });
  managers.push(manager);
  void manager.start();
  return manager;
}

type BootstrapObjectStatus = { bucket: string; key: string; writtenAt?: string; deletedAt?: string };
type HcsMachine = {
  metadata: { uid: string };
  status?: { ready?: boolean; serverId?: string; bootstrapObject?: BootstrapObjectStatus };
};

const machineOf = (namespace: string, name: string) =>
  fixtures.read<HcsMachine>('HCSMachine', namespace, name);
const objectKeys = () => sim.state().objects.map((o) => `${o.bucket}/${o.key}`);

/** What a booting node's cloud-init does with an `#include` line: one GET of the URL. */
function fetchIncluded(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { lookup: simLookup() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

function userDataOf(serverId: string | undefined): string {
  const server = sim.state().servers.find((s) => s.id === serverId);
  return Buffer.from(server?.['OS-EXT-SRV-ATTR:user_data'] ?? '', 'base64').toString();
}

/** Cluster API's machine controller sets this once the node has registered. */
async function setNodeRef(namespace: string, name: string): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus(
    {
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace,
      plural: 'machines',
      name,
      body: { status: { nodeRef: { name } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function everythingAbout(namespace: string): Promise<string> {
  const events = (await objects.list('v1', 'Event', namespace)).items;
  const machines = (await objects.list('infrastructure.cluster.x-k8s.io/v1beta1', 'HCSMachine', namespace))
    .items;
  return JSON.stringify({ events, machines });
}

describe('bootstrap data in OBS (HCSCluster spec.bootstrapObjectStorage)', () => {
  it('gives the server only an #include of a pre-signed URL, keeps the data in OBS until the node registers, then deletes it', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-obs');
    await fixtures.createCluster(namespace, {
      hostPrefix: 'obs1',
      ipBase: 110,
      bootstrapObjectStorage: { bucket: BUCKET },
    });
    await fixtures.createMachine(namespace, 'cp-0');
    startManager(namespace);
    const ready = await eventually(
      'cp-0 ready',
      async () => {
        const machine = await machineOf(namespace, 'cp-0');
        return machine?.status?.ready ? machine : undefined;
      },
      120_000,
    );

    // What anyone reading the server through the ECS API gets: no key, no token, no configuration.
    const userData = userDataOf(ready.status?.serverId);
    const [first, url = '', ...rest] = userData.split('\n');
    expect(first).toBe('#include');
    expect(rest.join('')).toBe('');
    expect(userData).not.toMatch(/PRIVATE KEY|kubeadm|EncryptionConfiguration|aescbc|secret/i);
    const included = new URL(url);
    expect(included.host).toBe(`${BUCKET}.obs.${sim.region}.hcs.test:${new URL(sim.url).port}`);
    expect([...included.searchParams.keys()].sort()).toEqual(['AccessKeyId', 'Expires', 'Signature']);
    expect(Number(included.searchParams.get('Expires')) * 1000 - Date.now()).toBeLessThanOrEqual(1800_000);

    // Before the node has registered the object is there, and the URL gives the whole cloud-config.
    const key = `iinfra-bootstrap/${namespace}/cp-0/${ready.metadata.uid}/user-data`;
    expect(ready.status?.bootstrapObject).toMatchObject({ bucket: BUCKET, key });
    expect(ready.status?.bootstrapObject?.deletedAt).toBeUndefined();
    expect(objectKeys()).toContain(`${BUCKET}/${key}`);
    const fetched = await fetchIncluded(url);
    expect(fetched.status).toBe(200);
    expect(fetched.text).toContain('#cloud-config');
    expect(fetched.text).toContain('BEGIN PRIVATE KEY');
    expect(fetched.text).toContain(`provider-id: hcs://cp-0`);
    expect(fetched.text).toContain('kubeadm join');

    // Neither the URL nor its signature is in status or Events.
    const shown = await everythingAbout(namespace);
    expect(shown).not.toContain(included.searchParams.get('Signature') ?? 'none');
    expect(shown).not.toContain('AccessKeyId=');

    await setNodeRef(namespace, 'cp-0');
    const joined = await eventually(
      'the bootstrap object deleted once the node registered',
      async () => {
        const machine = await machineOf(namespace, 'cp-0');
        return machine?.status?.bootstrapObject?.deletedAt ? machine : undefined;
      },
      60_000,
    );
    expect(joined.status?.bootstrapObject?.key).toBe(key);
    expect(objectKeys()).not.toContain(`${BUCKET}/${key}`);
    expect((await fetchIncluded(url)).status).toBe(404);
    expect(sim.state().changes.filter((c) => c.operation === 'obs.deleteObject')).toHaveLength(1);
  }, 180_000);

  it('deletes the object when the machine is deleted before its node registered', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-obs');
    await fixtures.createCluster(namespace, {
      hostPrefix: 'obs2',
      ipBase: 120,
      bootstrapObjectStorage: { bucket: BUCKET },
    });
    await fixtures.createMachine(namespace, 'cp-0');
    startManager(namespace);
    const ready = await eventually(
      'cp-0 ready',
      async () => {
        const machine = await machineOf(namespace, 'cp-0');
        return machine?.status?.ready ? machine : undefined;
      },
      120_000,
    );
    const key = ready.status?.bootstrapObject?.key ?? 'none';
    expect(objectKeys()).toContain(`${BUCKET}/${key}`);
    await fixtures.delete('HCSMachine', namespace, 'cp-0');
    await eventually(
      'cp-0 gone',
      async () => ((await machineOf(namespace, 'cp-0')) ? undefined : true),
      60_000,
    );
    expect(objectKeys()).not.toContain(`${BUCKET}/${key}`);
    expect(sim.state().servers.find((s) => s.id === ready.status?.serverId)).toBeUndefined();
  }, 180_000);

  it('leaves no orphan after a reconcile that stopped between the write and the server create, whether the next one completes or the machine is deleted', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-obs');
    await fixtures.createCluster(namespace, {
      hostPrefix: 'obs3',
      ipBase: 130,
      bootstrapObjectStorage: { bucket: BUCKET },
    });
    await fixtures.createMachine(namespace, 'cp-0');
    await fixtures.createMachine(namespace, 'cp-1');
    const writes = sim.state().objectWrites;
    // ECS refuses every create, so each reconcile stops right after the object was written.
    sim.setFaults({
      jobSeconds: 0.05,
      operationErrors: [{ operation: 'ecs.createServers', status: 500, code: 'Ecs.0000', message: 'down' }],
    });
    const manager = startManager(namespace);
    const keys = await eventually(
      'both objects written',
      async () => {
        const machines = await Promise.all(['cp-0', 'cp-1'].map((name) => machineOf(namespace, name)));
        const written = ['cp-0', 'cp-1'].map(
          (name, i) => `${BUCKET}/iinfra-bootstrap/${namespace}/${name}/${machines[i]?.metadata.uid}/`,
        );
        return written.every((prefix) => objectKeys().some((k) => k.startsWith(prefix)))
          ? written
          : undefined;
      },
      60_000,
    );
    await manager.stop();
    managers.splice(managers.indexOf(manager), 1);
    expect(sim.state().servers.filter((s) => s.name.startsWith('obs3'))).toEqual([]);
    // A killed process never wrote the status that recorded the object.
    for (const name of ['cp-0', 'cp-1'])
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: 'infrastructure.cluster.x-k8s.io',
          version: 'v1beta1',
          namespace,
          plural: 'hcsmachines',
          name,
          // A merge patch, so it holds whether or not the stopped manager got to record the object.
          body: { status: { bootstrapObject: null } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    sim.setFaults({ jobSeconds: 0.05 });

    startManager(namespace);
    // cp-0: the next reconcile completes, finds its object (no second write), and the join deletes it.
    const ready = await eventually(
      'cp-0 ready',
      async () => {
        const machine = await machineOf(namespace, 'cp-0');
        return machine?.status?.ready ? machine : undefined;
      },
      120_000,
    );
    expect(userDataOf(ready.status?.serverId).startsWith('#include\n')).toBe(true);
    await setNodeRef(namespace, 'cp-0');
    // cp-1: deleted before any server existed.
    await fixtures.delete('HCSMachine', namespace, 'cp-1');
    await eventually(
      'no object of either machine left',
      async () =>
        keys.every((prefix) => !objectKeys().some((k) => k.startsWith(prefix))) ? true : undefined,
      60_000,
    );
    await eventually(
      'cp-1 gone',
      async () => ((await machineOf(namespace, 'cp-1')) ? undefined : true),
      60_000,
    );
    // Each machine's object was written once: the lookup found what the stopped reconcile wrote.
    expect(sim.state().objectWrites - writes).toBe(2);
  }, 180_000);

  it('without the field, the server keeps the whole cloud-config as user data and nothing goes to OBS', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'hcs-obs');
    sim.setFaults({ jobSeconds: 0.05 });
    await fixtures.createCluster(namespace, { hostPrefix: 'obs4', ipBase: 140 });
    await fixtures.createMachine(namespace, 'cp-0');
    const writes = sim.state().objectWrites;
    startManager(namespace);
    const ready = await eventually(
      'cp-0 ready',
      async () => {
        const machine = await machineOf(namespace, 'cp-0');
        return machine?.status?.ready ? machine : undefined;
      },
      120_000,
    );
    expect(userDataOf(ready.status?.serverId)).toContain('BEGIN PRIVATE KEY');
    expect(ready.status?.bootstrapObject).toBeUndefined();
    expect(sim.state().objectWrites).toBe(writes);
  }, 180_000);
});
