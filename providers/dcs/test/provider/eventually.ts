import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `check` gives a value; the bound only stops a broken build from hanging the run. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  boundMs = 90_000,
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
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
