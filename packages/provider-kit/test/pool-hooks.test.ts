import {
  type ConditionInput,
  defineKind,
  INFRASTRUCTURE_GROUP,
  type KindObject,
  type ObjectContext,
} from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ClaimablePoolKind, claimablePoolHooks, consumerOfMachine } from '../src/index.js';

const SlotPool = defineKind({
  group: INFRASTRUCTURE_GROUP,
  kind: 'SlotPool',
  plural: 'slotpools',
  scope: 'Namespaced',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({ slots: z.array(z.object({ ip: z.string(), disks: z.number().optional() })) }),
      status: z.object({
        claims: z.array(z.object({ ip: z.string(), machine: z.string(), uid: z.string() })).optional(),
        total: z.number().optional(),
        free: z.number().optional(),
      }),
    },
  ],
});
type Pool = KindObject<(typeof SlotPool.versions)[0]>;
type Claim = { ip: string; machine: string; uid: string };

const claims: ClaimablePoolKind<Pool, Pool['spec']['slots'][number], Claim> = {
  apiVersion: `${INFRASTRUCTURE_GROUP}/v1beta1`,
  kind: 'SlotPool',
  entries: (pool) => pool.spec.slots,
  entryKey: (slot) => slot.ip,
  claims: (pool) => pool.status?.claims ?? [],
  claimedEntryKey: (claim) => claim.ip,
  claimantUid: (claim) => claim.uid,
  newClaim: (slot, machine) => ({ ip: slot.ip, machine: machine.name, uid: machine.uid }),
  statusWithClaims: (list) => ({ claims: list }),
};

function context(pool: { spec: Pool['spec']; status?: Pool['status'] }) {
  const conditions: ConditionInput[] = [];
  const status: Record<string, unknown> = {};
  const ctx = {
    object: {
      apiVersion: claims.apiVersion,
      kind: 'SlotPool',
      metadata: { name: 'p1', namespace: 'ns' },
      ...pool,
    },
    status,
    setCondition: (condition: ConditionInput) => conditions.push(condition),
    // Counting usage reads only the pool object: no API call is made.
    kube: undefined,
  } as unknown as ObjectContext<typeof SlotPool>;
  return { ctx, conditions, status };
}

const refreshed: string[] = [];
const hooks = claimablePoolHooks({
  kind: SlotPool,
  claims,
  writeUsage(status, usage) {
    status.total = usage.total;
    status.free = usage.free;
  },
  holderOf: (claim) => claim.machine,
  persistentDisks: {
    declared: (pool) => pool.spec.slots.some((slot) => (slot.disks ?? 0) > 0),
    async refresh(ctx) {
      refreshed.push(ctx.object.metadata.name);
      return ctx.object.spec.slots.length > 2 ? 'platform unreachable' : undefined;
    },
    everyMs: 15_000,
    describeFailure: (error) => String(error),
  },
});

describe('claimablePoolHooks', () => {
  it('counts usage into status and names entries removed while a machine holds them', async () => {
    const { ctx, conditions, status } = context({
      spec: { slots: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] },
      status: {
        claims: [
          { ip: '10.0.0.1', machine: 'm1', uid: 'u1' },
          { ip: '10.0.0.9', machine: 'm9', uid: 'u9' },
        ],
      },
    });
    expect(await hooks.reconcile(ctx)).toEqual({ type: 'done' });
    expect(status).toEqual({ total: 2, free: 1 });
    expect(conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'HeldEntryRemoved',
      message: 'entries removed while in use: 10.0.0.9 (m9)',
    });
    expect(conditions[1]).toMatchObject({
      type: 'PersistentDisksReported',
      status: 'True',
      reason: 'NoPersistentDisks',
    });
    expect(refreshed).toEqual([]);
  });

  it('refreshes the disk report on a timer when the pool declares disks, and says why it could not', async () => {
    const ok = context({ spec: { slots: [{ ip: '10.0.0.1', disks: 1 }] } });
    expect(await hooks.reconcile(ok.ctx)).toEqual({ type: 'done', recheckAfterMs: 15_000 });
    expect(ok.conditions[0]).toMatchObject({ type: 'Ready', status: 'True', message: 'entries are free' });
    expect(ok.conditions[1]).toMatchObject({ status: 'True', reason: 'Reported' });
    const down = context({ spec: { slots: [{ ip: 'a', disks: 1 }, { ip: 'b' }, { ip: 'c' }] } });
    await hooks.reconcile(down.ctx);
    expect(down.conditions[1]).toMatchObject({
      status: 'False',
      reason: 'NotReported',
      message: 'platform unreachable',
    });
  });

  it('holds the deletion while any entry is claimed, naming the holders', async () => {
    const held = context({
      spec: { slots: [{ ip: '10.0.0.1' }] },
      status: { claims: [{ ip: '10.0.0.1', machine: 'm1', uid: 'u1' }] },
    });
    expect(await hooks.delete?.(held.ctx)).toMatchObject({ type: 'requeue', reason: 'still used by m1' });
    expect(await hooks.delete?.(context({ spec: { slots: [] } }).ctx)).toEqual({ type: 'done' });
  });
});

describe('the consumer of a machine', () => {
  it('is its KubeadmControlPlane, else its MachineDeployment, from the labels Cluster API sets', () => {
    const labelled = (labels: Record<string, string>) => ({ metadata: { labels } });
    expect(
      consumerOfMachine(
        labelled({ 'cluster.x-k8s.io/control-plane-name': 'cp', 'cluster.x-k8s.io/deployment-name': 'md' }),
      ),
    ).toEqual({ kind: 'KubeadmControlPlane', name: 'cp' });
    expect(consumerOfMachine(labelled({ 'cluster.x-k8s.io/deployment-name': 'md' }))).toEqual({
      kind: 'MachineDeployment',
      name: 'md',
    });
    expect(consumerOfMachine(labelled({}))).toBeUndefined();
    expect(consumerOfMachine(undefined)).toBeUndefined();
  });
});
