import { type ControlPlane, ensureEnvtestAssets, startControlPlane } from '@immutable-infra/testkit';
import { CoreV1Api, KubeConfig, type V1OwnerReference } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOrphans } from '../src/owner-garbage-collector.ts';

const NS = 'default';
const SECRETS = [{ apiVersion: 'v1', kind: 'Secret' }] as const;

let plane: ControlPlane;
let core: CoreV1Api;
let kubeConfig: KubeConfig;

beforeAll(async () => {
  plane = await startControlPlane({ assets: await ensureEnvtestAssets(), name: 'demo-gc' });
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await plane?.stop();
});

async function configMap(name: string): Promise<V1OwnerReference> {
  const made = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name } } });
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid: made.metadata?.uid ?? '' };
}

async function secret(name: string, ownerReferences: V1OwnerReference[]) {
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name, ownerReferences } } });
}

const deleteConfigMap = (name: string) => core.deleteNamespacedConfigMap({ name, namespace: NS });

async function secretNames(): Promise<string[]> {
  return (await core.listNamespacedSecret({ namespace: NS })).items.map((s) => s.metadata?.name ?? '').sort();
}

describe('the demo garbage collector', () => {
  it('deletes a dependent once every owner is gone or replaced, and keeps every other one', async () => {
    const gone = await configMap('gone');
    const kept = await configMap('kept');
    const replaced = await configMap('replaced');
    await secret('owner-gone', [gone]);
    await secret('one-owner-left', [gone, kept]);
    await secret('owner-replaced', [replaced]);
    await secret('no-owner', []);
    await secret('owner-unknown-kind', [
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        name: 'w',
        uid: '00000000-0000-0000-0000-000000000001',
      },
    ]);

    // Every owner still there: nothing goes.
    expect(await collectOrphans(kubeConfig, SECRETS)).toEqual([]);

    await deleteConfigMap('gone');
    await deleteConfigMap('replaced');
    await configMap('replaced');
    expect((await collectOrphans(kubeConfig, SECRETS)).sort()).toEqual([
      `Secret ${NS}/owner-gone`,
      `Secret ${NS}/owner-replaced`,
    ]);
    expect(await secretNames()).toEqual(['no-owner', 'one-owner-left', 'owner-unknown-kind']);

    // The last owner goes: so does its dependent; a second pass finds nothing left to do.
    await deleteConfigMap('kept');
    expect(await collectOrphans(kubeConfig, SECRETS)).toEqual([`Secret ${NS}/one-owner-left`]);
    expect(await collectOrphans(kubeConfig, SECRETS)).toEqual([]);
    expect(await secretNames()).toEqual(['no-owner', 'owner-unknown-kind']);
  });
});
