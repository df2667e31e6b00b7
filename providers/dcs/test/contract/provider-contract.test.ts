// The DCS provider's contract tests: they use only the published surface of
// the package (imported by its name) next to whichever @immutable-infra/core is
// installed, so tools/compat/run-matrix.mjs can run them in a scratch project
// against several core versions. Keep every import here public.
import { fileURLToPath } from 'node:url';
import { installedPackage, runPlatformChecks } from '@immutable-infra/conformance';
import { packageConformanceTest } from '@immutable-infra/conformance/vitest';
import { type DcsSimulator, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import dcsProvider from '@immutable-infra/provider-dcs';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcsFixtures, INFRA } from '../provider/dcs-fixtures.ts';
import { dcsAdapter } from './dcs-adapter.ts';

const installedCore = installedPackage('@immutable-infra/core', import.meta.url);

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let sim: DcsSimulator;
let fixtures: DcsFixtures;
let manager: Manager | undefined;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  sim = await startDcsSimulator({ faults: { taskSeconds: 0.05 } });
  fixtures = new DcsFixtures(objects, sim.url);
});

afterAll(async () => {
  await manager?.stop();
  await sim?.close();
});

describe(`provider-dcs contract with core ${installedCore.version}`, () => {
  // The host runs the installed core, and the package passes every package check with it. The matrix
  // run installs only cores inside the provider's range, and the workspace's core must be inside it
  // too: a provider that does not declare the core it runs with fails here.
  packageConformanceTest({
    packageName: '@immutable-infra/provider-dcs',
    provider: dcsProvider,
    importMetaUrl: import.meta.url,
  });

  it('provisions a machine on the platform and removes it on delete, through the real host', async () => {
    const namespace = await createTestNamespace(kubeConfig, 'dcs-contract');
    manager = new Manager({
      kubeConfig,
      namespace,
      providers: [dcsProvider],
      log: createLogger({ level: 'error' }),
    });
    void manager.start();
    await fixtures.createCluster(namespace, 'Huawei@123');
    const cluster = await eventually('DCSCluster ready', async () => {
      const c = await fixtures.read<{
        spec: { controlPlaneEndpoint?: unknown };
        status?: { ready?: boolean };
      }>('DCSCluster', namespace, 'demo');
      return c?.status?.ready ? c : undefined;
    });
    expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '10.0.1.100', port: 6443 });

    await fixtures.createMachine(namespace, 'demo-cp-1');
    const machine = await eventually('DCSMachine provisioned', async () => {
      const m = await fixtures.read<{
        spec: { providerID?: string };
        status?: { ready?: boolean; initialization?: { provisioned?: boolean } };
      }>('DCSMachine', namespace, 'demo-cp-1');
      return m?.status?.ready ? m : undefined;
    });
    expect(machine.spec.providerID).toBe('dcs://demo-cp-1');
    expect(machine.status?.initialization?.provisioned).toBe(true);
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)?.status).toBe('running');

    await objects.delete({
      apiVersion: INFRA,
      kind: 'DCSMachine',
      metadata: { name: 'demo-cp-1', namespace },
    });
    await eventually(
      'DCSMachine gone',
      async () => (await fixtures.read('DCSMachine', namespace, 'demo-cp-1')) === undefined,
    );
    expect(sim.state().vms.find((v) => v.name === `${namespace}-vm-1`)).toBeUndefined();
  });

  // The conformance suite's platform checks, each in a namespace and a manager of its own, with the
  // simulator as the platform; for machine.kills the host runs the installed package in processes
  // the suite SIGKILLs.
  it('passes every platform check of the conformance suite against the simulator', async () => {
    const checks = await runPlatformChecks({
      provider: dcsProvider,
      adapter: dcsAdapter(fixtures, sim),
      kubeConfig,
      namespacePrefix: 'dcs-conf',
      timeoutMs: 60_000,
      hostProcess: {
        providerModule: fileURLToPath(import.meta.resolve('@immutable-infra/provider-dcs')),
        // The documented control plane pool holds two addresses.
        machines: 2,
      },
    });
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.map((c) => c.name)).toContain('machine.kills');
  }, 600_000);
});
