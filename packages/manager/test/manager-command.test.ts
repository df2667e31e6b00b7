import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
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

describe('iinfra manager', () => {
  it('documents every flag in --help', async () => {
    const help = startIinfra(['manager', '--help']);
    expect(await exited(help)).toBe(0);
    for (const flag of [
      '--provider',
      '--kubeconfig',
      '--namespace',
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
  });

  it('hands over to a standby within the lease duration when the leader is killed', async () => {
    const kubeconfig = inject('iinfraKubeconfigPath');
    const namespace = await createTestNamespace(testKubeConfig(), 'leader');
    const leaseMs = 3000;
    const retryMs = 300;
    const args = [
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
      `${leaseMs}ms`,
      '--renew-deadline',
      '2s',
      '--retry-period',
      `${retryMs}ms`,
      '--probe-address',
      '127.0.0.1:0',
    ];
    const a = startIinfra(args);
    const b = startIinfra(args);
    children.push(a, b);
    const client = objectClient(testKubeConfig());
    const leaseRef = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      name: 'iinfra-manager-test',
      namespace,
    };
    type Lease = { spec: { holderIdentity?: string; leaseTransitions?: number } };
    const first = await eventually(
      'a leader',
      async () => (await client.get<Lease>(leaseRef))?.spec.holderIdentity,
    );
    const leader = [a, b].find((c) => first.endsWith(`_${c.pid}`));
    const standby = [a, b].find((c) => c !== leader);
    expect(leader).toBeDefined();

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

    const killedAt = Date.now();
    leader?.kill('SIGKILL');
    const second = await eventually('the standby takes the lease', async () => {
      const holder = (await client.get<Lease>(leaseRef))?.spec.holderIdentity;
      return holder && holder !== first ? holder : undefined;
    });
    const takeoverMs = Date.now() - killedAt;
    expect(second).toBe(first.replace(/_\d+$/, `_${standby?.pid}`));
    // The protocol's bound: the lease runs out, then the standby's next retry takes it. The slack
    // is for a loaded CI machine running other packages' tests at the same time.
    expect(takeoverMs).toBeLessThan(leaseMs + 2 * retryMs + 10_000);
    expect(standby?.exitCode).toBeNull();

    // The new leader runs the controllers.
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const machine = await eventually('the new leader provisions a machine', async () => {
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
});
