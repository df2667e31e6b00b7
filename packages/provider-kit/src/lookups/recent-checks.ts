/**
 * When this process last saw, on the platform, what an object's status records: per object (its
 * UID) and per aspect (a load balancer's parts, its members). A reconcile that runs on every
 * change of the objects around it trusts the recorded ids while the check is fresh instead of
 * listing the platform each time; after `recheckMs`, or once `forget` says a recorded id was not
 * found, it lists again, and drift made outside the provider is corrected then. Kept in memory
 * on purpose: a restarted manager lists once more, which is the safe direction.
 */
export class RecentChecks<Aspect extends string = string> {
  private readonly seenAt = new Map<string, number>();

  constructor(
    readonly recheckMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `aspect` of `uid` was seen less than `recheckMs` ago. */
  fresh(uid: string, aspect: Aspect): boolean {
    const at = this.seenAt.get(keyOf(uid, aspect));
    return at !== undefined && this.now() - at < this.recheckMs;
  }

  /** `aspect` of `uid` was just seen on the platform as status records it. */
  seen(uid: string, aspect: Aspect): void {
    this.seenAt.set(keyOf(uid, aspect), this.now());
  }

  /** Something recorded for `uid` was not found, or the object is going: every aspect is listed again. */
  forget(uid: string): void {
    const prefix = keyOf(uid, '');
    for (const key of [...this.seenAt.keys()]) if (key.startsWith(prefix)) this.seenAt.delete(key);
  }
}

// A UID never holds a NUL, so no object's keys start with another's prefix.
const keyOf = (uid: string, aspect: string) => `${uid}\u0000${aspect}`;
