import type { ConditionInput, KubeClient } from '@immutable-infra/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ClaimablePool,
  type ClaimablePoolKind,
  claimSlotStep,
  heldSlot,
  type MachineSlots,
  releaseSlotStep,
  type SlotRun,
} from '../../src/index.js';
import {
  type TestPoolClaim as Claim,
  type TestPoolEntry as Entry,
  type TestPoolBed,
  testPoolBed,
  testPoolClaims as testPoolKind,
} from './test-pool-bed.js';
import { TEST_POOL_API_VERSION, type TestPoolObject } from './test-pool-kind.js';

describe('ClaimablePool on a real kube-apiserver', () => {
  let bed: TestPoolBed;
  let namespace: string;
  let kube: KubeClient;
  let pools: ClaimablePool<TestPoolObject, Entry, Claim>;

  beforeAll(async () => {
    bed = await testPoolBed('claimable-pool');
    ({ namespace, kube } = bed);
    pools = new ClaimablePool(kube, testPoolKind);
  });

  const createPool = (name: string, addresses: string[]) =>
    bed.createPool(name, { entries: addresses.map((address) => ({ address })) });
  const read = (name: string) => bed.read(name);

  it('claims the first free entry by UID, gives the same entry on a re-run, and releases it once', async () => {
    await createPool('ips', ['10.0.0.1', '10.0.0.2']);
    const first = await pools.claim(namespace, 'ips', { uid: 'uid-a', name: 'machine-a' });
    expect(first).toMatchObject({ ok: true, entry: { address: '10.0.0.1' }, claim: { holder: 'machine-a' } });
    // A crash and re-run: the same entry, no second claim.
    expect(await pools.claim(namespace, 'ips', { uid: 'uid-a', name: 'machine-a' })).toMatchObject({
      ok: true,
      entry: { address: '10.0.0.1' },
    });
    // A new object with the old name is another holder.
    expect(await pools.claim(namespace, 'ips', { uid: 'uid-b', name: 'machine-a' })).toMatchObject({
      ok: true,
      entry: { address: '10.0.0.2' },
    });
    expect((await read('ips')).status?.claims).toHaveLength(2);
    expect(await pools.heldEntry(namespace, 'ips', { uid: 'uid-b', name: 'machine-a' })).toMatchObject({
      ok: true,
      entry: { address: '10.0.0.2' },
    });
    expect(pools.usage(await read('ips'))).toEqual({ total: 2, used: 2, free: 0, orphaned: 0 });
    expect(await pools.claim(namespace, 'ips', { uid: 'uid-c', name: 'machine-c' })).toMatchObject({
      ok: false,
      reason: 'PoolExhausted',
      message: 'no free entry in TestPool ips: all 2 are in use',
    });

    expect(await pools.release(namespace, 'ips', { uid: 'uid-a', name: 'machine-a' })).toBe(true);
    expect(await pools.release(namespace, 'ips', { uid: 'uid-a', name: 'machine-a' })).toBe(false);
    expect(await pools.heldEntry(namespace, 'ips', { uid: 'uid-a', name: 'machine-a' })).toBeUndefined();
    expect((await read('ips')).status?.claims).toEqual([
      { address: '10.0.0.2', holderUID: 'uid-b', holder: 'machine-a' },
    ]);
  });

  it('keeps a released record for reuse, hands its entry out first, and binds the pool to one consumer', async () => {
    // Records with a state, as a machine config pool keeps them: InUse holds, Released waits for reuse.
    type SlotRecord = {
      address: string;
      state: 'InUse' | 'Released';
      holderUID?: string;
      releasedAt?: string;
    };
    type SlotPool = Omit<TestPoolObject, 'status'> & {
      status?: { records?: SlotRecord[]; consumer?: { kind: string; name: string } };
    };
    const slotKind: ClaimablePoolKind<SlotPool, Entry, SlotRecord> = {
      apiVersion: TEST_POOL_API_VERSION,
      kind: 'TestPool',
      entries: (pool) => pool.spec.entries,
      entryKey: (entry) => entry.address,
      claims: (pool) => pool.status?.records ?? [],
      claimedEntryKey: (record) => record.address,
      claimantUid: (record) => record.holderUID,
      newClaim: (entry, claimant) => ({ address: entry.address, state: 'InUse', holderUID: claimant.uid }),
      statusWithClaims: (records) => ({ records }),
      holds: (record) => record.state === 'InUse',
      released: (record, at) => ({
        address: record.address,
        state: 'Released',
        releasedAt: at.toISOString(),
      }),
      binding: {
        of: (pool) => pool.status?.consumer,
        status: (consumer) => ({ consumer: consumer ?? null }),
      },
    };
    const slots = new ClaimablePool(kube, slotKind);
    const readSlots = async () => (await read('slots')) as unknown as SlotPool;
    const workers = { kind: 'MachineDeployment', name: 'workers' };
    await createPool('slots', ['10.0.2.1', '10.0.2.2', '10.0.2.3']);

    expect(await slots.claim(namespace, 'slots', { uid: 'w1', name: 'w1', consumer: workers })).toMatchObject(
      {
        ok: true,
        entry: { address: '10.0.2.1' },
      },
    );
    await slots.claim(namespace, 'slots', { uid: 'w2', name: 'w2', consumer: workers });
    expect((await readSlots()).status?.consumer).toEqual(workers);
    // Another consumer's machine is refused, naming both.
    expect(
      await slots.claim(namespace, 'slots', {
        uid: 'cp1',
        name: 'cp1',
        consumer: { kind: 'KubeadmControlPlane', name: 'cp' },
      }),
    ).toEqual({
      ok: false,
      reason: 'PoolBoundElsewhere',
      message:
        "TestPool slots is bound to MachineDeployment workers, not to this machine's KubeadmControlPlane cp",
    });

    const at = new Date('2026-12-03T10:00:00.000Z');
    expect(await slots.release(namespace, 'slots', { uid: 'w1', name: 'w1' }, at)).toBe(true);
    expect(await slots.release(namespace, 'slots', { uid: 'w1', name: 'w1' }, at)).toBe(false);
    expect((await readSlots()).status?.records).toEqual([
      { address: '10.0.2.1', state: 'Released', releasedAt: at.toISOString() },
      { address: '10.0.2.2', state: 'InUse', holderUID: 'w2' },
    ]);
    expect(slots.usage(await readSlots())).toEqual({ total: 3, used: 1, free: 2, orphaned: 0 });
    // The released entry goes to the next machine before the never-used 10.0.2.3, replacing its record.
    expect(await slots.claim(namespace, 'slots', { uid: 'w3', name: 'w3', consumer: workers })).toMatchObject(
      {
        ok: true,
        entry: { address: '10.0.2.1' },
      },
    );
    expect((await readSlots()).status?.records).toEqual([
      { address: '10.0.2.2', state: 'InUse', holderUID: 'w2' },
      { address: '10.0.2.1', state: 'InUse', holderUID: 'w3' },
    ]);

    await slots.release(namespace, 'slots', { uid: 'w2', name: 'w2' }, at);
    await slots.release(namespace, 'slots', { uid: 'w3', name: 'w3' }, at);
    // Released records keep the binding; forgetting them (reserve time over) frees the pool for anyone.
    expect((await readSlots()).status?.consumer).toEqual(workers);
    expect(await slots.forgetReleased(namespace, 'slots', (record) => record.address === '10.0.2.2')).toBe(1);
    expect((await readSlots()).status?.consumer).toEqual(workers);
    expect(await slots.forgetReleased(namespace, 'slots', () => true)).toBe(1);
    expect((await readSlots()).status).toEqual({ records: [] });
    expect(
      await slots.claim(namespace, 'slots', {
        uid: 'cp1',
        name: 'cp1',
        consumer: { kind: 'KubeadmControlPlane', name: 'cp' },
      }),
    ).toMatchObject({ ok: true, entry: { address: '10.0.2.1' } });
  });

  it('gives a claimant only the entries it may take (its failure domain, say)', async () => {
    await createPool('zoned', ['10.0.3.1', '10.0.4.1', '10.0.4.2']);
    const inZone4 = (entry: Entry) => entry.address.startsWith('10.0.4.');
    expect(await pools.claim(namespace, 'zoned', { uid: 'z-1', name: 'z-1' }, inZone4)).toMatchObject({
      ok: true,
      entry: { address: '10.0.4.1' },
    });
    await pools.claim(namespace, 'zoned', { uid: 'z-2', name: 'z-2' }, inZone4);
    expect(await pools.claim(namespace, 'zoned', { uid: 'z-3', name: 'z-3' }, inZone4)).toEqual({
      ok: false,
      reason: 'PoolExhausted',
      message: 'no free entry in TestPool zoned for this claimant: the 2 of 3 it may take are in use',
    });
    // An entry held already is the claimant's whatever the filter says now.
    expect(await pools.claim(namespace, 'zoned', { uid: 'z-1', name: 'z-1' }, () => false)).toMatchObject({
      ok: true,
      entry: { address: '10.0.4.1' },
    });
  });

  it('lets exactly one of two claimants racing for the last entry win', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `last-${round}`;
      await createPool(name, ['10.0.1.1']);
      // Separate pools (and clients) per claimant, as two managers or two reconciles would have.
      const racers = ['uid-x', 'uid-y'].map((uid) => ({
        uid,
        pool: new ClaimablePool(bed.secondClient(), testPoolKind),
      }));
      const results = await Promise.all(
        racers.map(({ uid, pool }) => pool.claim(namespace, name, { uid, name: `machine-${uid}` })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([
        expect.objectContaining({ ok: false, reason: 'PoolExhausted' }),
      ]);
      const claims = (await read(name)).status?.claims ?? [];
      expect(claims).toHaveLength(1);
      const winner = results.find((r) => r.ok);
      expect(winner?.ok && winner.claim.holderUID).toBe(claims[0]?.holderUID);
    }
  });

  it("takes one manager's claims on one pool in turns (no 409), each with the pool's counts in the same write", async () => {
    const addresses = Array.from({ length: 8 }, (_, i) => `10.0.7.${i + 1}`);
    await createPool('turns', addresses);
    let writes = 0;
    let conflicts = 0;
    const counting: KubeClient = {
      ...kube,
      patchStatus: async <T>(
        ref: Parameters<KubeClient['patchStatus']>[0],
        patch: Record<string, unknown>,
      ) => {
        writes += 1;
        try {
          return await kube.patchStatus<T>(ref, patch);
        } catch (error) {
          if ((error as { status?: number }).status === 409) conflicts += 1;
          throw error;
        }
      },
    };
    // One client, as one manager's reconciles share it; a kind that keeps its counts in status.
    const counted = new ClaimablePool(counting, {
      ...testPoolKind,
      usageStatus: (usage) => ({ used: usage.used, free: usage.free }),
    });
    const results = await Promise.all(
      addresses.map((_, i) => counted.claim(namespace, 'turns', { uid: `uid-t${i}`, name: `t${i}` })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.ok && r.entry.address)).size).toBe(addresses.length);
    expect({ writes, conflicts }).toEqual({ writes: addresses.length, conflicts: 0 });
    const status = (await read('turns')).status as { used?: number; free?: number; claims?: unknown[] };
    expect(status).toMatchObject({ used: 8, free: 0 });
    expect(status.claims).toHaveLength(8);
    await counted.release(namespace, 'turns', { uid: 'uid-t0', name: 't0' });
    expect((await read('turns')).status).toMatchObject({ used: 7, free: 1 });
  });

  it('refuses a claim written against a stale read, then reads again and finds the entry taken', async () => {
    await createPool('stale', ['10.0.3.1']);
    const ref = bed.ref('stale');
    const before = await kube.get<TestPoolObject>(ref);
    await pools.claim(namespace, 'stale', { uid: 'uid-first', name: 'first' });
    // The second claimant's first read is the one from before the first claim, as a slow reconcile's is.
    let conflicts = 0;
    let staleReads = 1;
    const lagging: KubeClient = {
      ...kube,
      get: async <T>(r: typeof ref) => (staleReads-- > 0 ? (before as T) : kube.get<T>(r)),
      patchStatus: async <T>(r: typeof ref, patch: Record<string, unknown>) => {
        try {
          return await kube.patchStatus<T>(r, patch);
        } catch (error) {
          if ((error as { status?: number }).status === 409) conflicts += 1;
          throw error;
        }
      },
    };
    const second = await new ClaimablePool(lagging, testPoolKind).claim(namespace, 'stale', {
      uid: 'uid-second',
      name: 'second',
    });
    expect(conflicts).toBe(1);
    expect(second).toMatchObject({ ok: false, reason: 'PoolExhausted' });
    expect((await read('stale')).status?.claims).toEqual([
      { address: '10.0.3.1', holderUID: 'uid-first', holder: 'first' },
    ]);
  });

  it('derives status from the pool as written: a 409 reads the pool again and derives anew, never re-applies the older copy', async () => {
    await createPool('derived', ['10.0.4.1']);
    await pools.claim(namespace, 'derived', { uid: 'uid-held', name: 'held' });
    const ref = bed.ref('derived');
    // A slow reconcile read the pool while the entry was held; the holder released it since.
    const before = await kube.get<TestPoolObject>(ref);
    await pools.release(namespace, 'derived', { uid: 'uid-held', name: 'held' });
    let conflicts = 0;
    let staleReads = 1;
    const lagging: KubeClient = {
      ...kube,
      get: async <T>(r: typeof ref) => (staleReads-- > 0 ? (before as T) : kube.get<T>(r)),
      patchStatus: async <T>(r: typeof ref, patch: Record<string, unknown>) => {
        try {
          return await kube.patchStatus<T>(r, patch);
        } catch (error) {
          if ((error as { status?: number }).status === 409) conflicts += 1;
          throw error;
        }
      },
    };
    const derivedFrom: string[][] = [];
    await new ClaimablePool(lagging, testPoolKind).updateDerivedStatus(namespace, 'derived', (pool) => {
      const holders = (pool.status?.claims ?? []).map((claim) => claim.holder);
      derivedFrom.push(holders);
      return { holders };
    });
    expect(conflicts).toBe(1);
    expect(derivedFrom).toEqual([['held'], []]);
    const after = (await read('derived')) as TestPoolObject & { status?: { holders?: string[] } };
    expect(after.status?.holders).toEqual([]);
    expect(after.status?.claims).toEqual([]);
    // Nothing to change: no write at all.
    const version = after.metadata.resourceVersion;
    await pools.updateDerivedStatus(namespace, 'derived', () => undefined);
    expect((await read('derived')).metadata.resourceVersion).toBe(version);
  });

  it('adopts a claim written by name only (before claims carried UIDs) and then keys it by UID', async () => {
    const legacyKind: ClaimablePoolKind<TestPoolObject, Entry, Claim> = {
      ...testPoolKind,
      claimantUid: (claim) => (claim.holderUID === '' ? undefined : claim.holderUID),
      isLegacyClaimOf: (claim, claimant) => claim.holder === claimant.name,
    };
    const legacyPools = new ClaimablePool(kube, legacyKind);
    await createPool('legacy', ['10.0.4.1', '10.0.4.2']);
    await kube.patchStatus(bed.ref('legacy'), {
      status: { claims: [{ address: '10.0.4.2', holderUID: '', holder: 'machine-old' }] },
    });
    const adopted = await legacyPools.claim(namespace, 'legacy', { uid: 'uid-old', name: 'machine-old' });
    expect(adopted).toMatchObject({
      ok: true,
      entry: { address: '10.0.4.2' },
      claim: { holderUID: 'uid-old' },
    });
    expect((await read('legacy')).status?.claims).toEqual([
      { address: '10.0.4.2', holderUID: 'uid-old', holder: 'machine-old' },
    ]);
    // Adopted, the claim belongs to the UID: a new object with the same name gets another entry.
    expect(
      await legacyPools.claim(namespace, 'legacy', { uid: 'uid-new', name: 'machine-old' }),
    ).toMatchObject({
      ok: true,
      entry: { address: '10.0.4.1' },
    });
    expect(await legacyPools.release(namespace, 'legacy', { uid: 'uid-old', name: 'machine-old' })).toBe(
      true,
    );
    expect((await read('legacy')).status?.claims).toEqual([
      { address: '10.0.4.1', holderUID: 'uid-new', holder: 'machine-old' },
    ]);
  });

  it('reports a claimed entry removed from the pool, and a pool that does not exist', async () => {
    await createPool('shrinking', ['10.0.2.1', '10.0.2.2']);
    await pools.claim(namespace, 'shrinking', { uid: 'uid-s', name: 'machine-s' });
    await bed.replaceEntries('shrinking', [{ address: '10.0.2.2' }]);
    expect(await pools.claim(namespace, 'shrinking', { uid: 'uid-s', name: 'machine-s' })).toEqual({
      ok: false,
      reason: 'ClaimedEntryRemoved',
      message: 'the entry 10.0.2.1 this claimant holds was removed from TestPool shrinking',
    });
    expect(pools.usage(await read('shrinking'))).toEqual({ total: 1, used: 0, free: 1, orphaned: 1 });
    expect(await pools.claim(namespace, 'absent', { uid: 'uid-s', name: 'machine-s' })).toEqual({
      ok: false,
      reason: 'PoolNotFound',
      message: 'TestPool absent not found',
    });
    expect(await pools.release(namespace, 'absent', { uid: 'uid-s', name: 'machine-s' })).toBe(false);
  });

  describe('as machine steps', () => {
    type Run = SlotRun & { entry?: Entry; conditions: ConditionInput[]; warnings: string[] };
    const slots: MachineSlots<Run, TestPoolObject, Entry, Claim> = {
      pool: testPoolKind,
      poolName: () => 'steps',
      conditionType: 'VMReady',
      onClaimed: (run, entry) => {
        run.entry = entry;
      },
    };
    const machineRun = (name: string, uid: string): Run => {
      const run: Run = {
        conditions: [],
        warnings: [],
        ctx: {
          kube,
          object: { metadata: { name, uid, namespace } },
          events: { normal: () => undefined, warning: (reason) => run.warnings.push(reason) },
          setCondition: (condition) => run.conditions.push(condition),
        },
      };
      return run;
    };

    it('claim for the machine by UID, show an exhausted pool on its condition, and release once', async () => {
      await createPool('steps', ['10.0.1.1']);
      const claim = claimSlotStep('ClaimSlot', slots);
      const a = machineRun('machine-a', 'uid-a');
      expect(await claim.run(a)).toEqual({ type: 'done' });
      expect(a.entry).toEqual({ address: '10.0.1.1' });
      expect(await heldSlot(a, slots)).toEqual({ address: '10.0.1.1' });

      const b = machineRun('machine-b', 'uid-b');
      const waiting = await claim.run(b);
      expect(waiting).toMatchObject({ type: 'requeue', afterMs: 30_000 });
      expect(b.conditions).toEqual([
        expect.objectContaining({
          type: 'VMReady',
          status: 'False',
          reason: 'PoolExhausted',
          severity: 'Warning',
        }),
      ]);
      expect(b.warnings).toEqual(['PoolExhausted']);
      expect(b.entry).toBeUndefined();

      const release = releaseSlotStep('ReleaseSlot', slots);
      expect(await release.run(a)).toEqual({ type: 'done' });
      expect(await release.run(a)).toEqual({ type: 'done' });
      expect(await heldSlot(a, slots)).toBeUndefined();
      expect(await claim.run(b)).toEqual({ type: 'done' });
      expect(b.entry).toEqual({ address: '10.0.1.1' });
    });

    it("show a refusal in the platform's documented words on a condition of its own, True once the entry is held", async () => {
      await createPool('documented', ['10.0.2.1']);
      const documented: MachineSlots<Run, TestPoolObject, Entry, Claim> = {
        ...slots,
        poolName: () => 'documented',
        conditionType: 'MachineConfigPoolReady',
        refusalReasons: { PoolExhausted: 'NoAvailableSlots' },
        claimedReason: 'SlotClaimed',
      };
      const claim = claimSlotStep('ClaimSlot', documented);
      const a = machineRun('machine-a', 'uid-a');
      expect(await claim.run(a)).toEqual({ type: 'done' });
      expect(a.conditions).toEqual([
        { type: 'MachineConfigPoolReady', status: 'True', reason: 'SlotClaimed' },
      ]);
      const b = machineRun('machine-b', 'uid-b');
      expect(await claim.run(b)).toMatchObject({ type: 'requeue' });
      expect(b.conditions).toEqual([
        expect.objectContaining({
          type: 'MachineConfigPoolReady',
          status: 'False',
          reason: 'NoAvailableSlots',
          message: expect.stringContaining('all 1 are in use'),
        }),
      ]);
      expect(b.warnings).toEqual(['NoAvailableSlots']);
      // A pool that does not exist keeps the kit's reason: the documentation names none for it.
      const missing = claimSlotStep('ClaimSlot', { ...documented, poolName: () => 'absent' });
      const c = machineRun('machine-c', 'uid-c');
      await missing.run(c);
      expect(c.conditions).toEqual([expect.objectContaining({ reason: 'PoolNotFound' })]);
    });
  });
});
