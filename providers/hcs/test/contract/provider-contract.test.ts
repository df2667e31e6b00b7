// The HCS provider's contract tests: they use only the published surface of the package (imported by
// its name) next to whichever @immutable-infra/core is installed, so tools/registry's matrix run can
// run them in a scratch project against every core version in the provider's range. Keep every
// import here public.
import { fileURLToPath } from 'node:url';
import { installedPackage, runPlatformChecks } from '@immutable-infra/conformance';
import { packageConformanceTest } from '@immutable-infra/conformance/vitest';
import { admitProvider } from '@immutable-infra/manager';
import hcsProvider, { createHcsProvider, fixedAddressLookup } from '@immutable-infra/provider-hcs';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace } from '@immutable-infra/testkit/vitest';
import { describe, expect, it } from 'vitest';
import { INFRA, TEST_DOMAIN } from '../provider/hcs-fixtures.ts';
import { hcsTestBed, startHcsManager } from '../provider/hcs-manager.ts';
import { hcsAdapter, POOL_SIZE } from './hcs-adapter.ts';

const installedCore = installedPackage('@immutable-infra/core', import.meta.url);

const bed = hcsTestBed();

describe(`provider-hcs contract with core ${installedCore.version}`, () => {
  // The host runs the installed core, and the package passes every package check with it. The matrix
  // run installs only cores inside the provider's range, and the workspace's core must be inside it
  // too: a provider that does not declare the core it runs with fails here.
  packageConformanceTest({
    packageName: '@immutable-infra/provider-hcs',
    provider: hcsProvider,
    importMetaUrl: import.meta.url,
  });

  it('is refused by a host running a core outside its range, with the range named', () => {
    const range = hcsProvider.manifest.coreRange;
    for (const outside of ['0.0.1', '99.0.0']) {
      const verdict = admitProvider(hcsProvider, outside, 'v1beta2');
      expect(verdict.compatible, outside).toBe(false);
      expect(verdict.reasons.join('; ')).toContain(range);
    }
  });

  it('creates the control plane ELB, provisions a machine in it and removes both on delete, through the real host', async () => {
    const namespace = await createTestNamespace(bed.kubeConfig, 'hcs-contract');
    const provider = createHcsProvider({ http: { lookup: fixedAddressLookup(TEST_DOMAIN, '127.0.0.1') } });
    startHcsManager(bed, { namespace, provider });
    const { objects, sim, fixtures } = bed;
    await fixtures.createCluster(namespace, {
      hostPrefix: namespace,
      poolSize: 1,
      vipAddress: '192.168.10.240',
      ipBase: 230,
    });
    const cluster = await eventually('HCSCluster ready', async () => {
      const c = await fixtures.read<{
        spec: { controlPlaneEndpoint?: unknown };
        status?: { ready?: boolean };
      }>('HCSCluster', namespace, 'demo');
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '192.168.10.240', port: 6443 });

    await fixtures.createMachine(namespace, 'demo-cp-1');
    const machine = await eventually('HCSMachine provisioned', async () => {
      const m = await fixtures.read<{
        spec: { providerID?: string };
        status?: { ready?: boolean; initialization?: { provisioned?: boolean } };
      }>('HCSMachine', namespace, 'demo-cp-1');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.spec.providerID).toBe('hcs://demo-cp-1');
    expect(machine.status?.initialization?.provisioned).toBe(true);
    const serverName = `${namespace}-master-1`;
    expect(sim.state().servers.find((s) => s.name === serverName)?.status).toBe('ACTIVE');
    // The cluster's reconcile adds control plane members on its own schedule, after the machine is Ready.
    await eventually('the control plane machine in the ELB', async () =>
      sim.state().members.some((m) => m.address === '192.168.10.231') ? true : undefined,
    );

    await fixtures.delete('HCSMachine', namespace, 'demo-cp-1');
    await eventually(
      'HCSMachine gone',
      async () => (await fixtures.read('HCSMachine', namespace, 'demo-cp-1')) === undefined,
    );
    expect(sim.state().servers.find((s) => s.name === serverName)).toBeUndefined();
    await objects.delete({ apiVersion: INFRA, kind: 'HCSCluster', metadata: { name: 'demo', namespace } });
    await eventually(
      'HCSCluster gone',
      async () => (await fixtures.read('HCSCluster', namespace, 'demo')) === undefined,
    );
    expect(sim.state().loadBalancers).toEqual([]);
    expect(sim.state().members).toEqual([]);
  });

  // The conformance suite's platform checks, each in a namespace and a manager of its own, with the
  // simulator as the platform; for machine.kills the host runs the installed package in processes
  // the suite SIGKILLs, its host names pointed at the simulator by hcs-host-provider.ts.
  it('passes every platform check of the conformance suite against the simulator', async () => {
    const checks = await runPlatformChecks({
      provider: createHcsProvider({ http: { lookup: fixedAddressLookup(TEST_DOMAIN, '127.0.0.1') } }),
      adapter: hcsAdapter(bed.fixtures, bed.sim),
      kubeConfig: bed.kubeConfig,
      namespacePrefix: 'hcs-conf',
      timeoutMs: 60_000,
      hostProcess: {
        providerModule: fileURLToPath(new URL('./hcs-host-provider.ts', import.meta.url)),
        env: { HCS_LOOKUP_DOMAIN: TEST_DOMAIN },
        // The control plane pool hcsAdapter gives each namespace holds POOL_SIZE (three) entries.
        machines: POOL_SIZE,
      },
    });
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.map((c) => c.name)).toContain('machine.kills');
  }, 600_000);
});
