import {
  type Clock,
  type ConditionInput,
  done,
  type EventRecorder,
  falseCondition,
  type KubeClient,
  type ObjectMeta,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import {
  ClaimablePool,
  type ClaimablePoolKind,
  type Claimant,
  type ClaimResult,
  type PoolConsumer,
  type PoolObject,
} from './claimable-pool.js';

/** Why a pool gave a machine no entry, in the kit's words. */
export type ClaimRefusal = Extract<ClaimResult<unknown, unknown>, { ok: false }>['reason'];

/** The part of a machine reconcile the slot steps use: the host's context for the machine. */
export interface SlotRun {
  ctx: {
    kube: KubeClient;
    events: EventRecorder;
    object: { metadata: ObjectMeta };
    setCondition(condition: ConditionInput): void;
    /** When a release happens, for pools that keep released records; the wall clock otherwise. */
    clock?: Clock | undefined;
  };
}

/** How a provider's machine takes an entry (IP/hostname slot, machine config, inventory host) from its pool. */
export interface MachineSlots<Run extends SlotRun, Pool extends PoolObject, Entry, Claim> {
  pool: ClaimablePoolKind<Pool, Entry, Claim>;
  /** The pool the machine names; undefined when it names none (the steps then do nothing). */
  poolName(run: Run): string | undefined;
  /** The machine's condition that shows a pool that cannot give an entry, e.g. `VMReady`. */
  conditionType: string;
  /**
   * The condition's reason for a refusal where the platform's documentation names its own
   * (vSphere's `NoAvailableSlots` for `PoolExhausted`); the kit's reason otherwise.
   */
  refusalReasons?: Partial<Record<ClaimRefusal, string>>;
  /**
   * The reason the condition turns True with once the machine holds its entry, for a condition of
   * its own (vSphere's `MachineConfigPoolReady`); a shared condition is left to the later steps.
   */
  claimedReason?: string;
  /** Records the entry where the later steps and the status need it. */
  onClaimed(run: Run, entry: Entry): void;
  /** What the machine belongs to, for pools bound to one consumer (see ClaimablePoolKind.binding). */
  consumerOf?(run: Run): PoolConsumer | undefined;
  /** Which entries the machine may take (those of its failure domain, say); every one when absent. */
  eligible?(run: Run, entry: Entry): boolean;
}

/** The machine as the holder of an entry: its UID decides, its name is for people. */
export const claimantOf = (object: { metadata: ObjectMeta }): Claimant => ({
  uid: object.metadata.uid ?? '',
  name: object.metadata.name ?? '',
});

/**
 * The workload controller a Machine belongs to, from the labels Cluster API puts on it: the
 * consumer a pool bound to one (see ClaimablePoolKind.binding) compares.
 */
export function consumerOfMachine(
  machine: { metadata?: { labels?: Record<string, string> | undefined } } | undefined,
): PoolConsumer | undefined {
  const labels = machine?.metadata?.labels ?? {};
  const controlPlane = labels['cluster.x-k8s.io/control-plane-name'];
  if (controlPlane) return { kind: 'KubeadmControlPlane', name: controlPlane };
  const deployment = labels['cluster.x-k8s.io/deployment-name'];
  return deployment ? { kind: 'MachineDeployment', name: deployment } : undefined;
}

/** The machine's pool, and where and as whom it asks it; undefined when the machine names no pool. */
function poolOf<Run extends SlotRun, Pool extends PoolObject, Entry, Claim>(
  run: Run,
  slots: MachineSlots<Run, Pool, Entry, Claim>,
) {
  const name = slots.poolName(run);
  if (!name) return undefined;
  return {
    pools: new ClaimablePool(run.ctx.kube, slots.pool),
    at: [
      run.ctx.object.metadata.namespace ?? 'default',
      name,
      { ...claimantOf(run.ctx.object), consumer: slots.consumerOf?.(run) },
    ] as const,
  };
}

/**
 * The reconcile step that claims the machine's entry (the same one again on every run, by UID). A
 * pool that has none to give, or is missing, is shown on the machine's condition and as an Event,
 * and asked again in 30 s: someone has to add entries or free one.
 */
export function claimSlotStep<Run extends SlotRun, Pool extends PoolObject, Entry, Claim>(
  name: string,
  slots: MachineSlots<Run, Pool, Entry, Claim>,
): Step<Run> {
  return {
    name,
    async run(run) {
      const pool = poolOf(run, slots);
      if (!pool) return done();
      const claim = await pool.pools.claim(...pool.at, (entry) => slots.eligible?.(run, entry) ?? true);
      if (!claim.ok) {
        const reason = slots.refusalReasons?.[claim.reason] ?? claim.reason;
        run.ctx.setCondition(falseCondition(slots.conditionType, reason, claim.message, 'Warning'));
        run.ctx.events.warning(reason, claim.message);
        return requeue(30_000, claim.message);
      }
      if (slots.claimedReason) run.ctx.setCondition(trueCondition(slots.conditionType, slots.claimedReason));
      slots.onClaimed(run, claim.entry);
      return done();
    },
  };
}

/** The entry the machine still holds (a claim outlives the VM until the release step), if any. */
export async function heldSlot<Run extends SlotRun, Pool extends PoolObject, Entry, Claim>(
  run: Run,
  slots: MachineSlots<Run, Pool, Entry, Claim>,
): Promise<Entry | undefined> {
  const pool = poolOf(run, slots);
  const held = pool && (await pool.pools.heldEntry(...pool.at));
  return held?.ok ? held.entry : undefined;
}

/** The last delete step: gives the machine's entry back (a no-op when it holds none). */
export function releaseSlotStep<Run extends SlotRun, Pool extends PoolObject, Entry, Claim>(
  name: string,
  slots: MachineSlots<Run, Pool, Entry, Claim>,
): Step<Run> {
  return {
    name,
    async run(run) {
      const pool = poolOf(run, slots);
      if (pool) await pool.pools.release(...pool.at, run.ctx.clock?.now() ?? new Date());
      return done();
    },
  };
}
