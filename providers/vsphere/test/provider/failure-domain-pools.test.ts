import type { Manager } from '@immutable-infra/manager';
import { captureLog, eventually, startTestIpamProvider } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VsphereFixtures } from './vsphere-fixtures.js';
import { startVsphereManager } from './vsphere-manager.js';

const USERNAME = 'svc-capv@example.local';
const PASSWORD = 'not-a-real-password';
const IPAM = 'ipam.cluster.x-k8s.io/v1beta2';
const FINALIZER = 'vspheremachine.infrastructure.cluster.x-k8s.io/ip-claim-protection';

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
let manager: Manager | undefined;
const managerLog = captureLog();

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  vcsim = await startVcsim({ documentedNames: true, username: USERNAME, password: PASSWORD });
});

afterAll(async () => {
  await manager?.stop();
  await vcsim?.stop();
});

type Condition = { type: string; status: string; reason?: string; message?: string };

describe("a failure domain's own addressesFromPools, against vcsim", { timeout: 300_000 }, () => {
  it('gives a machine of the domain whose NIC names no pool an address from the domain’s pool, and releases it on delete', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-fd-pools');
    manager = startVsphereManager({ kubeConfig, namespace, log: managerLog, listingLagMs: 2_000 });
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    const poolRef = { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'zone-a-nodes' };
    // The documented zone a, its NIC configured by networkConfigurations (with the pool) instead of networks.
    await fixtures.createZoneA([
      { networkName: 'pg-business', addressesFromPools: [poolRef], nameservers: ['10.40.0.2'] },
    ]);
    await fixtures.createCluster({ clusterSpec: { failureDomainSelector: {} } });
    const ipam = startTestIpamProvider(kubeConfig, {
      namespace,
      pools: {
        'zone-a-nodes': {
          kind: 'InClusterIPPool',
          first: '10.40.0.31',
          count: 5,
          prefix: 24,
          gateway: '10.40.0.1',
        },
      },
    });
    try {
      // A worker of zone a whose device names no pool: the zone's pool gives its address.
      await fixtures.createMachine(
        'fd-worker',
        'worker',
        {
          datacenter: 'dc-a',
          machineConfigPoolRef: undefined,
          network: { devices: [{ networkName: 'pg-business' }] },
        },
        `${namespace}-dz-a`,
      );
      const claim = await eventually('the IPAddressClaim on the zone’s pool', () =>
        fixtures.read<{ spec: { poolRef: unknown } }>('IPAddressClaim', 'fd-worker-0-0', IPAM),
      );
      expect(claim.spec.poolRef).toEqual(poolRef);
      const ready = await eventually(
        'the machine ready with the zone pool’s address',
        async () => {
          const m = await fixtures.read<{
            status?: {
              ready?: boolean;
              addresses?: unknown[];
              claimedAddresses?: unknown[];
              conditions?: Condition[];
            };
          }>('VSphereMachine', 'fd-worker');
          return m?.status?.ready ? m : undefined;
        },
        180_000,
      );
      expect(ready.status?.addresses).toContainEqual({ type: 'InternalIP', address: '10.40.0.31' });
      expect(ready.status?.claimedAddresses).toEqual([
        { claim: 'fd-worker-0-0', device: 0, address: '10.40.0.31', prefix: 24, gateway: '10.40.0.1' },
      ]);
      expect(ipam.answered).toEqual(['fd-worker-0-0']);

      // A NIC's own pool wins over the domain's: no claim on the zone's pool for it.
      await fixtures.createMachine(
        'fd-own',
        'worker',
        {
          datacenter: 'dc-a',
          machineConfigPoolRef: undefined,
          network: {
            devices: [
              {
                networkName: 'pg-business',
                addressesFromPools: [{ ...poolRef, name: 'own-nodes' }],
              },
            ],
          },
        },
        `${namespace}-dz-a`,
      );
      const own = await eventually('the own-pool claim', () =>
        fixtures.read<{ spec: { poolRef: { name: string } } }>('IPAddressClaim', 'fd-own-0-0', IPAM),
      );
      expect(own.spec.poolRef.name).toBe('own-nodes');

      // Deleting the first machine gives the zone pool's address back.
      await fixtures.deleteMachine('fd-worker');
      await eventually(
        'VSphereMachine gone',
        async () => (await fixtures.read('VSphereMachine', 'fd-worker')) === undefined,
      );
      expect(await fixtures.read('IPAddressClaim', 'fd-worker-0-0', IPAM)).toBeUndefined();
      await eventually(
        'the IPAddress released',
        async () => (await fixtures.read('IPAddress', 'fd-worker-0-0', IPAM)) === undefined,
      );
    } finally {
      await ipam.stop();
    }
  });

  it('leaves no IPAddressClaim when a machine with never-bound claims is deleted after its Machine and failure domain', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vs-fd-orphan');
    const own = startVsphereManager({ kubeConfig, namespace, log: managerLog, listingLagMs: 2_000 });
    try {
      const fixtures = new VsphereFixtures(objects, vcsim, namespace);
      // No IPAM provider answers this pool: the claim stays unbound, as with a provider that is down.
      const poolRef = { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'unanswered' };
      const zoneObjects = await fixtures.createZoneA([
        { networkName: 'pg-business', addressesFromPools: [poolRef] },
      ]);
      await fixtures.createCluster({ clusterSpec: { failureDomainSelector: {} } });
      await fixtures.createMachine(
        'fd-unbound',
        'worker',
        {
          datacenter: 'dc-a',
          machineConfigPoolRef: undefined,
          network: { devices: [{ networkName: 'pg-business' }] },
        },
        `${namespace}-dz-a`,
      );
      // The claim is recorded in status (saved before it was created) and exists, unbound.
      const recorded = await eventually('the claim recorded and waited for', async () => {
        const m = await fixtures.read<
          KubernetesObject & { status?: { addressClaims?: unknown[]; conditions?: Condition[] } }
        >('VSphereMachine', 'fd-unbound');
        const waiting = m?.status?.conditions?.some(
          (c) => c.type === 'IPAddressClaimed' && c.reason === 'WaitingForIPAddress',
        );
        return waiting ? m : undefined;
      });
      expect(recorded.status?.addressClaims).toEqual([{ claim: 'fd-unbound-0-0', device: 0, poolRef }]);
      const claim = await fixtures.read<KubernetesObject & { status?: { addressRef?: unknown } }>(
        'IPAddressClaim',
        'fd-unbound-0-0',
        IPAM,
      );
      expect(claim?.metadata?.finalizers).toContain(FINALIZER);
      expect(claim?.status?.addressRef).toBeUndefined();

      // A claim the machine made whose name never reached its status (a release before the record,
      // or a crash between a create and its record): found by its controller owner on delete.
      await objects.create({
        apiVersion: IPAM,
        kind: 'IPAddressClaim',
        metadata: {
          name: 'fd-unbound-stray',
          namespace,
          finalizers: [FINALIZER],
          ownerReferences: [
            {
              apiVersion: recorded.apiVersion as string,
              kind: 'VSphereMachine',
              name: 'fd-unbound',
              uid: recorded.metadata?.uid as string,
              controller: true,
            },
          ],
        },
        spec: { poolRef, clusterName: 'demo-cluster' },
      } as KubernetesObject);

      // The Machine goes first, then the failure domain. The test API server runs no garbage
      // collector, so the VSphereMachine stays, as with an orphaning delete.
      await objects.delete({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Machine',
        metadata: { name: 'fd-unbound', namespace },
      });
      await eventually(
        'Machine gone',
        async () => (await fixtures.read('Machine', 'fd-unbound', 'cluster.x-k8s.io/v1beta2')) === undefined,
      );
      for (const object of zoneObjects) await objects.delete(object);
      for (const object of zoneObjects)
        await eventually(
          `${object.kind} ${object.metadata?.name} gone`,
          async () =>
            (await objects
              .read({
                apiVersion: object.apiVersion as string,
                kind: object.kind as string,
                metadata: { name: object.metadata?.name as string },
              })
              .catch(() => undefined)) === undefined,
        );

      await objects.delete({
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'VSphereMachine',
        metadata: { name: 'fd-unbound', namespace },
      });
      await eventually(
        'VSphereMachine gone',
        async () => (await fixtures.read('VSphereMachine', 'fd-unbound')) === undefined,
        120_000,
      );
      await eventually('no IPAddressClaim left', async () => {
        const left = await objects.list(IPAM, 'IPAddressClaim', namespace);
        return left.items.length === 0;
      });
    } finally {
      await own.stop();
    }
  });
});
