import { generateCrd } from '@immutable-infra/core';
import { createManagementPlane, eventually, type ManagementPlane } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  changedFields,
  StatusFieldConflict,
  writeFieldChanges,
  writeStatus,
} from '../src/host/status-writer.js';
import { createLogger } from '../src/runtime/logger.js';
import { Manager } from '../src/runtime/manager.js';
import { FakePlatform } from './fixtures/fake-platform.ts';
import {
  createTestProvider,
  testCluster,
  testMachine,
  testMachineTemplate,
} from './fixtures/test-provider.ts';
import { createCluster, createMachine, getTestMachine, objectClient } from './support/capi-objects.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('status writes', () => {
  it("retry on a conflict and keep the other writer's change", async () => {
    const kubeConfig = testKubeConfig();
    const client = objectClient(kubeConfig);
    const namespace = await createTestNamespace(kubeConfig, 'conflict');
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'm1');
    const stale = await getTestMachine(client, namespace, 'm1');
    if (!stale) throw new Error('no TestMachine');
    await client.updateStatus({ ...stale, status: { createTaskId: 'from-another-writer' } });

    const written = await writeStatus(client, stale, (current) => ({
      ...current,
      addresses: [{ type: 'InternalIP', address: '192.0.2.7' }],
    }));
    expect(written.status).toEqual({
      createTaskId: 'from-another-writer',
      addresses: [{ type: 'InternalIP', address: '192.0.2.7' }],
    });
  });
});

describe('status field writes after a conflict', () => {
  async function staleMachine(name: string) {
    const kubeConfig = testKubeConfig();
    const client = objectClient(kubeConfig);
    const namespace = await createTestNamespace(kubeConfig, 'field-conflict');
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', name);
    const stale = await getTestMachine(client, namespace, name);
    if (!stale) throw new Error('no TestMachine');
    return { client, namespace, stale };
  }

  it("applies the changed fields over another writer's change of other fields", async () => {
    const { client, namespace, stale } = await staleMachine('m1');
    await client.updateStatus({ ...stale, status: { createTaskId: 'from-another-writer' } });
    const base = { ...(stale.status ?? {}) };
    const changes = changedFields(base, {
      ...base,
      addresses: [{ type: 'InternalIP', address: '192.0.2.7' }],
    });
    await writeFieldChanges(client, stale, base, changes);
    expect((await getTestMachine(client, namespace, 'm1'))?.status).toEqual({
      createTaskId: 'from-another-writer',
      addresses: [{ type: 'InternalIP', address: '192.0.2.7' }],
    });
  });

  it('refuses to overwrite a field another writer changed since it was read, and writes nothing', async () => {
    const { client, namespace, stale } = await staleMachine('m2');
    await client.updateStatus({ ...stale, status: { createTaskId: 'from-another-writer' } });
    const base = { ...(stale.status ?? {}) };
    const changes = changedFields(base, {
      ...base,
      createTaskId: 'derived-from-stale',
      addresses: [{ type: 'InternalIP', address: '192.0.2.8' }],
    });
    const error = await writeFieldChanges(client, stale, base, changes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusFieldConflict);
    expect((error as StatusFieldConflict).fields).toEqual(['createTaskId']);
    expect((error as Error).message).toContain('status.createTaskId');
    expect((await getTestMachine(client, namespace, 'm2'))?.status).toEqual({
      createTaskId: 'from-another-writer',
    });
  });

  it('takes a field the other writer set to the same value as agreed', async () => {
    const { client, namespace, stale } = await staleMachine('m3');
    await client.updateStatus({ ...stale, status: { createTaskId: 'same' } });
    const base = { ...(stale.status ?? {}) };
    const changes = changedFields(base, {
      ...base,
      createTaskId: 'same',
      createRequestedAt: '2026-12-06T00:00:00Z',
    });
    await writeFieldChanges(client, stale, base, changes);
    expect((await getTestMachine(client, namespace, 'm3'))?.status).toEqual({
      createTaskId: 'same',
      createRequestedAt: '2026-12-06T00:00:00Z',
    });
  });
});

describe('a running manager', () => {
  it('answers health, readiness and metrics, and keeps reconciling after the API server restarts', async () => {
    // A control plane of its own: restarting the shared one would disturb other test files.
    const plane: ManagementPlane = await createManagementPlane({
      assets: inject('iinfraEnvtestAssets'),
      crdObjects: [testCluster, testMachine, testMachineTemplate].map(generateCrd),
    });
    cleanups.push(() => plane.controlPlane.stop());
    const kubeConfig = plane.kubeConfig;
    const client = objectClient(kubeConfig);
    const platform = new FakePlatform();
    const manager = new Manager({
      kubeConfig,
      providers: [createTestProvider({ platform })],
      probes: { host: '127.0.0.1', port: 0 },
      log: createLogger({ level: 'error' }),
    });
    cleanups.push(() => manager.stop());
    await manager.start();
    const base = `http://127.0.0.1:${manager.probePort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const namespace = await createTestNamespace(kubeConfig, 'restart');
    await createCluster(client, namespace, 'c1');
    await createMachine(client, namespace, 'c1', 'before');
    await eventually(
      'machine provisioned',
      async () => (await getTestMachine(client, namespace, 'before'))?.status?.ready,
    );

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/iinfra_reconcile_total\{kind="TestMachine",result="success"\} \d+/);
    expect(metrics).toContain(
      'iinfra_platform_api_calls_total{platform="test",operation="CreateVM",result="success"} 1',
    );
    expect(metrics).toMatch(
      /iinfra_informer_watch_last_activity_seconds\{resource="infrastructure.cluster.x-k8s.io\/v1beta1\/testmachines"\}/,
    );
    expect(metrics).toMatch(/iinfra_workqueue_depth\{kind="TestMachine"\} \d+/);

    await plane.controlPlane.restartApiServer();

    await createMachine(client, namespace, 'c1', 'after');
    const after = await eventually('machine created after the restart is provisioned', async () => {
      const m = await getTestMachine(client, namespace, 'after');
      return m?.status?.ready ? m : undefined;
    });
    expect(after.spec.providerID).toBe('test://after');
    expect(platform.calls).toEqual(['create before', 'create after']);
  });
});
