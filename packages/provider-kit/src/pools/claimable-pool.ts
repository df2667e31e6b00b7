import type { KubeClient, ObjectReference } from '@immutable-infra/core';

/** Who holds an entry: the UID decides, the name is kept for people reading the status. */
export interface Claimant {
  uid: string;
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
}

export type ClaimResult<Entry, Claim> =
  | { ok: true; entry: Entry; claim: Claim }
  | {
      ok: false;
      reason: 'PoolNotFound' | 'PoolExhausted' | 'ClaimedEntryRemoved';
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

  /** The claimant's entry: the one it holds already, or the first free one, claimed now. */
  async claim(namespace: string, poolName: string, claimant: Claimant): Promise<ClaimResult<Entry, Claim>> {
    return this.withRetries(async () => {
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
      const taken = new Set(claims.map((claim) => this.poolKind.claimedEntryKey(claim)));
      const entries = this.poolKind.entries(pool);
      const entry = entries.find((candidate) => !taken.has(this.poolKind.entryKey(candidate)));
      if (!entry)
        return {
          done: true,
          value: {
            ok: false,
            reason: 'PoolExhausted',
            message: `no free entry in ${this.poolKind.kind} ${poolName}: all ${entries.length} are in use`,
          },
        };
      const claim = this.poolKind.newClaim(entry, claimant);
      await this.write(namespace, poolName, pool, [...claims, claim]);
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
  async release(namespace: string, poolName: string, claimant: Claimant): Promise<boolean> {
    return this.withRetries(async () => {
      const pool = await this.read(namespace, poolName);
      if (!pool) return { done: true, value: false };
      const claims = this.poolKind.claims(pool);
      const remaining = claims.filter((claim) => !this.isClaimOf(claim, claimant));
      if (remaining.length === claims.length) return { done: true, value: false };
      await this.write(namespace, poolName, pool, remaining);
      return { done: true, value: true };
    });
  }

  /** Counts for the pool's status and the UI. */
  usage(pool: Pool): PoolUsage {
    const keys = new Set(this.poolKind.entries(pool).map((entry) => this.poolKind.entryKey(entry)));
    const claims = this.poolKind.claims(pool);
    const used = claims.filter((claim) => keys.has(this.poolKind.claimedEntryKey(claim))).length;
    return { total: keys.size, used, free: keys.size - used, orphaned: claims.length - used };
  }

  private isClaimOf(claim: Claim, claimant: Claimant): boolean {
    const uid = this.poolKind.claimantUid(claim);
    if (uid !== undefined) return uid === claimant.uid;
    return this.poolKind.isLegacyClaimOf?.(claim, claimant) ?? false;
  }

  private heldIn(pool: Pool, claimant: Claimant): ClaimResult<Entry, Claim> | undefined {
    const claims = this.poolKind.claims(pool);
    // A claim by UID wins over a legacy one that merely carries the same name.
    const claim =
      claims.find((c) => this.poolKind.claimantUid(c) === claimant.uid) ??
      claims.find((c) => this.isClaimOf(c, claimant));
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

  private async write(namespace: string, name: string, pool: Pool, claims: Claim[]): Promise<void> {
    await this.kube.patchStatus(this.ref(namespace, name), {
      // The compare-and-swap: a pool changed since it was read answers 409 and is read again.
      metadata: { resourceVersion: pool.metadata.resourceVersion },
      status: this.poolKind.statusWithClaims(claims),
    });
  }

  private async withRetries<T>(attempt: () => Promise<{ done: true; value: T }>): Promise<T> {
    const attempts = this.options.attempts ?? DEFAULT_ATTEMPTS;
    for (let n = 1; ; n++) {
      try {
        return (await attempt()).value;
      } catch (error) {
        if (!isConflict(error) || n >= attempts) throw error;
      }
    }
  }
}

/** A 409 from the host's KubeClient (`status`) or from client-node (`code`). */
function isConflict(error: unknown): boolean {
  const { status, code, statusCode } = (error ?? {}) as {
    status?: unknown;
    code?: unknown;
    statusCode?: unknown;
  };
  return status === 409 || code === 409 || statusCode === 409;
}
