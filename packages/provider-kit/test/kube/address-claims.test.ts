import type { KubeClient } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addressClaimRequests,
  claimAddresses,
  IPAM_API_VERSION,
  ownedAddressClaims,
  recordAddressClaims,
  releaseAddressClaims,
} from '../../src/index.js';
import { customObjectClient } from './custom-object-client.js';

const FINALIZER = 'kit.test/ip-claim-protection';
const POOL = { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' };

type Claim = {
  metadata: {
    resourceVersion?: string;
    finalizers?: string[];
    ownerReferences?: { uid: string; controller?: boolean }[];
  };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
};

describe('IPAM address claims on the real API server', () => {
  let kube: KubeClient;
  let namespace: string;
  const owner = (name: string, uid: string) => ({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'KitMachine',
    name,
    namespace,
    uid,
    clusterName: 'c1',
  });
  const ref = (kind: 'IPAddressClaim' | 'IPAddress', name: string) => ({
    apiVersion: IPAM_API_VERSION,
    kind,
    namespace,
    name,
  });
  /** What an IPAM provider does: an IPAddress for the claim, and the claim's addressRef. */
  const answer = async (claim: string, address: string, gateway?: string) => {
    await kube.create({
      ...ref('IPAddress', claim),
      metadata: { name: claim, namespace },
      spec: {
        claimRef: { name: claim },
        poolRef: POOL,
        address,
        prefix: 24,
        ...(gateway ? { gateway } : {}),
      },
    });
    await kube.patchStatus(ref('IPAddressClaim', claim), { status: { addressRef: { name: claim } } });
  };

  beforeAll(async () => {
    kube = customObjectClient(testKubeConfig(), (kind) =>
      kind === 'IPAddress' ? 'ipaddresses' : 'ipaddressclaims',
    );
    namespace = await createTestNamespace(testKubeConfig(), 'ip-claims');
  });

  it('names a claim per pool of each NIC as CAPV does', () => {
    expect(
      addressClaimRequests('m1', [
        { addressesFromPools: [POOL, { kind: 'InClusterIPPool', name: 'v6' }] },
        {},
        { addressesFromPools: [POOL] },
      ]).map((r) => [r.claim, r.device]),
    ).toEqual([
      ['m1-0-0', 0],
      ['m1-0-1', 0],
      ['m1-2-0', 2],
    ]);
  });

  it("takes a failure domain's pools for a NIC naming none of its own, and only for such a NIC", () => {
    const domain = { kind: 'InClusterIPPool', name: 'zone-a' };
    expect(
      addressClaimRequests('m1', [{ addressesFromPools: [POOL] }, {}, {}], [[domain], [domain]]).map((r) => [
        r.claim,
        r.device,
        r.poolRef.name,
      ]),
    ).toEqual([
      ['m1-0-0', 0, POOL.name],
      ['m1-1-0', 1, 'zone-a'],
    ]);
  });

  it('makes each claim once, waits for the IPAM provider, and is bound when every claim has its address', async () => {
    const requests = addressClaimRequests('m1', [
      { addressesFromPools: [POOL, { kind: 'InClusterIPPool', name: 'v6' }] },
    ]);
    const first = await claimAddresses(kube, owner('m1', 'uid-1'), requests, FINALIZER);
    expect(first).toEqual({
      type: 'waiting',
      reason: 'IPAddressClaimsBeingCreated',
      message: '2/2 IPAddressClaims being created',
      claim: 'm1-0-0',
    });
    const made = (await kube.get<Claim>(ref('IPAddressClaim', 'm1-0-1'))) as Claim;
    // A pool reference without a group gets the in-cluster provider's (v1beta2 needs one).
    expect(made.spec).toEqual({
      poolRef: { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'v6' },
      clusterName: 'c1',
    });
    expect(made.metadata.finalizers).toEqual([FINALIZER]);
    expect(made.metadata.ownerReferences).toEqual([
      expect.objectContaining({ uid: 'uid-1', controller: true }),
    ]);

    // A second call (as after a crash) makes nothing new; the pool's trouble shows in the message.
    await kube.patchStatus(ref('IPAddressClaim', 'm1-0-1'), {
      status: {
        conditions: [{ type: 'Ready', status: 'False', reason: 'PoolExhausted', message: 'pool v6 is full' }],
      },
    });
    await answer('m1-0-0', '10.0.0.5', '10.0.0.1');
    expect(await claimAddresses(kube, owner('m1', 'uid-1'), requests, FINALIZER)).toEqual({
      type: 'waiting',
      reason: 'WaitingForIPAddress',
      message: '1/2 IPAddressClaims waiting for an address (m1-0-1: pool v6 is full)',
      claim: 'm1-0-1',
    });

    await answer('m1-0-1', 'fd00::5');
    // Strictly: an address without a gateway has no gateway key, which the API server would not keep.
    expect(await claimAddresses(kube, owner('m1', 'uid-1'), requests, FINALIZER)).toStrictEqual({
      type: 'bound',
      addresses: [
        { claim: 'm1-0-0', device: 0, address: '10.0.0.5', prefix: 24, gateway: '10.0.0.1' },
        { claim: 'm1-0-1', device: 0, address: 'fd00::5', prefix: 24 },
      ],
    });
  });

  it("puts a removed finalizer back, waits for an earlier machine's claim of the same name, and releases only its own", async () => {
    const requests = addressClaimRequests('m2', [{ addressesFromPools: [POOL] }]);
    await claimAddresses(kube, owner('m2', 'uid-old'), requests, FINALIZER);
    await answer('m2-0-0', '10.0.0.6');
    const claim = (await kube.get<Claim>(ref('IPAddressClaim', 'm2-0-0'))) as Claim;
    await kube.patch(ref('IPAddressClaim', 'm2-0-0'), {
      metadata: { resourceVersion: claim.metadata.resourceVersion, finalizers: [] },
    });
    expect((await claimAddresses(kube, owner('m2', 'uid-old'), requests, FINALIZER)).type).toBe('bound');
    expect((await kube.get<Claim>(ref('IPAddressClaim', 'm2-0-0')))?.metadata.finalizers).toEqual([
      FINALIZER,
    ]);

    // A new machine of the same name waits while the old one's claim is still held, and cannot free it.
    expect(await claimAddresses(kube, owner('m2', 'uid-new'), requests, FINALIZER)).toMatchObject({
      type: 'waiting',
      reason: 'WaitingForIPAddress',
      message: expect.stringContaining('m2-0-0: still held by an earlier machine of the same name'),
    });
    await releaseAddressClaims(kube, { namespace, uid: 'uid-new' }, ['m2-0-0'], FINALIZER);
    expect(await kube.get(ref('IPAddressClaim', 'm2-0-0'))).toBeDefined();

    // Its owner releases it: finalizer off and deleted; releasing again is a no-op.
    await releaseAddressClaims(kube, { namespace, uid: 'uid-old' }, ['m2-0-0'], FINALIZER);
    expect(await kube.get(ref('IPAddressClaim', 'm2-0-0'))).toBeUndefined();
    await releaseAddressClaims(kube, { namespace, uid: 'uid-old' }, ['m2-0-0'], FINALIZER);
    // Now the new machine's claim is made.
    expect((await claimAddresses(kube, owner('m2', 'uid-new'), requests, FINALIZER)).type).toBe('waiting');
    expect((await kube.get<Claim>(ref('IPAddressClaim', 'm2-0-0')))?.metadata.ownerReferences?.[0]?.uid).toBe(
      'uid-new',
    );
  });

  it('records only requests not yet recorded, so a status is written before a create only when it grew', () => {
    const requests = addressClaimRequests('m4', [{ addressesFromPools: [POOL, POOL] }]);
    const first = recordAddressClaims(undefined, requests.slice(0, 1));
    expect(first?.map((r) => r.claim)).toEqual(['m4-0-0']);
    expect(recordAddressClaims(first, requests.slice(0, 1))).toBeUndefined();
    // A record is never dropped: a claim once asked for stays to be released, even when no longer requested.
    expect(recordAddressClaims(first, requests.slice(1))?.map((r) => r.claim)).toEqual(['m4-0-0', 'm4-0-1']);
  });

  it('releases every claim the owner controls, found without its name', async () => {
    const requests = addressClaimRequests('m3', [{ addressesFromPools: [POOL] }]);
    await claimAddresses(kube, owner('m3', 'uid-m3'), requests, FINALIZER);
    await claimAddresses(
      kube,
      owner('m5', 'uid-m5'),
      addressClaimRequests('m5', [{ addressesFromPools: [POOL] }]),
      FINALIZER,
    );
    expect(await ownedAddressClaims(kube, { namespace, uid: 'uid-m3' })).toEqual(['m3-0-0']);
    await releaseAddressClaims(kube, { namespace, uid: 'uid-m3' }, [], FINALIZER);
    expect(await kube.get(ref('IPAddressClaim', 'm3-0-0'))).toBeUndefined();
    // Another owner's claim stays.
    expect(await kube.get(ref('IPAddressClaim', 'm5-0-0'))).toBeDefined();
  });
});
