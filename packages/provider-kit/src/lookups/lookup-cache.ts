/** How long a looked-up inventory item is reused by default. */
const DEFAULT_TTL_MS = 30_000;
/** Past this many keys, expired entries are swept out when a new one is added. */
const SWEEP_ABOVE = 256;

/**
 * What a provider looks up by name and that rarely changes (a site, a VM template, a port group,
 * a datastore), kept per platform account for a short while: a thousand machines cloned from one
 * template ask the platform for it once per `ttlMs`, not once per reconcile. Callers that ask at
 * the same time share one request. A failed lookup is not kept, and neither is an answer the
 * caller says to look up again (`undefined`, "not there yet"): only what was found is reused.
 */
export class LookupCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit && at - hit.at < this.ttlMs) return hit.value as Promise<T>;
    if (this.entries.size >= SWEEP_ABOVE) this.sweep(at);
    const value = load();
    const entry = { at, value };
    this.entries.set(key, entry);
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then((found) => found === undefined && drop(), drop);
    return value;
  }

  /** Forgets one key (a lookup that proved stale: the platform said the item is gone), or all. */
  forget(key?: string): void {
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(at: number): void {
    for (const [key, entry] of this.entries) if (at - entry.at >= this.ttlMs) this.entries.delete(key);
  }
}
