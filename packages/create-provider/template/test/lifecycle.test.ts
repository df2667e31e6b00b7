// The provider in the real host (the Manager of @immutable-infra/manager) against a real
// kube-apiserver and the simulator: a machine is provisioned, then deleted, and nothing is left.
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import provider from '../src/index.js';
import { AcmeFixtures, INFRA } from './fixtures.js';
import { type AcmeSimulator, startAcmeSimulator } from './simulator.js';

let kubeConfig: KubeConfig;
let sim: AcmeSimulator;
let fixtures: AcmeFixtures;
let manager: Manager | undefined;

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  sim = await startAcmeSimulator();
  fixtures = new AcmeFixtures(kubeConfig, sim);
});

afterAll(async () => {
  await manager?.stop();
  await sim?.close();
});

interface MachineObject {
  spec: { providerID?: string };
  status?: { ready?: boolean; initialization?: { provisioned?: boolean }; addresses?: unknown[] };
}

it('provisions a machine on Acme and removes it on delete, through the real host', async () => {
  const namespace = await createTestNamespace(kubeConfig, 'acme-lifecycle');
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [provider],
    log: createLogger({ level: 'error' }),
  });
  void manager.start();

  await fixtures.createCluster(namespace);
  const cluster = await eventually('AcmeCluster ready', async () => {
    const c = await fixtures.read<{ spec: { controlPlaneEndpoint?: unknown }; status?: { ready?: boolean } }>(
      'AcmeCluster',
      namespace,
      'demo',
    );
    return c?.status?.ready ? c : undefined;
  });
  expect(cluster.spec.controlPlaneEndpoint).toEqual({ host: '10.0.1.100', port: 6443 });

  // A slow list and a failing API first: the provider waits and backs off, and makes one machine.
  sim.listLagMs = 500;
  sim.failNext(1, 503);
  await fixtures.createMachine(namespace, 'demo-1');
  const machine = await eventually('AcmeMachine provisioned', async () => {
    const m = await fixtures.read<MachineObject>('AcmeMachine', namespace, 'demo-1');
    return m?.status?.ready ? m : undefined;
  });
  const onAcme = sim.machines().filter((m) => m.name === `${namespace}-demo-1`);
  expect(onAcme).toHaveLength(1);
  expect(onAcme[0]?.state).toBe('running');
  expect(machine.spec.providerID).toBe(`acme://${onAcme[0]?.id}`);
  expect(machine.status?.initialization?.provisioned).toBe(true);
  expect(machine.status?.addresses).toEqual([{ type: 'InternalIP', address: onAcme[0]?.addresses[0] }]);

  await fixtures.objects.delete({
    apiVersion: INFRA,
    kind: 'AcmeMachine',
    metadata: { name: 'demo-1', namespace },
  });
  await eventually(
    'AcmeMachine gone',
    async () => (await fixtures.read('AcmeMachine', namespace, 'demo-1')) === undefined,
  );
  expect(sim.machines()).toEqual([]);
});
