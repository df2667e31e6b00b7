/**
 * mulberry32: a tiny, fast generator whose whole state is one 32-bit number, so a seed fully
 * determines which calls a fault hits. Not for anything that needs to be unpredictable.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number = Date.now()) {
    this.state = seed >>> 0;
  }

  /** Starts the sequence again from `seed`. */
  reseed(seed: number): void {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `rate`; draws nothing when the rate is 0 so an unused fault does not shift others. */
  chance(rate: number): boolean {
    if (rate <= 0) return false;
    return this.next() < rate;
  }
}
