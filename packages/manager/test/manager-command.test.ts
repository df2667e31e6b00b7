import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { createCluster, createMachine, getTestMachine, objectClient } from './support/capi-objects.ts';
import { exited, startIinfra, testProviderPath } from './support/iinfra-process.ts';

const children: ReturnType<typeof startIinfra>[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The body of a manager's /readyz, once it has printed its probe port; fails unless the status is 200. */
async function readyz(child: ReturnType<typeof startIinfra> | undefined): Promise<string | undefined> {
  const port = /probes on port (\d+)/.exec(child?.output() ?? '')?.[1];
  if (!port) return undefined;
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(response.status).toBe(200);
  return response.text();
}

/** `iinfra manager` arguments for the test provider with leader election in `namespace`. */
function leaderArgs(kubeconfig: string, namespace: string, timing = { leaseMs: 3000, retryMs: 300 }) {
  return [
    'manager',
    '--provider',
    testProviderPath,
    '--kubeconfig',
    kubeconfig,
    '--namespace',
    namespace,
    '--leader-elect',
    '--leader-election-namespace',
    namespace,
    '--lease-duration',
    `${timing.leaseMs}ms`,
    '--renew-deadline',
    '2s',
    '--retry-period',
    `${timing.retryMs}ms`,
    '--probe-address',
    '127.0.0.1:0',
  ];
}

type Lease = {
  metadata: { resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseTransitions?: number;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
  };
};
const leaseRef = (namespace: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  name: 'iinfra-manager-test',
  namespace,
});

/** Two managers with leader election; resolves once one holds the Lease, naming leader and standby. */
async function leaderAndStandby(namespace: string) {
  const args = leaderArgs(inject('iinfraKubeconfigPath'), namespace);
  const a = startIinfra(args);
  const b = startIinfra(args);
  children.push(a, b);
  const client = objectClient(testKubeConfig());
  const lease = await eventually('a leader', async () => {
    const current = await client.get<Lease>(leaseRef(namespace));
    return current?.spec.holderIdentity ? current : undefined;
  });
  const holder = lease.spec.holderIdentity as string;
  const leader = [a, b].find((c) => holder.endsWith(`_${c.pid}`));
  const standby = [a, b].find((c) => c !== leader);
  if (!leader || !standby) throw new Error(`the Lease holder ${holder} is neither manager`);
  return { client, lease, leader, standby };
}

describe('iinfra manager', () => {
  it('documents every flag in --help', async () => {
    const help = startIinfra(['manager', '--help']);
    expect(await exited(help)).toBe(0);
    for (const flag of [
      '--provider',
      '--kubeconfig',
      '--namespace',
      '--watch-filter',
      '--concurrency',
      '--qps',
      '--burst',
      '--leader-elect',
      '--leader-election-namespace',
      '--leader-election-id',
      '--lease-duration',
      '--renew-deadline',
      '--retry-period',
      '--probe-address',
      '--log-level',
    ]) {
      expect(help.output()).toContain(flag);
    }
  });

  it('refuses a provider whose core range excludes the running core, naming both versions', async () => {
    const child = startIinfra(
      ['manager', '--provider', testProviderPath, '--kubeconfig', inject('iinfraKubeconfigPath')],
      { TEST_PROVIDER_CORE_RANGE: '^99.0.0' },
    );
    expect(await exited(child)).toBe(1);
    const coreVersion = createRequire(import.meta.url)('@immutable-infra/core/package.json').version;
    expect(child.output()).toContain(
      `@immutable-infra/provider-test@0.0.1 supports core ^99.0.0, but core is ${coreVersion}`,
    );
  });

  it('refuses a provider that does not implement the installed Cluster API contract', async () => {
    const child = startIinfra(
      ['manager', '--provider', testProviderPath, '--kubeconfig', inject('iinfraKubeconfigPath')],
      { TEST_PROVIDER_CONTRACTS: 'v1beta1' },
    );
    expect(await exited(child)).toBe(1);
    expect(child.output()).toContain(
      '@immutable-infra/provider-test@0.0.1 implements Cluster API v1beta1, but the platform needs v1beta2',
    );
  });

  it('rejects a bad flag value naming the flag', async () => {
    const child = startIinfra(['manager', '--provider', testProviderPath, '--lease-duration', 'soon']);
    expect(await exited(child)).not.toBe(0);
    expect(child.output()).toContain('--lease-duration must be a duration such as 15s');
    const filter = startIinfra(['manager', '--provider', testProviderPath, '--watch-filter', 'shard a']);
    expect(await exited(filter)).not.toBe(0);
    expect(filter.output()).toContain('--watch-filter must be a label value');
  });

  it('hands over to the standby when the leader is killed', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'leader');
    const { client, lease: held, leader, standby } = await leaderAndStandby(namespace);
    const first = held.spec.holderIdentity as string;

    // Both are ready (a rolling update needs the standby ready), but only the leader says it reconciles.
    const lease = `Lease ${namespace}/iinfra-manager-test`;
    const leaderReady = await eventually('the leader reconciling', async () => {
      const text = await readyz(leader);
      return text?.includes('reconciling') ? text : undefined;
    });
    expect(leaderReady).toBe(`ok: leader of ${lease}; reconciling @immutable-infra/provider-test`);
    expect(await eventually('the standby serving probes', () => readyz(standby))).toBe(
      `ok: standby for ${lease}; not reconciling @immutable-infra/provider-test`,
    );

    const before = (await client.get<Lease>(leaseRef(namespace)))?.spec.leaseTransitions ?? 0;
    leader.kill('SIGKILL');
    const second = await eventually('the standby takes the lease', async () => {
      const holder = (await client.get<Lease>(leaseRef(namespace)))?.spec.holderIdentity;
      return holder && holder !== first ? holder : undefined;
    });
    expect(second).toBe(first.replace(/_\d+$/, `_${standby.pid}`));
    // One handover, recorded as one transition; how long it took is a benchmark's business.
    expect((await client.get<Lease>(leaseRef(namespace)))?.spec.leaseTransitions).toBe(before + 1);
    expect(standby.exitCode).toBeNull();

    // The new leader runs the controllers.
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const machine = await eventually('the new leader provisions a machine', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.spec.providerID).toBe('test://m1');
  });

  it('stops a leader whose Lease was taken, and leaves the Lease to its holder', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'lease-lost');
    const { client, lease, leader, standby } = await leaderAndStandby(namespace);
    await eventually('the leader reconciling', async () =>
      (await readyz(leader))?.includes('reconciling') ? true : undefined,
    );
    // Another holder takes the Lease (a partition healed the other way, an operator's edit): the
    // leader's renewals now fail, and past its renew deadline it must stop, not carry on.
    standby.kill('SIGKILL');
    await exited(standby);
    await client.update({
      ...lease,
      ...leaseRef(namespace),
      spec: {
        ...lease.spec,
        holderIdentity: 'someone-else',
        leaseDurationSeconds: 3600,
        renewTime: new Date().toISOString().replace('Z', '000Z'),
        leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1,
      },
    } as never);
    expect(await exited(leader)).toBe(1);
    expect(leader.output()).toContain('lost leadership');
    expect((await client.get<Lease>(leaseRef(namespace)))?.spec.holderIdentity).toBe('someone-else');
  });

  it('hands over gracefully: a leader stopped with SIGTERM releases the Lease and the standby takes it', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'handover');
    const { client, lease, leader, standby } = await leaderAndStandby(namespace);
    leader.kill('SIGTERM');
    expect(await exited(leader)).toBe(0);
    const taken = await eventually('the standby holds the Lease', async () => {
      const current = await client.get<Lease>(leaseRef(namespace));
      return current?.spec.holderIdentity?.endsWith(`_${standby.pid}`) ? current : undefined;
    });
    expect(taken.spec.leaseTransitions).toBe((lease.spec.leaseTransitions ?? 0) + 1);
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const machine = await eventually('the standby provisions a machine', async () => {
      const m = await getTestMachine(client, namespace, 'm1');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.spec.providerID).toBe('test://m1');
  });

  it('gives managers of different providers a Lease each, in the kubeconfig namespace, so both reconcile', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'leases');
    // Outside a Pod the manager's namespace is its kubeconfig context's: no --leader-election-namespace.
    const contextual = new KubeConfig();
    contextual.loadFromFile(inject('iinfraKubeconfigPath'));
    const context = contextual.getCurrentContext();
    contextual.contexts = contextual.contexts.map((c) => (c.name === context ? { ...c, namespace } : c));
    const kubeconfig = join(tmpdir(), `iinfra-leases-${process.pid}.kubeconfig`);
    writeFileSync(kubeconfig, contextual.exportConfig(), { mode: 0o600 });
    onTestFinished(() => rmSync(kubeconfig, { force: true }));
    const args = [
      'manager',
      '--provider',
      testProviderPath,
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      namespace,
      '--leader-elect',
      '--retry-period',
      '300ms',
      '--probe-address',
      '127.0.0.1:0',
    ];
    const test = startIinfra(args);
    const other = startIinfra(args, { TEST_PROVIDER_VARIANT: 'other' });
    children.push(test, other);

    const client = objectClient(testKubeConfig());
    await createCluster(client, namespace, 'c-test');
    await createMachine(client, namespace, 'c-test', 'm-test');
    await createCluster(client, namespace, 'c-other', { kindPrefix: 'Other' });
    await createMachine(client, namespace, 'c-other', 'm-other', { kindPrefix: 'Other' });
    const provisioned = (name: string, kindPrefix: 'Test' | 'Other') =>
      eventually(`${name} provisioned`, async () => {
        const m = await getTestMachine(client, namespace, name, kindPrefix);
        return m?.status?.ready ? m : undefined;
      });
    expect((await provisioned('m-test', 'Test')).spec.providerID).toBe('test://m-test');
    expect((await provisioned('m-other', 'Other')).spec.providerID).toBe('other://m-other');

    type Lease = { metadata: { name: string }; spec: { holderIdentity?: string } };
    const leases = await client.list<Lease>('coordination.k8s.io/v1', 'Lease', { namespace });
    expect(leases.map((l) => [l.metadata.name, l.spec.holderIdentity?.replace(/^.*_/, '')]).sort()).toEqual([
      ['iinfra-manager-other', String(other.pid)],
      ['iinfra-manager-test', String(test.pid)],
    ]);
  });

  it('splits one fleet between managers by cluster.x-k8s.io/watch-filter: each reconciles its shard only, under a Lease of its own', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'shards');
    const args = (shard: string) => [
      ...leaderArgs(inject('iinfraKubeconfigPath'), namespace),
      '--watch-filter',
      shard,
    ];
    const client = objectClient(testKubeConfig());
    const labels = (shard: string) => ({ 'cluster.x-k8s.io/watch-filter': shard });
    await createCluster(client, namespace, 'c-a', { labels: labels('shard-a') });
    await createMachine(client, namespace, 'c-a', 'm-a', { labels: labels('shard-a') });
    await createCluster(client, namespace, 'c-b', { labels: labels('shard-b') });
    await createMachine(client, namespace, 'c-b', 'm-b', { labels: labels('shard-b') });
    await createCluster(client, namespace, 'c-none');
    await createMachine(client, namespace, 'c-none', 'm-none');
    const provisioned = (name: string) =>
      eventually(`${name} provisioned`, async () => {
        const m = await getTestMachine(client, namespace, name);
        return m?.status?.ready ? m : undefined;
      });
    const finalizers = async (name: string) =>
      (await getTestMachine(client, namespace, name))?.metadata.finalizers ?? [];

    // Shard a's manager alone: its machine is provisioned; the others are not its to touch.
    const a = startIinfra(args('shard-a'));
    children.push(a);
    expect((await provisioned('m-a')).spec.providerID).toBe('test://m-a');
    expect(await finalizers('m-b')).toEqual([]);
    expect(await finalizers('m-none')).toEqual([]);

    // Shard b's manager takes shard b, beside a (a Lease each, so neither stands by); the
    // unlabelled machine belongs to no shard.
    const b = startIinfra(args('shard-b'));
    children.push(b);
    expect((await provisioned('m-b')).spec.providerID).toBe('test://m-b');
    expect(await finalizers('m-none')).toEqual([]);
    type Lease = { metadata: { name: string }; spec: { holderIdentity?: string } };
    const leases = await client.list<Lease>('coordination.k8s.io/v1', 'Lease', { namespace });
    expect(leases.map((l) => [l.metadata.name, l.spec.holderIdentity?.replace(/^.*_/, '')]).sort()).toEqual([
      ['iinfra-manager-test-shard-a', String(a.pid)],
      ['iinfra-manager-test-shard-b', String(b.pid)],
    ]);
  });
});
