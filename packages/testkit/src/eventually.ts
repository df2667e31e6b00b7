import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `check` returns something other than undefined or false, and
 * returns it. The bound only keeps a broken build from hanging the run; it is
 * not a speed assertion (speed is for benchmarks). Errors thrown by `check`
 * count as "not yet" and the last one is reported if time runs out.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  boundMs = 90_000,
  /** Between checks; a check that lists many objects wants more than the default 50 ms. */
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + boundMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
