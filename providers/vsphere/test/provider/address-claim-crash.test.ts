import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IPAddressClaim } from '@immutable-infra/core';
import { eventually, exited, spawnManagerProcess, startTestIpamProvider } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { Vcsim } from '@immutable-infra/vcsim';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CLUSTER, INFRA, startDocumentedVcsim, VsphereFixtures } from './vsphere-fixtures.js';

/**
 * The machine's IPAddressClaims are recorded in its status before any is created. A manager process
 * SIGKILLed between the two (seen from outside: by a watch of the VSphereMachine, never by a hook in
 * the provider) must leave, once restarted, exactly one claim per NIC owned by the machine, and none
 * after the machine is deleted, also when it is deleted while no manager runs.
 */

const provider = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const IPAM = 'ipam.cluster.x-k8s.io/v1beta2';
/** The object-count quota of IPAddressClaims, which the API server's quota admission enforces. */
const CLAIM_COUNT = 'count/ipaddressclaims.ipam.cluster.x-k8s.io';
const POOLS = {
  'crash-business': {
    kind: 'InClusterIPPool',
    first: '10.50.0.11',
    count: 20,
    prefix: 24,
    gateway: '10.50.0.1',
  },
  'crash-storage': { kind: 'InClusterIPPool', first: '10.60.0.11', count: 20, prefix: 24 },
};
/** Both NICs of the documented zone a, each with a pool: two claims per machine, made one after the other. */
const NETWORK_CONFIGURATIONS = [
  {
    networkName: 'pg-business',
    addressesFromPools: [
      { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'crash-business' },
    ],
  },
  {
    networkName: 'pg-storage',
    addressesFromPools: [
      { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'crash-storage' },
    ],
  },
];
const DEVICES = NETWORK_CONFIGURATIONS.length;
/** Attempts at killing the manager within the window without holding the create, and how many hits are enough. */
const RACE_ATTEMPTS = 6;
const RACE_HITS_WANTED = 2;

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
let running: ChildProcess | undefined;
/** The last lines the manager processes printed, shown when a test fails. */
const managerOutput: string[] = [];

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  vcsim = await startDocumentedVcsim();
});

beforeEach(({ onTestFailed }) => {
  managerOutput.length = 0;
  onTestFailed(() => console.log(managerOutput.join('')));
});

afterEach(async () => {
  await stopManager();
});

afterAll(async () => {
  await vcsim?.stop();
});

/** `iinfra manager` with the built provider, as production runs it: one process, to be SIGKILLed. */
function startManager(namespace: string): ChildProcess {
  const child = spawnManagerProcess({
    provider,
    kubeconfigPath: inject('iinfraKubeconfigPath'),
    namespace,
  });
  // Drained, so the manager never blocks on a full pipe; the tail is kept for a failure's report.
  child.stderr?.on('data', (chunk: Buffer) => {
    managerOutput.push(chunk.toString());
    if (managerOutput.length > 200) managerOutput.shift();
  });
  running = child;
  return child;
}

async function stopManager(): Promise<void> {
  const child = running;
  running = undefined;
  if (!child) return;
  child.kill('SIGKILL');
  await exited(child);
}

type Machine = KubernetesObject & {
  status?: {
    addressClaims?: { claim: string; device: number }[];
    ready?: boolean;
    claimedAddresses?: unknown[];
  };
};

/**
 * Starts a manager and SIGKILLs it the moment a watch of the VSphereMachine sees `status.addressClaims`;
 * resolves, once it is dead, with the names of the machine's IPAddressClaims that exist then.
 */
async function killWhenRecorded(namespace: string, machine: string): Promise<string[]> {
  let child: ChildProcess | undefined;
  let seen: () => void = () => undefined;
  const recorded = new Promise<void>((resolve) => {
    seen = resolve;
  });
  const watch = await new Watch(kubeConfig).watch(
    `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${namespace}/vspheremachines`,
    { fieldSelector: `metadata.name=${machine}` },
    (_phase, object: Machine) => {
      if (!object.status?.addressClaims?.length) return;
      child?.kill('SIGKILL');
      seen();
    },
    () => undefined,
  );
  try {
    child = startManager(namespace);
    const first = await Promise.race([
      recorded.then(() => 'recorded' as const),
      exited(child).then(() => 'exited' as const),
    ]);
    if (first === 'exited') throw new Error(`the manager exited before ${machine} recorded its claims`);
    await stopManager();
  } finally {
    watch.abort();
  }
  return claimsOf(namespace, machine);
}

async function claimsOf(namespace: string, machine: string): Promise<string[]> {
  const claims = (await objects.list(IPAM, 'IPAddressClaim', namespace)).items as unknown as IPAddressClaim[];
  return claims
    .map((c) => c.metadata.name)
    .filter((name) => name.startsWith(`${machine}-`))
    .sort();
}

/** Every claim of the machine, with the uid of its controller. */
async function claimOwners(namespace: string, machine: string): Promise<Record<string, string | undefined>> {
  const claims = (await objects.list(IPAM, 'IPAddressClaim', namespace)).items as unknown as IPAddressClaim[];
  return Object.fromEntries(
    claims
      .filter((c) => c.metadata.name.startsWith(`${machine}-`))
      .map((c) => [
        c.metadata.name,
        c.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'VSphereMachine')?.uid,
      ]),
  );
}

const expectedClaims = (machine: string) =>
  Array.from({ length: DEVICES }, (_, device) => `${machine}-${device}-0`);

/** A namespace with the documented cluster spread over zone a, whose two NICs take addresses from pools. */
async function setUp(prefix: string) {
  const namespace = await createTestNamespace(kubeConfig, prefix);
  const fixtures = new VsphereFixtures(objects, vcsim, namespace);
  await fixtures.createZoneA(NETWORK_CONFIGURATIONS);
  await fixtures.createCluster({ clusterSpec: { failureDomainSelector: {} } });
  const createMachine = (name: string) =>
    fixtures.createMachine(
      name,
      'worker',
      {
        datacenter: 'dc-a',
        machineConfigPoolRef: undefined,
        network: { devices: NETWORK_CONFIGURATIONS.map((c) => ({ networkName: c.networkName })) },
        // vcsim's guest never shuts down on request: a soft power-off would only wait for its timeout.
        powerOffMode: 'hard',
      },
      `${namespace}-dz-a`,
    );
  const machineUid = async (name: string) =>
    (await fixtures.read<Machine>('VSphereMachine', name))?.metadata?.uid;
  return { namespace, fixtures, createMachine, machineUid };
}

describe('a manager SIGKILLed between recording the IPAddressClaims and creating them', {
  timeout: 300_000,
}, () => {
  it('creates each claim once after the restart, owned by the machine, and gives every address back on delete', async () => {
    const t = await setUp('vs-claim-held');
    // The API server refuses every IPAddressClaim while this quota is there, which holds the manager
    // between the record and the create for as long as it takes to see the record and kill it.
    const quota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'no-address-claims', namespace: t.namespace },
      spec: { hard: { [CLAIM_COUNT]: '0' } },
    };
    const made = await objects.create(quota);
    // Quota admission enforces what the quota's status says; the test API server runs no quota
    // controller to write it, so the test does.
    await kubeConfig.makeApiClient(CoreV1Api).replaceNamespacedResourceQuotaStatus({
      name: quota.metadata.name,
      namespace: t.namespace,
      body: { ...made, status: { hard: { [CLAIM_COUNT]: '0' }, used: { [CLAIM_COUNT]: '0' } } },
    });
    // The hold is real: once quota admission has read the status, a claim of the test's own is refused.
    const probe = {
      apiVersion: IPAM,
      kind: 'IPAddressClaim',
      metadata: { name: 'quota-probe', namespace: t.namespace },
      spec: { poolRef: NETWORK_CONFIGURATIONS[0]?.addressesFromPools[0], clusterName: CLUSTER },
    };
    await eventually('IPAddressClaims refused', async () => {
      const refusal = await objects.create(probe).then(
        async () => {
          await objects.delete(probe);
          return undefined;
        },
        (error: unknown) => String(error),
      );
      if (refusal !== undefined && !/exceeded quota/.test(refusal)) throw new Error(refusal);
      return refusal !== undefined;
    });
    await t.createMachine('held');
    expect(await killWhenRecorded(t.namespace, 'held')).toEqual([]);
    const recorded = await t.fixtures.read<Machine>('VSphereMachine', 'held');
    expect(recorded?.status?.addressClaims?.map((c) => c.claim)).toEqual(expectedClaims('held'));

    await objects.delete(quota);
    const ipam = startTestIpamProvider(kubeConfig, { namespace: t.namespace, pools: POOLS });
    try {
      startManager(t.namespace);
      const ready = await eventually(
        'the machine ready with one address per NIC',
        async () => {
          const m = await t.fixtures.read<Machine>('VSphereMachine', 'held');
          return m?.status?.ready ? m : undefined;
        },
        180_000,
      );
      const uid = ready.metadata?.uid;
      expect(await claimOwners(t.namespace, 'held')).toEqual(
        Object.fromEntries(expectedClaims('held').map((claim) => [claim, uid])),
      );
      // Each claim was answered once: no address was asked for twice.
      expect([...ipam.answered].sort()).toEqual(expectedClaims('held'));
      expect(ready.status?.claimedAddresses).toEqual([
        { claim: 'held-0-0', device: 0, address: '10.50.0.11', prefix: 24, gateway: '10.50.0.1' },
        { claim: 'held-1-0', device: 1, address: '10.60.0.11', prefix: 24 },
      ]);

      await t.fixtures.deleteMachine('held');
      await eventually(
        'VSphereMachine gone',
        async () => (await t.fixtures.read('VSphereMachine', 'held')) === undefined,
        120_000,
      );
      expect(await claimsOf(t.namespace, 'held')).toEqual([]);
      await eventually(
        'both addresses given back',
        async () => (await objects.list(IPAM, 'IPAddress', t.namespace)).items.length === 0,
      );
    } finally {
      await ipam.stop();
    }
  });

  it('leaves one claim per NIC or, once the machine is deleted, none, wherever a kill on seeing the record lands', async () => {
    const t = await setUp('vs-claim-race');
    // No quota: the kill races the creates, and lands before both, between them or after them. No
    // IPAM provider either: the claims stay unbound, which is all the invariant needs.
    const landed: number[] = [];
    for (let attempt = 1; attempt <= RACE_ATTEMPTS; attempt++) {
      const hits = landed.filter((made) => made < DEVICES).length;
      if (hits >= RACE_HITS_WANTED) break;
      const machine = `race-${attempt}`;
      await t.createMachine(machine);
      const atKill = await killWhenRecorded(t.namespace, machine);
      landed.push(atKill.length);
      // Whatever exists was made by the machine, under the recorded names.
      const uid = await t.machineUid(machine);
      expect(Object.values(await claimOwners(t.namespace, machine)).every((owner) => owner === uid)).toBe(
        true,
      );
      expect(expectedClaims(machine)).toEqual(expect.arrayContaining(atKill));

      // Every other machine is deleted while no manager runs: the restarted one knows its claims only
      // from the record (and its ownership), never from having made them.
      const deletedWhileDown = attempt % 2 === 0;
      if (deletedWhileDown) await t.fixtures.deleteMachine(machine);
      startManager(t.namespace);
      if (!deletedWhileDown) {
        await eventually('one claim per NIC after the restart', async () =>
          JSON.stringify(await claimsOf(t.namespace, machine)) === JSON.stringify(expectedClaims(machine))
            ? true
            : undefined,
        );
        expect(await claimOwners(t.namespace, machine)).toEqual(
          Object.fromEntries(expectedClaims(machine).map((claim) => [claim, uid])),
        );
        await t.fixtures.deleteMachine(machine);
      }
      await eventually(
        `${machine} gone`,
        async () => (await t.fixtures.read('VSphereMachine', machine)) === undefined,
        120_000,
      );
      expect(await claimsOf(t.namespace, machine)).toEqual([]);
      await stopManager();
    }
    // How many claims existed at each kill (0 or 1: within the window); for the record, not asserted,
    // as where a kill lands depends on speed. The first test holds the window open for certain.
    console.log(`address-claim crash: claims made at each kill ${JSON.stringify(landed)} of ${DEVICES}`);
    expect((await objects.list(IPAM, 'IPAddressClaim', t.namespace)).items).toEqual([]);
    expect((await objects.list(INFRA, 'VSphereMachine', t.namespace)).items).toEqual([]);
  });
});
