import { describe, expect, it } from 'vitest';
import { OwnStatusWrites } from '../src/host/own-writes.js';
import { formatDelay, STEP_BACKOFF_DEFAULTS, StepBackoff } from '../src/host/step-backoff.js';
import type { KubeObject } from '../src/kube/object-client.js';
import { resourceOfPath, subresourceOfPath } from '../src/kube/transport.js';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const at = (stepIndex: number, generation = 1) => ({ phase: 'reconcile' as const, stepIndex, generation });

describe('StepBackoff', () => {
  it('starts at 2 s, doubles and stays at 5 min', () => {
    const time = clock();
    const backoff = new StepBackoff({}, time.now);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) delays.push(backoff.failed('ns/m1', at(1)).delayMs);
    expect(STEP_BACKOFF_DEFAULTS).toEqual({ initialMs: 2_000, maxMs: 300_000 });
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
  });

  it('holds the object back until the delay is over, whatever wakes it', () => {
    const time = clock();
    const backoff = new StepBackoff({ initialMs: 1_000 }, time.now);
    expect(backoff.remainingMs('ns/m1', at(0))).toBeUndefined();
    backoff.failed('ns/m1', at(0));
    backoff.failed('ns/m1', at(0));
    time.advance(500);
    expect(backoff.remainingMs('ns/m1', at(0))).toBe(1_500);
    expect(backoff.remainingMs('ns/m2', at(0))).toBeUndefined();
    time.advance(1_500);
    expect(backoff.remainingMs('ns/m1', at(0))).toBeUndefined();
  });

  it('starts afresh after progress: a reset, or a failure at a later step', () => {
    const backoff = new StepBackoff({ initialMs: 1_000 }, clock().now);
    backoff.failed('k', at(0));
    expect(backoff.failed('k', at(0)).failures).toBe(2);
    expect(backoff.failed('k', at(2))).toEqual({ delayMs: 1_000, failures: 1 });
    // Failing at an earlier step again is no progress.
    expect(backoff.failed('k', at(1)).failures).toBe(2);
    backoff.reset('k');
    expect(backoff.failed('k', at(1)).failures).toBe(1);
  });

  it('lets a spec change or the start of deletion try at once', () => {
    const backoff = new StepBackoff({ initialMs: 1_000 }, clock().now);
    backoff.failed('k', at(0, 1));
    expect(backoff.remainingMs('k', { phase: 'reconcile', generation: 2 })).toBeUndefined();
    backoff.failed('k', at(0, 2));
    expect(backoff.remainingMs('k', { phase: 'delete', generation: 2 })).toBeUndefined();
  });

  it('waits out a throttled call for its Retry-After without counting it as a failure', () => {
    const time = clock();
    const backoff = new StepBackoff({ initialMs: 2_000, maxMs: 60_000 }, time.now);
    // Throttled again and again: always the platform's second, never growing.
    const throttles = Array.from({ length: 5 }, () => backoff.throttled('k', at(1), 1_000));
    expect(throttles).toEqual(Array(5).fill({ delayMs: 1_000, failures: 0 }));
    expect(backoff.remainingMs('k', at(1))).toBe(1_000);
    // The first real failure after them is the first, with the initial delay.
    expect(backoff.failed('k', at(1))).toEqual({ delayMs: 2_000, failures: 1 });
    // A throttle between failures leaves their count where it was.
    expect(backoff.throttled('k', at(1), 1_000)).toEqual({ delayMs: 1_000, failures: 1 });
    expect(backoff.failed('k', at(1))).toEqual({ delayMs: 4_000, failures: 2 });
    // Bounded: never longer than maxMs, never a hot loop on a Retry-After in the past.
    expect(backoff.throttled('k', at(1), 86_400_000).delayMs).toBe(60_000);
    expect(backoff.throttled('k', at(1), -5_000).delayMs).toBe(100);
    // Throttled at a later step is progress, as a failure there would be.
    expect(backoff.throttled('k', at(2), 1_000).failures).toBe(0);
    expect(backoff.failed('k', at(2)).failures).toBe(1);
  });

  it("honours the platform's retry-after when it is longer", () => {
    const backoff = new StepBackoff({ initialMs: 1_000 }, clock().now);
    expect(backoff.failed('k', at(0), 90_000).delayMs).toBe(90_000);
    expect(backoff.failed('k', at(0), 100).delayMs).toBe(2_000);
    expect(backoff.failed('k', at(0), 86_400_000).delayMs).toBe(3_600_000);
  });

  it('words its delays for the condition', () => {
    expect([500, 1_000, 1_500, 16_000, 300_000, 90_000].map(formatDelay)).toEqual([
      '0.5 s',
      '1 s',
      '1.5 s',
      '16 s',
      '5 min',
      '90 s',
    ]);
  });
});

describe('OwnStatusWrites', () => {
  const object = (resourceVersion: string, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'TestMachine',
    metadata: { name: 'm1', namespace: 'ns', resourceVersion, labels: { a: '1' } },
    spec: { cpus: 2 },
    status: { ready: false },
    ...extra,
  });

  it('recognises the event of its own write, by version or by the status written, once', () => {
    const writes = new OwnStatusWrites();
    const base = object('10');
    writes.writing('ns/m1', base, { ready: true });
    // The event can come before the response.
    expect(writes.isOwnWrite('ns/m1', base, object('11', { status: { ready: true } }))).toBe(true);
    expect(writes.isOwnWrite('ns/m1', base, object('11', { status: { ready: true } }))).toBe(false);

    writes.writing('ns/m1', object('11'), { ready: true, extra: 1 });
    writes.written('ns/m1', object('12', { status: { ready: true, extra: 1, defaulted: 'x' } }));
    expect(
      writes.isOwnWrite(
        'ns/m1',
        object('11'),
        object('12', { status: { ready: true, extra: 1, defaulted: 'x' } }),
      ),
    ).toBe(true);
  });

  it("wakes for anyone else's change", () => {
    const writes = new OwnStatusWrites();
    const base = object('10');
    const theirs = [
      object('11', { status: { ready: 'someone else' } }),
      object('11', { status: { ready: true }, spec: { cpus: 4 } }),
      {
        ...object('11', { status: { ready: true } }),
        metadata: { ...base.metadata, resourceVersion: '11', annotations: { b: '2' } },
      },
      {
        ...object('11', { status: { ready: true } }),
        metadata: { ...base.metadata, resourceVersion: '11', deletionTimestamp: 'now' },
      },
    ];
    for (const event of theirs) {
      writes.writing('ns/m1', base, { ready: true });
      expect(writes.isOwnWrite('ns/m1', base, event)).toBe(false);
    }
    // Not the version it wrote against: something else happened in between.
    writes.writing('ns/m1', base, { ready: true });
    expect(writes.isOwnWrite('ns/m1', object('9'), object('11', { status: { ready: true } }))).toBe(false);
  });
});

describe('resourceOfPath', () => {
  it('names the resource of a request without object names', () => {
    expect(resourceOfPath('/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/machines/m1')).toBe('machines');
    expect(resourceOfPath('/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/clusters/c1/status')).toBe(
      'clusters',
    );
    expect(resourceOfPath('/apis/cluster.x-k8s.io/v1beta2/machines')).toBe('machines');
    expect(resourceOfPath('/api/v1/namespaces/ns/secrets/s')).toBe('secrets');
    expect(resourceOfPath('/api/v1/namespaces/ns')).toBe('namespaces');
    expect(resourceOfPath('/apis/cluster.x-k8s.io/v1beta2')).toBe('discovery');
  });
});

describe('subresourceOfPath', () => {
  it('names the subresource of a request, or none', () => {
    expect(subresourceOfPath('/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/clusters/c1/status')).toBe(
      'status',
    );
    expect(subresourceOfPath('/apis/example.dev/v1/hosts/h1/status?dryRun=All')).toBe('status');
    expect(subresourceOfPath('/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/machines/m1')).toBe('');
    expect(subresourceOfPath('/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/machines')).toBe('');
    expect(subresourceOfPath('/api/v1/namespaces/ns')).toBe('');
    expect(subresourceOfPath('/apis/cluster.x-k8s.io/v1beta2')).toBe('');
  });
});
