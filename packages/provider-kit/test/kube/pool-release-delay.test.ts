import { type ConditionInput, defineKind, type KubeClient, type ObjectContext } from '@immutable-infra/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ClaimablePoolKind, claimablePoolHooks } from '../../src/index.js';
import { type TestPoolBed, testPoolBed } from './test-pool-bed.js';
import { TEST_POOL_API_VERSION, TEST_POOL_GROUP } from './test-pool-kind.js';

const claimSchema = z.object({
  address: z.string(),
  holderUID: z.string().optional(),
  holder: z.string().optional(),
  state: z.enum(['InUse', 'Released']),
  releasedAt: z.string().optional(),
});
type Claim = z.infer<typeof claimSchema>;

/** The test pool as a pool that keeps released records, as vSphere's machine config pools do. */
const ReleasingPool = defineKind({
  group: TEST_POOL_GROUP,
  kind: 'TestPool',
  plural: 'testpools',
  scope: 'Namespaced',
  role: 'Other',
  versions: [
    {
      name: 'v1',
      storage: true,
      spec: z.object({ entries: z.array(z.object({ address: z.string() })), delayHours: z.number() }),
      status: z.object({ claims: z.array(claimSchema).optional(), free: z.number().optional() }),
    },
  ],
});
type Pool = {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: { entries: { address: string }[]; delayHours: number };
  status?: { claims?: Claim[]; free?: number };
};

const releasingKind: ClaimablePoolKind<Pool, { address: string }, Claim> = {
  apiVersion: TEST_POOL_API_VERSION,
  kind: 'TestPool',
  entries: (pool) => pool.spec.entries,
  entryKey: (entry) => entry.address,
  claims: (pool) => pool.status?.claims ?? [],
  claimedEntryKey: (claim) => claim.address,
  claimantUid: (claim) => claim.holderUID,
  newClaim: (entry, claimant) => ({
    address: entry.address,
    holderUID: claimant.uid,
    holder: claimant.name,
    state: 'InUse',
  }),
  statusWithClaims: (claims) => ({ claims }),
  holds: (claim) => claim.state === 'InUse',
  released: (claim, at) => ({ address: claim.address, state: 'Released', releasedAt: at.toISOString() }),
  // Free: entries with no record (a released one still waits for its consumer).
  usageStatus: (usage, claims) => ({ free: usage.total - claims.length }),
};

const HOUR_MS = 3_600_000;
const NOW = new Date('2026-03-01T12:00:00Z');

describe('released pool entries reclaimed once their delay is over, on a real kube-apiserver', () => {
  let bed: TestPoolBed;
  let kube: KubeClient;
  /** What the platform still has of each entry (its persistent disks); reclaiming deletes it over two runs. */
  const disks = new Map<string, number>();
  const reclaimed: string[][] = [];

  const hooks = claimablePoolHooks({
    kind: ReleasingPool,
    claims: releasingKind as never,
    holderOf: (claim: Claim) => claim.holder ?? claim.address,
    released: {
      delayMs: (pool: Pool) => pool.spec.delayHours * HOUR_MS,
      releasedAt: (claim: Claim) => claim.releasedAt,
      async reclaim(_ctx: unknown, entries: readonly { address: string }[]) {
        reclaimed.push(entries.map((entry) => entry.address));
        const left = entries.filter((entry) => (disks.get(entry.address) ?? 0) > 0);
        for (const entry of left) disks.set(entry.address, (disks.get(entry.address) ?? 1) - 1);
        return left.length > 0 ? `deleting the disks of ${left.map((e) => e.address).join(', ')}` : undefined;
      },
      pollAfterMs: 5_000,
    },
  } as never);

  beforeAll(async () => {
    bed = await testPoolBed('pool-release');
    kube = bed.kube;
  });

  async function createPool(name: string, delayHours: number, claims: Claim[]): Promise<void> {
    await bed.createPool(name, {
      entries: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((address) => ({ address })),
      delayHours,
    });
    await kube.patchStatus(poolRef(name), { status: { claims } });
  }

  const poolRef = (name: string) => bed.ref(name);

  async function reconcile(name: string, remove = false) {
    const object = await kube.get<Pool>(poolRef(name));
    const status: Record<string, unknown> = {};
    const ctx = {
      kube,
      object,
      status,
      clock: { now: () => NOW },
      setCondition: (_condition: ConditionInput) => undefined,
    } as unknown as ObjectContext<typeof ReleasingPool>;
    const result = remove ? await hooks.delete?.(ctx) : await hooks.reconcile(ctx);
    return { result, status };
  }

  const released = (address: string, hoursAgo: number): Claim => ({
    address,
    state: 'Released',
    releasedAt: new Date(NOW.getTime() - hoursAgo * HOUR_MS).toISOString(),
  });
  const inUse = (address: string): Claim => ({ address, holderUID: 'uid-1', holder: 'm1', state: 'InUse' });

  it('keeps a released entry for its delay, then reclaims it and frees it for any machine', async () => {
    await createPool('p1', 1, [inUse('10.0.0.1'), released('10.0.0.2', 2), released('10.0.0.3', 0.5)]);
    disks.set('10.0.0.2', 1);
    reclaimed.length = 0;
    // The first run finds a disk to delete and waits for it to go.
    const first = await reconcile('p1');
    expect(first.result).toEqual({
      type: 'requeue',
      afterMs: 5_000,
      reason: 'deleting the disks of 10.0.0.2',
    });
    const second = await reconcile('p1');
    expect(reclaimed).toEqual([['10.0.0.2'], ['10.0.0.2']]);
    // 10.0.0.3 is kept for another half hour: looked at again then.
    expect(second.result).toEqual({ type: 'done', recheckAfterMs: HOUR_MS / 2 });
    expect(second.status.free).toBe(1);
    const pool = await kube.get<Pool>(poolRef('p1'));
    expect(pool?.status?.claims?.map((claim) => claim.address)).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('holds the pool while an entry is in use, and reclaims every entry when it is deleted', async () => {
    await createPool('p2', 24, [inUse('10.0.0.1'), released('10.0.0.2', 1)]);
    reclaimed.length = 0;
    expect((await reconcile('p2', true)).result).toEqual({
      type: 'requeue',
      afterMs: 30_000,
      reason: 'still used by m1',
    });
    await kube.patchStatus(poolRef('p2'), { status: { claims: [released('10.0.0.2', 1)] } });
    expect((await reconcile('p2', true)).result).toEqual({ type: 'done' });
    expect(reclaimed).toEqual([['10.0.0.1', '10.0.0.2', '10.0.0.3']]);
  });
});
