import type { NodePoolCapacityRequest } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { baremetalNodePoolCapacity } from '../../src/ui/node-pool-capacity.js';

type Args = Parameters<typeof baremetalNodePoolCapacity>;
const request = (replicas: number, maxSurge: number, more: Partial<NodePoolCapacityRequest> = {}) => ({
  namespace: 'cpaas-system',
  clusterName: 'bm-a',
  nodePoolName: 'bm-a-workers',
  machineTemplate: {
    apiGroup: 'infrastructure.cluster.x-k8s.io',
    kind: 'BaremetalMachineTemplate',
    name: 'bm-a-worker',
  },
  replicas,
  maxSurge,
  ...more,
});
const template = (pool = 'bm-a-workers') =>
  ({
    metadata: { name: 'bm-a-worker' },
    spec: { template: { spec: { machineInventoryPoolRef: { name: pool } } } },
  }) as Args[1];
const pool = (status?: Record<string, number>, clusterName = 'bm-a') =>
  ({
    metadata: { name: 'bm-a-workers' },
    spec: { clusterName, machineInventories: ['h1', 'h2', 'h3', 'h4'].map((name) => ({ name })) },
    ...(status ? { status } : {}),
  }) as Args[2];

describe('the bare-metal node pool capacity', () => {
  it('counts the pool’s available hosts: replicas alone, then replicas with the rollout’s surge', () => {
    const counted = pool({ total: 4, available: 2, allocated: 1, unavailable: 1 });
    expect(baremetalNodePoolCapacity(request(2, 0), template(), counted)).toEqual({
      pools: [{ kind: 'MachineInventoryPool', name: 'bm-a-workers', free: 2, total: 4 }],
      free: 2,
      needed: 2,
      problems: [],
    });
    expect(baremetalNodePoolCapacity(request(3, 0), template(), counted)).toMatchObject({
      needed: 3,
      problems: [
        {
          field: 'replicas',
          message:
            'MachineInventoryPool bm-a-workers has 2 free slots; this pool needs 3 (3 replicas + 0 max surge)',
        },
      ],
    });
    // A surge machine needs a host of its own: bare metal does not over-provision unless maxSurge says so.
    expect(baremetalNodePoolCapacity(request(2, 1), template(), counted)).toMatchObject({
      needed: 3,
      problems: [{ field: 'maxSurge' }],
    });
    // Scaling up: the machines the pool has hold their hosts already.
    expect(
      baremetalNodePoolCapacity(request(4, 0, { existingMachines: 2 }), template(), counted),
    ).toMatchObject({ needed: 2, problems: [] });
  });

  it('knows no free host in a pool its controller has not counted yet', () => {
    expect(baremetalNodePoolCapacity(request(1, 0), template(), pool())).toMatchObject({
      pools: [{ free: 0, total: 4 }],
      problems: [{ field: 'replicas' }],
    });
  });

  it('gives a pool serving another cluster no host for this one', () => {
    expect(
      baremetalNodePoolCapacity(request(1, 0), template(), pool({ total: 4, available: 4 }, 'bm-b')),
    ).toMatchObject({
      free: 0,
      problems: [
        {
          field: 'machineTemplate',
          message:
            'MachineInventoryPool bm-a-workers serves cluster bm-b, not bm-a: its slots are for that cluster’s machines only',
        },
      ],
    });
  });

  it('names a missing pool, and answers nothing for another provider’s template', () => {
    expect(baremetalNodePoolCapacity(request(1, 0), template('gone'), undefined)).toMatchObject({
      problems: [
        {
          field: 'machineTemplate',
          message:
            'BaremetalMachineTemplate bm-a-worker draws from MachineInventoryPool gone, which does not exist',
        },
      ],
    });
    const other = request(1, 0, {
      machineTemplate: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSMachineTemplate', name: 'x' },
    });
    expect(baremetalNodePoolCapacity(other, template(), pool({ available: 4 }))).toBeUndefined();
  });
});
