import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterEach, expect, it } from 'vitest';
import { KubeApiError } from '../src/kube/api-error.js';
import { createLogger } from '../src/runtime/logger.js';
import { Manager } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import { createTestProvider } from './fixtures/test-provider.ts';
import { createCluster, createMachine, getTestMachine, objectClient } from './support/capi-objects.ts';

const running: Manager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

/** How long the platform takes to act on a create: far longer than the lease. */
const SLOW_CREATE_MS = 5_000;

it('aborts a slow platform call when leadership is lost, so the next leader creates the VM once', {
  timeout: 60_000,
}, async () => {
  const kubeConfig = testKubeConfig();
  const client = objectClient(kubeConfig);
  const namespace = await createTestNamespace(kubeConfig, 'lease-abort');
  const platform = new FakePlatform();
  const createsStarted: string[] = [];
  const createsDropped: string[] = [];
  // The platform acts at the end of the wait, unless the caller dropped the request before.
  platform.beforeCreate = async (name, signal) => {
    createsStarted.push(name);
    try {
      await sleep(SLOW_CREATE_MS, undefined, { signal });
    } catch (error) {
      createsDropped.push(name);
      throw error;
    }
  };
  const election = {
    namespace,
    name: 'iinfra-abort-test',
    leaseDurationMs: 2_000,
    renewDeadlineMs: 1_500,
    retryPeriodMs: 200,
  };
  const start = (identity: string) => {
    const manager = new Manager({
      kubeConfig,
      namespace,
      providers: [createTestProvider({ platform })],
      leaderElection: { ...election, identity },
      log: createLogger({ level: process.env.IINFRA_TEST_LOG_LEVEL ?? 'error' }),
    });
    running.push(manager);
    void manager.start();
    return manager;
  };
  const leaseRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: election.name, namespace };
  const holder = async () => (await client.get<Lease>(leaseRef))?.spec.holderIdentity;

  start('first');
  await eventually('the first manager leads', async () => ((await holder()) === 'first' ? true : undefined));
  await createCluster(client, namespace, 'c1');
  await createMachine(client, namespace, 'c1', 'm1');
  await eventually(
    'the first manager is creating the VM',
    async () => createsStarted.length > 0 || undefined,
  );

  // Someone else takes the Lease (a partition healed the other way): the first manager's renewals
  // fail, and within its renew deadline it must drop what it is doing.
  start('second');
  // The first manager renews every retry period, so our write may lose the race: read again and retry.
  await eventually('the intruder holds the Lease', async () => {
    const lease = (await client.get<Lease>(leaseRef)) as Lease;
    const now = new Date().toISOString().replace('Z', '000Z');
    try {
      await client.update({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: 'intruder',
          renewTime: now,
          acquireTime: now,
          leaseDurationSeconds: 2,
        },
      } as never);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409) return undefined;
      throw error;
    }
  });

  await eventually('the second manager leads', async () =>
    (await holder()) === 'second' ? true : undefined,
  );
  const machine = await eventually('TestMachine provisioned by the second manager', async () => {
    const m = await getTestMachine(client, namespace, 'm1');
    return m?.status?.ready ? m : undefined;
  });
  expect(machine.status?.ready).toBe(true);
  // Wait out what the first manager's create would have taken, had it not been dropped.
  await sleep(SLOW_CREATE_MS);
  expect(createsDropped).toEqual(['m1']);
  expect(createsStarted).toEqual(['m1', 'm1']);
  expect(platform.count('create')).toBe(1);
});
