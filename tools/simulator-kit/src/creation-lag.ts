/**
 * The "eventually consistent create" fault: an object created through the API stays out of lists,
 * name filters and (when asked) reads by its id until `lagMs` has passed since its creation.
 * The lag is read when a caller looks, not when the object is made, so a test can create under a
 * long lag, see the object missing, then shorten the lag and watch it appear without timing
 * anything. Once an object has been seen it stays visible, as on a real platform whose replicas
 * have caught up.
 */
export class CreationLag {
  /** Creation time (ms) of each object still hidden, by its id. */
  private readonly hidden = new Map<string, number>();

  constructor(
    private readonly lagMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a new object; nothing to record while the fault is off. */
  created(id: string): void {
    if (this.lagMs() > 0) this.hidden.set(id, this.now());
  }

  /** Whether reads may show the object yet. */
  visible(id: string): boolean {
    const createdAt = this.hidden.get(id);
    if (createdAt === undefined) return true;
    if (this.now() - createdAt < this.lagMs()) return false;
    this.hidden.delete(id);
    return true;
  }

  /** Forgets a deleted object. */
  forget(id: string): void {
    this.hidden.delete(id);
  }
}
