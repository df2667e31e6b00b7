import type { KubeClient } from '@immutable-infra/core';
import { ClaimablePool } from '@immutable-infra/provider-kit';
import { describe, expect, it } from 'vitest';
import type { HCSMachineConfigPoolObject } from '../../src/api/index.js';
import { configPoolKind } from '../../src/controllers/pool-claims.js';

/** A pool held in memory, with the resourceVersion check the API server makes. */
function poolStore(pool: HCSMachineConfigPoolObject) {
  let current = structuredClone(pool);
  const kube = {
    get: async () => structuredClone(current),
    patchStatus: async (_ref: unknown, patch: { metadata: { resourceVersion?: string }; status: object }) => {
      if (patch.metadata.resourceVersion !== current.metadata.resourceVersion)
        throw Object.assign(new Error('conflict'), { status: 409 });
      const version = String(Number(current.metadata.resourceVersion) + 1);
      current = {
        ...current,
        metadata: { ...current.metadata, resourceVersion: version },
        status: { ...current.status, ...patch.status },
      };
      return current;
    },
  } as unknown as KubeClient;
  return { kube, read: () => current };
}

const entry = (hostname: string) => ({
  hostname,
  networks: [{ subnetName: 'workers', ipAddress: '192.168.20.10' }],
});

describe('HCSMachineConfigPool claims through the kit', () => {
  it('adopts a claim written by name only, so an upgraded manager keeps the machine its entry', async () => {
    const store = poolStore({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'HCSMachineConfigPool',
      metadata: { name: 'pool', namespace: 'ns', resourceVersion: '1' },
      spec: { configs: [entry('a'), entry('b')] },
      status: { usedConfigs: [{ hostname: 'b', machineRef: 'm-1' }] },
    } as unknown as HCSMachineConfigPoolObject);
    const pools = new ClaimablePool(store.kube, configPoolKind);

    const claim = await pools.claim('ns', 'pool', { uid: 'uid-1', name: 'm-1' });
    expect(claim).toMatchObject({ ok: true, entry: { hostname: 'b' } });
    expect(store.read().status?.usedConfigs).toEqual([
      { hostname: 'b', machineRef: 'm-1', machineUID: 'uid-1' },
    ]);

    // A new machine with the old name is another holder: it gets the free entry.
    expect(await pools.claim('ns', 'pool', { uid: 'uid-2', name: 'm-1' })).toMatchObject({
      entry: { hostname: 'a' },
    });
    expect(await pools.release('ns', 'pool', { uid: 'uid-1', name: 'm-1' })).toBe(true);
    expect(store.read().status?.usedConfigs).toEqual([
      { hostname: 'a', machineRef: 'm-1', machineUID: 'uid-2' },
    ]);
  });
});
