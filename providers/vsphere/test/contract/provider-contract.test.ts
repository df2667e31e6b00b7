// The vSphere provider's contract tests: they use only the published surface of the package
// (imported by its name) next to whichever @immutable-infra/core is installed, so
// tools/registry's compatibility run can run them in a scratch project against every core in
// the provider's range. Keep every import of a package here public; the local helpers (vcsim,
// the documented-manifest fixtures) travel with the test folder.
import { fileURLToPath } from 'node:url';
import { installedPackage, runPlatformChecks } from '@immutable-infra/conformance';
import { packageConformanceTest } from '@immutable-infra/conformance/vitest';
import { createLogger, Manager } from '@immutable-infra/manager';
import vsphereProvider from '@immutable-infra/provider-vsphere';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim } from '@immutable-infra/vcsim';
import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, VsphereFixtures } from '../provider/vsphere-fixtures.ts';
import { vsphereAdapter } from './vsphere-adapter.ts';

const installedCore = installedPackage('@immutable-infra/core', import.meta.url);

let kubeConfig: KubeConfig;
let objects: KubernetesObjectApi;
let vcsim: Vcsim;
let manager: Manager | undefined;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  // The documented inventory and account, so the documented manifests apply as they are.
  vcsim = await startVcsim({
    documentedNames: true,
    username: 'svc-capv@example.local',
    password: 'not-a-real-password',
  });
});

afterAll(async () => {
  await manager?.stop();
  await vcsim?.stop();
});

describe(`provider-vsphere contract with core ${installedCore.version}`, () => {
  // The host runs the installed core, and the package passes every package check with it. The matrix
  // run installs only cores inside the provider's range, and the workspace's core must be inside it
  // too: a provider that does not declare the core it runs with fails here.
  packageConformanceTest({
    packageName: '@immutable-infra/provider-vsphere',
    provider: vsphereProvider,
    importMetaUrl: import.meta.url,
  });

  // A guard against hangs (a loaded machine outlasts the 60 s default), not a measure.
  it('clones, powers on and reports a machine from the documented manifests, and destroys its VM on delete, through the real host', {
    timeout: 300_000,
  }, async () => {
    const namespace = await createTestNamespace(kubeConfig, 'vsphere-contract');
    manager = new Manager({
      kubeConfig,
      namespace,
      providers: [vsphereProvider],
      log: createLogger({ level: 'error' }),
    });
    void manager.start();
    const fixtures = new VsphereFixtures(objects, vcsim, namespace);
    await fixtures.createCluster();
    await eventually('VSphereCluster ready', async () => {
      const c = await fixtures.read<{ status?: { ready?: boolean } }>('VSphereCluster', CLUSTER);
      return c?.status?.ready || undefined;
    });

    await fixtures.createMachine('contract-cp');
    const machine = await eventually('VSphereMachine ready', async () => {
      const m = await fixtures.read<{
        spec: { providerID?: string };
        status?: { ready?: boolean; addresses?: { type: string; address: string }[] };
      }>('VSphereMachine', 'contract-cp');
      return m?.status?.ready ? m : undefined;
    });
    // The documented control plane pool's first slot: its hostname and address.
    expect(machine.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.10.10.11' },
      { type: 'Hostname', address: 'cp-01' },
    ]);
    const uuid = (await vcsim.govc('vm.info', '-json', '/dc-a/vm/cp-01')).match(/"uuid":\s*"([^"]+)"/)?.[1];
    expect(machine.spec.providerID).toBe(`vsphere://${uuid}`);

    await fixtures.deleteMachine('contract-cp');
    await eventually(
      'VSphereMachine gone',
      async () => (await fixtures.read('VSphereMachine', 'contract-cp')) === undefined,
    );
    expect((await vcsim.govc('find', '/', '-type', 'm', '-name', 'cp-01')).trim()).toBe('');
  });

  // The conformance suite's platform checks, each in a namespace and a manager of its own, with vcsim
  // as the platform; for machine.kills the host runs the installed package in processes the suite
  // SIGKILLs (it reaches vcsim through the VSphereCluster's server and thumbprint, as in-process).
  it('passes every platform check of the conformance suite against vcsim', async () => {
    const checks = await runPlatformChecks({
      provider: vsphereProvider,
      adapter: vsphereAdapter(objects, vcsim),
      kubeConfig,
      namespacePrefix: 'vsphere-conf',
      timeoutMs: 60_000,
      hostProcess: {
        providerModule: fileURLToPath(import.meta.resolve('@immutable-infra/provider-vsphere')),
        // The documented control plane pool holds three slots.
        machines: 3,
      },
    });
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.map((c) => c.name)).toContain('machine.kills');
  }, 600_000);
});
