import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import { isKubeConflict } from '../kube/kube-errors.js';

/** Who holds an entry: the UID decides, the name is kept for people reading the status. */
export interface Claimant {
  uid: string;
  name: string;
  /**
   * What the claimant's machine belongs to (its control plane or MachineDeployment), for pools
   * bound to one consumer; a claimant without one is never refused for its consumer.
   */
  consumer?: PoolConsumer | undefined;
}

/** The workload controller a pool is bound to: its machines alone take the pool's entries. */
export interface PoolConsumer {
  apiVersion?: string | undefined;
  kind: string;
  name: string;
}

/**
 * How one pool kind keeps its entries and claims: an IP/hostname pool, a machine config pool, a
 * bare-metal inventory pool. Entries live in spec, claims in status; both stay the kind's own shape.
 */
export interface ClaimablePoolKind<Pool, Entry, Claim> {
  apiVersion: string;
  kind: string;
  /** The entries in pool order (the first free one is handed out, so racing managers pick the same). */
  entries(pool: Pool): readonly Entry[];
  /** What identifies an entry across edits of the pool: its IP, hostname or inventory name. */
  entryKey(entry: Entry): string;
  claims(pool: Pool): readonly Claim[];
  /** The key of the entry a claim holds. */
  claimedEntryKey(claim: Claim): string;
  /** The UID of the claim's holder; undefined for a claim that has none (never matched by UID). */
  claimantUid(claim: Claim): string | undefined;
  /**
   * For claims written before claims carried a UID (HCS keyed them by machine name): whether this
   * UID-less claim is the claimant's. Such a claim is adopted on the next claim (rewritten with the
   * UID) and released by the claimant like its own.
   */
  isLegacyClaimOf?(claim: Claim, claimant: Claimant): boolean;
  newClaim(entry: Entry, claimant: Claimant): Claim;
  /** The status merge patch that stores these claims (e.g. `{ slots: claims }`). */
  statusWithClaims(claims: Claim[]): Record<string, unknown>;
  /**
   * The status fields that hold the pool's counts, under the kind's own names (e.g. `{ total, used }`).
   * Written with every claim and release, so the pool's own reconcile finds them current and has
   * nothing to write: one write per claim, not two.
   */
  usageStatus?(usage: PoolUsage, claims: readonly Claim[], pool: Pool): Record<string, unknown>;
  /**
   * Whether a claim record holds its entry. A record that does not (a released slot whose
   * persistent disks wait for the next machine) is replaced by the next claim of its entry, and its
   * entry is handed out before entries without a record. Every record holds when this is absent.
   */
  holds?(claim: Claim): boolean;
  /**
   * The record a released claim leaves behind (state Released and when), or undefined to drop it.
   * Claims are dropped on release when this is absent.
   */
  released?(claim: Claim, at: Date): Claim | undefined;
  /**
   * A pool bound to one consumer: the first claimant's consumer is recorded with its claim, a
   * claimant of another consumer is refused, and the binding goes when no record is left.
   */
  binding?: {
    of(pool: Pool): PoolConsumer | undefined;
    /** The status merge patch fields that store the binding; undefined clears it. */
    status(consumer: PoolConsumer | undefined): Record<string, unknown>;
  };
}

export type ClaimResult<Entry, Claim> =
  | { ok: true; entry: Entry; claim: Claim }
  | {
      ok: false;
      reason: 'PoolNotFound' | 'PoolExhausted' | 'ClaimedEntryRemoved' | 'PoolBoundElsewhere';
      /** Names the pool and the entry, never a credential. */
      message: string;
    };

export interface PoolUsage {
  total: number;
  used: number;
  free: number;
  /** Claims whose entry was removed from spec while held: reported, never silently dropped. */
  orphaned: number;
}

/** The part of a pool object the claimable pool reads: its name and resourceVersion. */
export interface PoolObject {
  metadata: { name?: string | undefined; resourceVersion?: string | undefined };
}

/** Attempts of a claim or release when another writer changed the pool in between. */
const DEFAULT_ATTEMPTS = 5;

/**
 * Entries of a pool object held by claimants, recorded in the pool's status with a
 * resourceVersion compare-and-swap: two claimants racing for the last entry cannot both get it.
 * Claims are keyed by the claimant's UID, so a re-run gets the same entry back and a new object
 * with the old name is a different holder; a release of an entry not held is a no-op.
 */
export class ClaimablePool<Pool extends PoolObject, Entry, Claim> {
  constructor(
    private readonly kube: KubeClient,
    private readonly poolKind: ClaimablePoolKind<Pool, Entry, Claim>,
    private readonly options: { attempts?: number } = {},
  ) {}

  /**
   * The claimant's entry: the one it holds already, or the first free one it may take (`eligible`:
   * an entry in the claimant's failure domain, say), claimed now.
   */
  async claim(
    namespace: string,
    poolName: string,
    claimant: Claimant,
    eligible: (entry: Entry) => boolean = () => true,
  ): Promise<ClaimResult<Entry, Claim>> {
    return this.withRetries(namespace, poolName, async () => {
      const pool = await this.read(namespace, poolName);
      if (!pool) return { done: true, value: this.notFound(poolName) };
      const claims = this.poolKind.claims(pool);
      const held = this.heldIn(pool, claimant);
      if (held?.ok === true && this.poolKind.claimantUid(held.claim) === undefined) {
        // A legacy claim: written again with the UID, so from now on only the UID decides.
        const adopted = this.poolKind.newClaim(held.entry, claimant);
        await this.write(
          namespace,
          poolName,
          pool,
          claims.map((c) => (c === held.claim ? adopted : c)),
        );
        return { done: true, value: { ok: true, entry: held.entry, claim: adopted } };
      }
      if (held) return { done: true, value: held };
      const bound = this.poolKind.binding?.of(pool);
      if (bound && claimant.consumer && !sameConsumer(bound, claimant.consumer))
        return {
          done: true,
          value: {
            ok: false,
            reason: 'PoolBoundElsewhere',
            message:
              `${this.poolKind.kind} ${poolName} is bound to ${bound.kind} ${bound.name}, ` +
              `not to this machine's ${claimant.consumer.kind} ${claimant.consumer.name}`,
          },
        };
      const entry = this.firstFree(pool, eligible);
      if (!entry) {
        const entries = this.poolKind.entries(pool);
        const mayTake = entries.filter(eligible).length;
        return {
          done: true,
          value: {
            ok: false,
            reason: 'PoolExhausted',
            message:
              mayTake === entries.length
                ? `no free entry in ${this.poolKind.kind} ${poolName}: all ${entries.length} are in use`
                : `no free entry in ${this.poolKind.kind} ${poolName} for this claimant: the ${mayTake} of ${entries.length} it may take are in use`,
          },
        };
      }
      const key = this.poolKind.entryKey(entry);
      const claim = this.poolKind.newClaim(entry, claimant);
      // A released record of the entry is replaced: the entry has one record at a time.
      const others = claims.filter((c) => this.poolKind.claimedEntryKey(c) !== key);
      await this.write(namespace, poolName, pool, [...others, claim], bound ?? claimant.consumer);
      return { done: true, value: { ok: true, entry, claim } };
    });
  }

  /** The entry a claimant holds, without claiming one; undefined when it holds none. */
  async heldEntry(
    namespace: string,
    poolName: string,
    claimant: Claimant,
  ): Promise<ClaimResult<Entry, Claim> | undefined> {
    const pool = await this.read(namespace, poolName);
    if (!pool) return this.notFound(poolName);
    return this.heldIn(pool, claimant);
  }

  /** Gives the claimant's entry back. True when this call released it; false when nothing was held (a repeat). */
  async release(
    namespace: string,
    poolName: string,
    claimant: Claimant,
    /** When the release happens, for a kind that keeps a released record. */
    at: Date = new Date(),
  ): Promise<boolean> {
    return this.withRetries(namespace, poolName, async () => {
      const pool = await this.read(namespace, poolName);
      if (!pool) return { done: true, value: false };
      const claims = this.poolKind.claims(pool);
      const mine = claims.filter((claim) => this.holds(claim) && this.isClaimOf(claim, claimant));
      if (mine.length === 0) return { done: true, value: false };
      const remaining = claims.flatMap((claim) => {
        if (!mine.includes(claim)) return [claim];
        const left = this.poolKind.released?.(claim, at);
        return left ? [left] : [];
      });
      await this.write(namespace, poolName, pool, remaining, this.poolKind.binding?.of(pool));
      return { done: true, value: true };
    });
  }

  /**
   * Drops the released records `expired` picks (their reserve time is over and their disks are
   * reclaimed, say), so their entries are free like any other. Returns how many went.
   */
  async forgetReleased(
    namespace: string,
    poolName: string,
    expired: (claim: Claim) => boolean,
  ): Promise<number> {
    return this.withRetries(namespace, poolName, async () => {
      const pool = await this.read(namespace, poolName);
      if (!pool) return { done: true, value: 0 };
      const claims = this.poolKind.claims(pool);
      const remaining = claims.filter((claim) => this.holds(claim) || !expired(claim));
      const gone = claims.length - remaining.length;
      if (gone > 0) await this.write(namespace, poolName, pool, remaining, this.poolKind.binding?.of(pool));
      return { done: true, value: gone };
    });
  }

  /**
   * Writes status fields the pool's own controller derives from its claims (a persistent-disk
   * report with each entry's holder, say), in turn with the claims and releases of the same pool
   * and compare-and-swapped like them: a write that meets a newer pool (409) reads it again and
   * derives anew, never re-applies what it derived from an older copy. `derive` answers the fields
   * to write, or undefined for nothing; returns the pool as written (or as read when unchanged).
   */
  async updateDerivedStatus(
    namespace: string,
    poolName: string,
    derive: (pool: Pool) => Record<string, unknown> | undefined,
  ): Promise<Pool | undefined> {
    return this.withRetries(namespace, poolName, async () => {
      const pool = await this.read(namespace, poolName);
      if (!pool) return { done: true, value: undefined };
      const fields = derive(pool);
      if (!fields) return { done: true, value: pool };
      const written = await this.kube.patchStatus<Pool>(this.ref(namespace, poolName), {
        metadata: { resourceVersion: pool.metadata.resourceVersion },
        status: fields,
      });
      return { done: true, value: written };
    });
  }

  /** Counts for the pool's status and the UI. */
  usage(pool: Pool, claimsNow: readonly Claim[] = this.poolKind.claims(pool)): PoolUsage {
    const keys = new Set(this.poolKind.entries(pool).map((entry) => this.poolKind.entryKey(entry)));
    const claims = claimsNow.filter((claim) => this.holds(claim));
    const used = claims.filter((claim) => keys.has(this.poolKind.claimedEntryKey(claim))).length;
    return { total: keys.size, used, free: keys.size - used, orphaned: claims.length - used };
  }

  /** Whether a record holds its entry (see {@link ClaimablePoolKind.holds}). */
  holds(claim: Claim): boolean {
    return this.poolKind.holds?.(claim) ?? true;
  }

  /** The entry the next claim gets: a released one first (its disks wait for it), else the first without a record. */
  private firstFree(pool: Pool, eligible: (entry: Entry) => boolean): Entry | undefined {
    const records = new Map(this.poolKind.claims(pool).map((c) => [this.poolKind.claimedEntryKey(c), c]));
    const entries = this.poolKind.entries(pool).filter(eligible);
    const released = entries.find((entry) => {
      const record = records.get(this.poolKind.entryKey(entry));
      return record !== undefined && !this.holds(record);
    });
    return released ?? entries.find((entry) => !records.has(this.poolKind.entryKey(entry)));
  }

  private isClaimOf(claim: Claim, claimant: Claimant): boolean {
    const uid = this.poolKind.claimantUid(claim);
    if (uid !== undefined) return uid === claimant.uid;
    return this.poolKind.isLegacyClaimOf?.(claim, claimant) ?? false;
  }

  private heldIn(pool: Pool, claimant: Claimant): ClaimResult<Entry, Claim> | undefined {
    const claims = this.poolKind.claims(pool);
    // A claim by UID wins over a legacy one that merely carries the same name.
    const holding = claims.filter((c) => this.holds(c));
    const claim =
      holding.find((c) => this.poolKind.claimantUid(c) === claimant.uid) ??
      holding.find((c) => this.isClaimOf(c, claimant));
    if (!claim) return undefined;
    const key = this.poolKind.claimedEntryKey(claim);
    const entry = this.poolKind.entries(pool).find((candidate) => this.poolKind.entryKey(candidate) === key);
    if (entry) return { ok: true, entry, claim };
    return {
      ok: false,
      reason: 'ClaimedEntryRemoved',
      message:
        `the entry ${key} this claimant holds was removed from ${this.poolKind.kind} ${pool.metadata.name ?? ''}`.trimEnd(),
    };
  }

  private notFound(poolName: string): ClaimResult<Entry, Claim> {
    return { ok: false, reason: 'PoolNotFound', message: `${this.poolKind.kind} ${poolName} not found` };
  }

  private ref(namespace: string, name: string): ObjectReference {
    return { apiVersion: this.poolKind.apiVersion, kind: this.poolKind.kind, namespace, name };
  }

  private read(namespace: string, name: string): Promise<Pool | undefined> {
    return this.kube.get<Pool>(this.ref(namespace, name));
  }

  private async write(
    namespace: string,
    name: string,
    pool: Pool,
    claims: Claim[],
    consumer?: PoolConsumer | undefined,
  ): Promise<void> {
    const binding = this.poolKind.binding;
    await this.kube.patchStatus(this.ref(namespace, name), {
      // The compare-and-swap: a pool changed since it was read answers 409 and is read again.
      metadata: { resourceVersion: pool.metadata.resourceVersion },
      status: {
        ...this.poolKind.statusWithClaims(claims),
        ...this.poolKind.usageStatus?.(this.usage(pool, claims), claims, pool),
        // The binding lasts while any record (held or released) is left.
        ...(binding ? binding.status(claims.length > 0 ? consumer : undefined) : {}),
      },
    });
  }

  private async withRetries<T>(
    namespace: string,
    name: string,
    attempt: () => Promise<{ done: true; value: T }>,
  ): Promise<T> {
    return inTurn(this.kube, `${this.poolKind.apiVersion}/${this.poolKind.kind}/${namespace}/${name}`, () =>
      this.retrying(attempt),
    );
  }

  private async retrying<T>(attempt: () => Promise<{ done: true; value: T }>): Promise<T> {
    const attempts = this.options.attempts ?? DEFAULT_ATTEMPTS;
    for (let n = 1; ; n++) {
      try {
        return (await attempt()).value;
      } catch (error) {
        if (!isKubeConflict(error) || n >= attempts) throw error;
      }
    }
  }
}

const sameConsumer = (a: PoolConsumer, b: PoolConsumer) => a.kind === b.kind && a.name === b.name;

/** The claims and releases waiting for their turn, per Kubernetes client (one per manager) and pool. */
const turns = new WeakMap<KubeClient, Map<string, Promise<void>>>();

/**
 * Runs `work` after every earlier claim or release of the same pool through the same client:
 * the reconciles of one manager take turns instead of racing to a 409 and a retry, each reading
 * what the one before wrote. Other managers (other clients) still race, and the compare-and-swap
 * decides between them.
 */
async function inTurn<T>(kube: KubeClient, pool: string, work: () => Promise<T>): Promise<T> {
  const queues = turns.get(kube) ?? new Map<string, Promise<void>>();
  turns.set(kube, queues);
  const before = queues.get(pool) ?? Promise.resolve();
  let finished!: () => void;
  const over = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const mine = before.then(() => over);
  queues.set(pool, mine);
  await before;
  try {
    return await work();
  } finally {
    finished();
    if (queues.get(pool) === mine) queues.delete(pool);
  }
}
