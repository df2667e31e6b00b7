import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/runtime/logger.js';
import { Manager } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import { createTestProvider } from './fixtures/test-provider.ts';

const managers: Manager[] = [];
// The manager's clock: it stands still unless a test moves it.
let now = Date.parse('2026-01-01T00:00:00Z');
afterAll(async () => {
  // A request waiting for a token holds stop() until the clock earns it.
  const ticking = setInterval(() => {
    now += 1_000;
  }, 50);
  try {
    for (const manager of managers) await manager.stop();
  } finally {
    clearInterval(ticking);
  }
});

/** Requests the manager has sent to the API server and seen answered (watches count when they open). */
async function kubeRequestsOf(manager: Manager): Promise<number> {
  const counted = await manager.metrics.kubeRequests.get();
  return counted.values.reduce((sum, { value }) => sum + value, 0);
}

/** Resolves once `read` has given the same answer for `settleMs` of waiting: the count stands still. */
async function settled(read: () => Promise<number>, settleMs = 1_500): Promise<number> {
  let last = await read();
  for (let look = 0; look < 40; look++) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the count never stood still (last ${last})`);
}

async function readyz(manager: Manager): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${manager.probePort}/readyz`);
  return { status: response.status, text: await response.text() };
}

describe('the Kubernetes rate limit of a running manager (--qps, --burst)', () => {
  // The clock the manager earns tokens by stands still unless the test moves it, so the counts below
  // are exact however fast or slow this machine is: no request can be earned by waiting.
  it('sends the burst at once, then exactly qps requests per second of its clock, and is not ready until its caches sync', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'kube-rate');
    const manager = new Manager({
      kubeConfig,
      namespace,
      providers: [createTestProvider({ platform: new FakePlatform() })],
      qps: 1,
      burst: 2,
      clock: { now: () => new Date(now) },
      probes: { host: '127.0.0.1', port: 0 },
      log: createLogger({ level: 'error' }),
    });
    managers.push(manager);
    // Starting lists and watches every kind: many more requests than the burst.
    void manager.start();

    expect(await settled(() => kubeRequestsOf(manager))).toBe(2);
    // The caches cannot sync on two requests: the replica says so and is kept out of service.
    const syncing = await readyz(manager);
    expect(syncing.status).toBe(503);
    expect(syncing.text).toBe('not ready: caches syncing for @immutable-infra/provider-test');

    // One per second: two seconds of the clock let exactly two more through.
    now += 2_000;
    expect(await settled(() => kubeRequestsOf(manager))).toBe(4);

    // A minute earns no more than the burst.
    now += 60_000;
    expect(await settled(() => kubeRequestsOf(manager))).toBe(6);
    expect((await readyz(manager)).status).toBe(503);

    // Given time, it syncs and says so.
    const ticking = setInterval(() => {
      now += 1_000;
    }, 50);
    try {
      const ready = await eventually('the caches synced', async () => {
        const answer = await readyz(manager);
        return answer.status === 200 ? answer : undefined;
      });
      expect(ready.text).toBe('ok: reconciling @immutable-infra/provider-test');
    } finally {
      clearInterval(ticking);
    }
  });
});
