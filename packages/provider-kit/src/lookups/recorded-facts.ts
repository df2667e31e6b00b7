/** How long a platform fact seen by this process is trusted without asking again, by default. */
export const RECHECK_RECORDED_FACTS_MS = 5 * 60_000;

/** Past this many keys, expired ones are swept out when a new one is seen. */
const SWEEP_ABOVE = 1_024;

/**
 * When this process last saw a platform fact about an object hold (a cluster's load balancer parts
 * and members, its anti-affinity rule, a pool's volumes), so a reconcile woken by every change of
 * the object's machines need not ask the platform again each time (issue 23). A fact is trusted
 * while it was seen less than `recheckMs` ago and under the same fingerprint: what the check
 * depended on (the wanted members, the spec's generation), so a change there asks again at once.
 * A call that finds a recorded id gone calls `forget`, and the recheck every few minutes corrects
 * drift made outside the provider. Kept in memory on purpose: a restarted manager looks once
 * more, which is the safe direction.
 */
export class RecordedFactChecks {
  private readonly seenAt = new Map<string, { at: number; fingerprint: string; times: number }>();

  constructor(
    /** How long a seen fact is trusted. */
    readonly recheckMs = RECHECK_RECORDED_FACTS_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the fact `key` was seen recently under this fingerprint: within `withinMs`, the recheck
   * window unless a shorter one is asked for (a state still in flux, trusted only for a moment).
   */
  isFresh(key: string, fingerprint = '', withinMs = this.recheckMs): boolean {
    const seen = this.seenAt.get(key);
    return (
      seen !== undefined &&
      seen.fingerprint === fingerprint &&
      this.now() - seen.at < Math.min(withinMs, this.recheckMs)
    );
  }

  /** The platform was just asked and the fact holds (under this fingerprint). */
  seen(key: string, fingerprint = ''): void {
    const at = this.now();
    if (this.seenAt.size >= SWEEP_ABOVE) this.sweep(at);
    const before = this.seenAt.get(key);
    const times = before?.fingerprint === fingerprint ? before.times + 1 : 1;
    this.seenAt.set(key, { at, fingerprint, times });
  }

  /**
   * How many times in a row the fact `key` was seen under this fingerprint (0 if not, or under
   * another): a state that stays as it was can be looked at less and less often.
   */
  timesSeen(key: string, fingerprint = ''): number {
    const seen = this.seenAt.get(key);
    return seen?.fingerprint === fingerprint ? seen.times : 0;
  }

  /** Something recorded was not found, or changed: the next reconcile asks the platform again. */
  forget(key: string): void {
    this.seenAt.delete(key);
  }

  /** Every fact about one object (`prefix`, and the keys `prefix/...`): the object is going, or a part of it was not found. */
  forgetUnder(prefix: string): void {
    for (const key of [...this.seenAt.keys()])
      if (key === prefix || key.startsWith(`${prefix}/`)) this.seenAt.delete(key);
  }

  /** How many facts are kept (expired ones until the next sweep). */
  get size(): number {
    return this.seenAt.size;
  }

  private sweep(at: number): void {
    for (const [key, seen] of this.seenAt) if (at - seen.at >= this.recheckMs) this.seenAt.delete(key);
  }
}
