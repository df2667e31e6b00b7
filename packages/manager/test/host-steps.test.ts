import { setTimeout as sleep } from 'node:timers/promises';
import { done, PlatformFailure, requeue, stepPlan } from '@immutable-infra/core';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../src/host/reconciler.js';
import type { StepBackoffOptions } from '../src/host/step-backoff.js';
import type { ObjectClient } from '../src/kube/object-client.js';
import { createLogger } from '../src/runtime/logger.js';
import { Manager, type ManagerOptions } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import { createTestProvider, NOTE_ANNOTATION } from './fixtures/test-provider.ts';
import { createCluster, createMachine, getTestMachine, objectClient } from './support/capi-objects.ts';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
let kubeConfig: KubeConfig;
let client: ObjectClient;
const running: Manager[] = [];

function startManager(
  platform: FakePlatform,
  namespace: string,
  stepBackoff?: StepBackoffOptions,
  more: Partial<ManagerOptions> = {},
): Manager {
  const manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createTestProvider({ platform })],
    log: createLogger({ level: process.env.IINFRA_TEST_LOG_LEVEL ?? 'error' }),
    ...(stepBackoff ? { stepBackoff } : {}),
    ...more,
  });
  running.push(manager);
  void manager.start();
  return manager;
}

beforeAll(() => {
  kubeConfig = testKubeConfig();
  client = objectClient(kubeConfig);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const readyOf = (m: Awaited<ReturnType<typeof getTestMachine>>) =>
  m?.status?.conditions?.find((c) => c.type === 'Ready');

const count = (list: readonly string[], entry: string) => list.filter((e) => e === entry).length;

/** Waits until `value()` has not changed for `quietMs`, so a test starts its window after start-up settled. */
async function settled(what: string, value: () => number, quietMs = 1_500): Promise<number> {
  return eventually(what, async () => {
    const before = value();
    await sleep(quietMs);
    return value() === before ? before : undefined;
  });
}

describe('step plans run by the host', () => {
  it('runs the steps in order and stops at the first that is not done', async () => {
    const order: string[] = [];
    const step = (name: string, result = done()) => ({
      name,
      run: async (run: string[]) => {
        run.push(name);
        return result;
      },
    });
    const waiting = requeue(2_000, 'cloning', { task: 'task-17', platform: 'DCS' });
    const stopped = await runPlan(
      stepPlan(order, [step('FindVM'), step('CloneVM', waiting), step('PowerOn')]),
    );
    expect(order).toEqual(['FindVM', 'CloneVM']);
    expect(stopped).toEqual({ result: waiting, stopped: { name: 'CloneVM', index: 1 } });

    const finished = await runPlan(
      stepPlan([] as string[], [step('FindVM')], () => ({ type: 'provisioned' })),
    );
    expect(finished).toEqual({ result: { type: 'provisioned' }, stopped: undefined });
  });

  it("turns a step's thrown PlatformFailure into a classified result of that step", async () => {
    const plan = stepPlan({}, [
      { name: 'Login', run: async () => done() },
      {
        name: 'CloneVM',
        run: async () => {
          throw new PlatformFailure('Unreachable', 'connect ECONNREFUSED');
        },
      },
    ]);
    expect(await runPlan(plan)).toEqual({
      result: { type: 'platformFailure', kind: 'Unreachable', message: 'connect ECONNREFUSED' },
      stopped: { name: 'CloneVM', index: 1 },
    });
    const broken = stepPlan({}, [
      {
        name: 'CloneVM',
        run: async () => {
          throw new Error('bug');
        },
      },
    ]);
    await expect(runPlan(broken)).rejects.toThrow('step CloneVM: bug');
  });

  it('provisions a machine through its plan, each run starting at the first step', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'plan-order');
    const platform = new FakePlatform();
    platform.pollsPerTask = 3;
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'provisioned',
      async () => (await getTestMachine(client, namespace, 'm1'))?.status?.ready,
    );

    const runs: string[][] = [];
    for (const entry of platform.steps) {
      const stepName = entry.split(' ')[0] as string;
      if (stepName === 'FindVM') runs.push([]);
      runs.at(-1)?.push(stepName);
    }
    // The run that created the VM stopped there: WaitForVM ran only in later runs.
    expect(runs[0]).toEqual(['FindVM', 'CreateVM']);
    expect(runs.at(-1)).toEqual(['FindVM', 'CreateVM', 'WaitForVM']);
    for (const run of runs) expect(['FindVM', 'CreateVM', 'WaitForVM'].slice(0, run.length)).toEqual(run);
    expect(platform.count('create')).toBe(1);
  });

  it('names the waiting step and what it waits on in the Ready condition', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'plan-waiting');
    const platform = new FakePlatform();
    platform.pollsPerTask = 1_000_000;
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const ready = await eventually('waiting on the creation task', async () => {
      const condition = readyOf(await getTestMachine(client, namespace, 'm1'));
      return condition?.reason === 'WaitForVM' ? condition : undefined;
    });
    expect(ready.status).toBe('False');
    expect(ready.message).toMatch(/^step WaitForVM: waiting for Test task task-1 at \d+ %$/);
  });

  it('keeps the Ready condition of the step that started a task while a later step follows it', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'plan-follows');
    const platform = new FakePlatform();
    // A percent every 10 polls of 50 ms: new words twice a second.
    platform.pollsPerTask = 1_000;
    platform.followsTasks = true;
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'the task followed',
      async () => count(platform.steps, 'WaitForVM m1') >= 5 || undefined,
    );
    // CreateVM said what the task does: following it changes neither the reason nor, within the
    // progress interval, the words (a reason moving to WaitForVM would be a write per task).
    const ready = readyOf(await getTestMachine(client, namespace, 'm1'));
    expect(ready).toMatchObject({ status: 'False', reason: 'CreateVM', severity: 'Info' });
    expect(ready?.message).toMatch(/^step CreateVM: waiting for Test task task-1/);
    const percentOf = (message: string | undefined) => Number(/task-1 at (\d+) %$/.exec(message ?? '')?.[1]);
    // The newest percentage still reaches it, at most once per interval, under the same reason.
    const later = await eventually('a percentage written', async () => {
      const condition = readyOf(await getTestMachine(client, namespace, 'm1'));
      return percentOf(condition?.message) > 0 ? condition : undefined;
    });
    expect(later).toMatchObject({ reason: 'CreateVM' });
    expect(later.message).toMatch(/^step CreateVM: waiting for Test task task-1 at \d+ %$/);
  });

  it("writes a task's changing percentage at most once per 10 s, and never loses the latest", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'plan-progress');
    const platform = new FakePlatform();
    // Polled every 50 ms, the task moves one percent every 10 polls: a new message twice a second.
    platform.pollsPerTask = 1_000;
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const percentOf = (message: string | undefined) => Number(/at (\d+) %$/.exec(message ?? '')?.[1]);
    const first = await eventually('waiting on the creation task', async () => {
      const machine = await getTestMachine(client, namespace, 'm1');
      return readyOf(machine)?.reason === 'WaitForVM' ? machine : undefined;
    });
    const firstPercent = percentOf(readyOf(first)?.message);
    // Every write of the machine from here on, as the API server's watch tells them.
    const versions = new Set<string>();
    const watch = await new Watch(kubeConfig).watch(
      `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${namespace}/testmachines`,
      { resourceVersion: first?.metadata.resourceVersion ?? '0' },
      (_type: string, object: { metadata: { resourceVersion: string } }) =>
        versions.add(object.metadata.resourceVersion),
      () => {},
    );
    try {
      const polls = () => platform.attempts.filter((a) => a.operation === 'PollTask').length;
      const pollsBefore = polls();
      const started = performance.now();
      // 100 polls read at least 10 new percentages; written each time, that would be 10 writes.
      await eventually('100 polls', () => polls() - pollsBefore >= 100);
      const intervals = Math.floor((performance.now() - started) / 10_000);
      expect(versions.size).toBeLessThanOrEqual(1 + intervals);
      // The newest percentage reaches the object once an interval since the last write is over.
      const later = await eventually('a later percentage written', async () => {
        const condition = readyOf(await getTestMachine(client, namespace, 'm1'));
        return percentOf(condition?.message) > firstPercent ? condition : undefined;
      });
      expect(later.reason).toBe('WaitForVM');
    } finally {
      watch.abort();
    }
  });
});

describe('back-off after classified platform failures', () => {
  it('spaces the calls to a failing platform further apart, and starts afresh once it recovers', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'backoff');
    const platform = new FakePlatform();
    platform.failWith = 'Unreachable';
    // 1 s doubling to 8 s keeps the test short; the defaults (2 s to 5 min) differ only in scale.
    startManager(platform, namespace, { initialMs: 1_000, maxMs: 8_000 });
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');

    const first = await eventually('the first platform call', () => platform.attempts[0]);
    const windowMs = 12_000;
    await sleep(Math.max(0, first.at + windowMs - performance.now()));
    const inWindow = platform.attempts.filter((a) => a.at < first.at + windowMs);
    // Retrying at the steps' own 50 ms requeue would have made over 200 calls in the window;
    // the back-off makes calls at about 0, 1, 3 and 7 s.
    expect(inWindow.length).toBeGreaterThanOrEqual(3);
    expect(inWindow.length).toBeLessThanOrEqual(5);
    expect(inWindow.every((a) => a.operation === 'FindVM')).toBe(true);
    const intervals = inWindow.slice(1).map((a, i) => a.at - (inWindow[i]?.at ?? 0));
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i]).toBeGreaterThanOrEqual(intervals[i - 1] ?? 0);
    }

    const failing = readyOf(await getTestMachine(client, namespace, 'm1'));
    expect(failing?.status).toBe('False');
    expect(failing?.reason).toBe('Unreachable');
    expect(failing?.message).toMatch(
      /^step FindVM failed \(Unreachable\): FindVM: connect ECONNREFUSED 192\.0\.2\.1:443; the platform endpoint did not answer.*; next attempt in \d+ s$/,
    );
    expect(platform.count('create')).toBe(0);

    // Someone else's change wakes the object, but its platform is left alone until the back-off is
    // over (the next call is due about 15 s after the first; this looks until 13.5 s).
    const callsBefore = platform.attempts.length;
    await client.patch(
      { apiVersion: INFRA, kind: 'TestMachine', name: 'm1', namespace },
      { metadata: { annotations: { [NOTE_ANNOTATION]: 'early' } } },
    );
    await sleep(Math.max(0, first.at + 13_500 - performance.now()));
    expect(platform.attempts.length).toBe(callsBefore);

    platform.failWith = undefined;
    await eventually('provisioned after the platform recovered', async () => {
      return (await getTestMachine(client, namespace, 'm1'))?.status?.ready;
    });
    expect(platform.count('create')).toBe(1);

    // Progress reset the back-off: the next failure waits the initial second again, not 8 s.
    platform.failWith = 'Unreachable';
    await client.patch(
      { apiVersion: INFRA, kind: 'TestMachine', name: 'm1', namespace },
      { metadata: { annotations: { [NOTE_ANNOTATION]: 'wake up' } } },
    );
    const again = await eventually('failing again', async () => {
      const condition = readyOf(await getTestMachine(client, namespace, 'm1'));
      return condition?.reason === 'Unreachable' ? condition : undefined;
    });
    expect(again.message).toMatch(/; next attempt in 1 s$/);
    platform.failWith = undefined;
  });
});

describe('a throttled platform', () => {
  it("waits each throttled call's Retry-After and provisions, without growing the back-off or a Warning Event", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'throttled');
    const platform = new FakePlatform();
    // Every other call of each operation refused with "come back in 1 s". The failure back-off starts at 10 min: had a
    // throttle counted as a failure, the machine would sit out ten minutes after the first.
    platform.throttleEveryOtherMs = 1_000;
    startManager(platform, namespace, { initialMs: 600_000, maxMs: 600_000 });
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');

    const throttledCondition = await eventually('the Ready condition saying it was throttled', async () => {
      const condition = readyOf(await getTestMachine(client, namespace, 'm1'));
      return condition?.reason === 'Throttled' ? condition : undefined;
    });
    expect(throttledCondition.message).toMatch(/\(Throttled\): .*HTTP 429.*; next attempt in 1 s$/);
    await eventually('provisioned through the throttling', async () => {
      return (await getTestMachine(client, namespace, 'm1'))?.status?.ready;
    });
    expect(platform.count('create')).toBe(1);
    // Find, create and poll were each refused and went through on a later attempt.
    expect(platform.throttled).toBeGreaterThanOrEqual(3);
    expect(platform.attempts.length).toBeGreaterThan(platform.throttled);
    const events = await client.list<{ type: string; reason: string; involvedObject: { name: string } }>(
      'v1',
      'Event',
      { namespace },
    );
    expect(events.filter((e) => e.involvedObject.name === 'm1' && e.type === 'Warning')).toEqual([]);
  });
});

describe("the host's own writes and lookups", () => {
  it('is not woken by its own status write, but by anyone else changing the object', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'own-writes');
    const platform = new FakePlatform();
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    const ref = { apiVersion: INFRA, kind: 'TestCluster', name: 'c1', namespace };
    type TestClusterObject = { status?: { ready?: boolean; observedNote?: string } };
    await eventually(
      'TestCluster ready',
      async () => (await client.get<TestClusterObject>(ref))?.status?.ready,
    );
    const reconciles = () => count(platform.hookCalls, 'reconcile TestCluster c1');

    // Provisioned and idle: nothing wakes it.
    const idle = await settled('start-up reconciles over', reconciles);
    await sleep(2_000);
    expect(reconciles()).toBe(idle);

    // Someone else's annotation wakes it once; its status write (observedNote) wakes nothing.
    await client.patch(ref, { metadata: { annotations: { [NOTE_ANNOTATION]: 'one' } } });
    await eventually(
      'note seen',
      async () => (await client.get<TestClusterObject>(ref))?.status?.observedNote === 'one',
    );
    await sleep(2_000);
    expect(reconciles()).toBe(idle + 1);

    // Status written by another writer wakes it too: the provider writes its note back.
    await client.patchStatus(ref, { status: { observedNote: 'changed by someone else' } });
    await eventually(
      'note restored',
      async () => (await client.get<TestClusterObject>(ref))?.status?.observedNote === 'one',
    );
    await sleep(2_000);
    expect(reconciles()).toBe(idle + 2);
  });

  it("is not woken by a Machine's conditions (Cluster API mirrors ours there), but by its other changes", async () => {
    const namespace = await createTestNamespace(kubeConfig, 'machine-conditions');
    const platform = new FakePlatform();
    startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'TestMachine ready',
      async () => readyOf(await getTestMachine(client, namespace, 'm1'))?.status === 'True',
    );
    const reconciles = () => count(platform.hookCalls, 'reconcile TestMachine m1');
    const idle = await settled('start-up reconciles over', reconciles);

    const machine = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine', name: 'm1', namespace };
    for (const [i, status] of (['False', 'True', 'False'] as const).entries()) {
      await client.patchStatus(machine, {
        status: {
          conditions: [
            {
              type: 'InfrastructureReady',
              status,
              reason: `Mirrored${i}`,
              message: `mirrored from the infrastructure machine (${i})`,
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      });
    }
    await sleep(2_000);
    expect(reconciles()).toBe(idle);

    await client.patch(machine, { metadata: { labels: { 'test.immutable-infra.dev/touched': 'yes' } } });
    await eventually('woken by the label', async () => (reconciles() > idle ? true : undefined));
  });

  it('reconciles again on the fresh object when another writer changed a status field it derived', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'status-field-conflict');
    const ref = { apiVersion: INFRA, kind: 'TestCluster', name: 'c1', namespace };
    type TestClusterObject = { status?: { ready?: boolean; observedNote?: string } };
    // The provider derives observedNote from the value it read (as a pool derives its records from
    // the claims it saw). The first time, another writer sets the field between the read and the write.
    let interfered = false;
    const derived: (string | undefined)[] = [];
    const platform = new FakePlatform();
    const manager = new Manager({
      kubeConfig,
      namespace,
      providers: [
        createTestProvider({
          platform,
          clusterStatus: async (ctx) => {
            const read = ctx.status.observedNote as string | undefined;
            derived.push(read);
            if (!interfered) {
              interfered = true;
              await client.patchStatus(ref, { status: { observedNote: 'held by another writer' } });
            }
            ctx.status.observedNote = read?.endsWith(' (seen)') ? read : `${read ?? ''} (seen)`;
          },
        }),
      ],
      log: createLogger({ level: process.env.IINFRA_TEST_LOG_LEVEL ?? 'error' }),
    });
    running.push(manager);
    void manager.start();
    await createCluster(client, namespace, 'c1');
    await eventually(
      'TestCluster ready',
      async () => (await client.get<TestClusterObject>(ref))?.status?.ready,
    );
    // Re-applying the first reconcile's value after the 409 would leave " (seen)" and lose the other
    // writer's value; the reconcile run again on the fresh object keeps it.
    expect((await client.get<TestClusterObject>(ref))?.status?.observedNote).toBe(
      'held by another writer (seen)',
    );
    expect(derived.slice(0, 2)).toEqual([undefined, 'held by another writer']);
  });

  it('finds the owner Machine, Cluster and InfraCluster in the informer caches, not with a GET per reconcile', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'owner-cache');
    const platform = new FakePlatform();
    const manager = startManager(platform, namespace);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    await eventually(
      'provisioned',
      async () => (await getTestMachine(client, namespace, 'm1'))?.status?.ready,
    );
    const machineReconciles = () => count(platform.hookCalls, 'reconcile TestMachine m1');
    await settled('start-up reconciles over', machineReconciles);

    const gets = async () => {
      const { values } = await manager.metrics.kubeRequests.get();
      const of = (resource: string) =>
        values
          .filter((v) => v.labels.method === 'GET' && v.labels.resource === resource)
          .reduce((sum, v) => sum + v.value, 0);
      return { machines: of('machines'), clusters: of('clusters'), testclusters: of('testclusters') };
    };
    const before = await gets();
    const reconcilesBefore = machineReconciles();
    const n = 5;
    for (let i = 0; i < n; i++) {
      await client.patch(
        { apiVersion: INFRA, kind: 'TestMachine', name: 'm1', namespace },
        { metadata: { annotations: { [NOTE_ANNOTATION]: String(i) } } },
      );
      await eventually(`reconcile ${i + 1}`, () => machineReconciles() >= reconcilesBefore + i + 1);
    }
    expect(machineReconciles()).toBeGreaterThanOrEqual(reconcilesBefore + n);
    expect(await gets()).toEqual(before);
  });
});

describe("the manager's platform limits", () => {
  it('reach every hook as ctx.platformLimits, and are absent when none is set', async () => {
    const limited = new FakePlatform();
    const namespace = await createTestNamespace(kubeConfig, 'limits');
    startManager(limited, namespace, undefined, {
      platformLimits: { requestsPerSecond: 50, burst: 100, maxConcurrentRequests: undefined },
    });
    await createCluster(client, namespace, 'c1');
    expect(await eventually('the cluster hook ran', async () => limited.platformLimitsSeen)).toEqual({
      requestsPerSecond: 50,
      burst: 100,
      maxConcurrentRequests: undefined,
    });

    const plain = new FakePlatform();
    const other = await createTestNamespace(kubeConfig, 'limits');
    startManager(plain, other, undefined, { platformLimits: {} });
    await createCluster(client, other, 'c1');
    await eventually('the cluster hook ran', async () => plain.hookCalls.length > 0 || undefined);
    expect(plain.platformLimitsSeen).toBeUndefined();
  });
});
