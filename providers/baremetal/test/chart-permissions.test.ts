// The manager as the Helm chart installs it: its own process with the chart's arguments and
// environment, authenticated as the chart's ServiceAccount (a TokenRequest token), so it has exactly
// the chart's permissions. It attaches a simulated host to a machine and detaches it again; the API
// server's audit log of that ServiceAccount's calls is then held against the chart's grants: no call
// refused or allowed by no grant, and no grant left unused.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaremetalFleet } from '@immutable-infra/baremetal-sim';
import { type ChartManager, startChartManager } from '@immutable-infra/helm-tools';
import { aliveModuleGrantsNotExercised, eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';

const VERSION = 'v1.33.7-2';
const IMAGE = 'registry.example.local/tkestack/baremetal-base-image:v0.0.0-beta-1.33.7-2';
const POOL = 'rbac-pool';
const chart = fileURLToPath(new URL('../charts/cluster-api-provider-baremetal', import.meta.url));
// The package, looking at running plans every 100 ms (the simulated plans take 300 ms).
const providerModule = fileURLToPath(new URL('./contract/baremetal-host-provider.ts', import.meta.url));

interface MachineObject {
  status?: { ready?: boolean; phase?: string };
}
interface Inventory {
  metadata: { annotations?: Record<string, string> };
}

let kubeConfig: KubeConfig;
let namespace: string;
let fleet: BaremetalFleet;
let fixtures: BaremetalFixtures;
let manager: ChartManager;
let logFile: string;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  namespace = await createTestNamespace(kubeConfig, 'baremetal-rbac');
  fixtures = new BaremetalFixtures(kubeConfig);
  fleet = await BaremetalFleet.start({
    kubeConfig,
    namespace,
    hosts: 2,
    pollMs: 50,
    durations: { reprovisionMs: 300, cleanMs: 100 },
  });
  // The release namespace is the provider's (POD_NAMESPACE): the image catalog lives there.
  await fixtures.imageCatalog(namespace, { [VERSION]: IMAGE });
  await fixtures.pool(
    namespace,
    POOL,
    fleet.hosts().map((host) => ({ name: host.name })),
  );
  await fixtures.cluster(namespace);
  logFile = join(tmpdir(), `baremetal-rbac-${process.pid}.log`);
  manager = await startChartManager({
    kubeConfig,
    chartPath: chart,
    release: 'rbac',
    namespace,
    providerModule,
    env: { BAREMETAL_POLL_MS: '100' },
    logFile,
    auditLogPath: inject('iinfraAuditLogPath'),
  });
});

afterAll(async () => {
  await manager?.stop();
  fleet?.stop();
  await manager?.remove();
  if (logFile) rmSync(logFile, { force: true });
});

const managerLog = () => readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');

describe('the Helm chart identity', () => {
  it('attaches and detaches a host with no call refused and no grant unused', async () => {
    await fixtures.machine(namespace, 'rbac-machine', POOL, VERSION);
    await eventually(
      'machine running',
      async () =>
        (await fixtures.read<MachineObject>(INFRA, 'BaremetalMachine', namespace, 'rbac-machine'))?.status
          ?.ready === true,
    ).catch((error: unknown) => {
      throw new Error(`${error}\nthe manager's log ends:\n${managerLog()}`);
    });
    await fixtures.delete(INFRA, 'BaremetalMachine', namespace, 'rbac-machine');
    await eventually(
      'machine gone',
      async () => (await fixtures.read(INFRA, 'BaremetalMachine', namespace, 'rbac-machine')) === undefined,
    );
    const host = await fixtures.read<Inventory>(
      'elemental.cattle.io/v1beta1',
      'MachineInventory',
      namespace,
      'host-1',
    );
    expect(host?.metadata.annotations?.['baremetal.alauda.io/allocation-state']).toBe('Available');
    expect(fleet.host('host-1').executed.map((p) => [p.type, p.outcome])).toEqual([
      ['reprovision', 'Applied'],
      ['clean', 'Applied'],
    ]);

    // A clean shutdown, as a rollout stops the Pod: the manager gives its Lease up (an update).
    await manager.stop();
    // No call refused or allowed by no grant, and no grant left unused (but the host's own
    // fallback: a live read for an owner the informer cache has not seen yet, and the alive
    // ModuleInfo's kinds: asked only on a platform that serves them, with the control plane's nodes
    // registered, which test/self-built-vip.test.ts plays).
    const alive = 'Internal VIP on a platform serving the module kinds only';
    // The storage lifecycle's status writes happen only for an inventory with managed data volumes
    // (test/storage.test.ts plays them); this host declares none. A BaremetalHost's SeedImage read is
    // played by test/baremetal-host.test.ts (hosts with a BMC only).
    expect(
      manager.permissionProblems({
        ...aliveModuleGrantsNotExercised(alive),
        'elemental.cattle.io machineinventories/status patch': 'managed data volumes only',
        'elemental.cattle.io seedimages get': 'BaremetalHost only: hosts booted over their BMC',
      }),
    ).toEqual([]);
    const report = manager.permissions();
    // What the bare-metal steps call beyond the host's own rules is used, each verb of it.
    expect(report.used).toEqual(
      expect.arrayContaining([
        'elemental.cattle.io/machineinventories get',
        'elemental.cattle.io/machineinventories list',
        'elemental.cattle.io/machineinventories patch',
        'core/configmaps get',
      ]),
    );
  });
});
