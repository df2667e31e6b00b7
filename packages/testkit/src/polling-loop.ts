import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `tick` every `pollMs` until stopped, as the stand-in controllers of tests do (a failed tick
 * is tried again on the next one, as a controller's next reconcile would). `stop()` resolves once
 * the tick in progress finished.
 */
export function pollingLoop(tick: () => Promise<void>, pollMs: number): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await tick().catch(() => undefined);
      await sleep(pollMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
