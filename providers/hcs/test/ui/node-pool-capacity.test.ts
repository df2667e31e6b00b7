import type { NodePoolCapacityRequest } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { hcsNodePoolCapacity } from '../../src/ui/node-pool-capacity.js';

type Args = Parameters<typeof hcsNodePoolCapacity>;
const request = (replicas: number, maxSurge: number, more: Partial<NodePoolCapacityRequest> = {}) => ({
  namespace: 'cpaas-system',
  clusterName: 'hcs-a',
  nodePoolName: 'hcs-a-big',
  machineTemplate: {
    apiGroup: 'infrastructure.cluster.x-k8s.io',
    kind: 'HCSMachineTemplate',
    name: 'worker',
  },
  replicas,
  maxSurge,
  ...more,
});
const template = (configPoolRef?: { name: string }) =>
  ({
    metadata: { name: 'worker' },
    spec: { template: { spec: { flavorName: 'c7.large', ...(configPoolRef ? { configPoolRef } : {}) } } },
  }) as unknown as Args[1];
const entry = (hostname: string) => ({
  hostname,
  networks: [{ subnetName: 'nodes', ipAddress: '10.1.0.1' }],
});
const pool = (status?: Record<string, unknown>) =>
  ({
    metadata: { name: 'hcs-workers' },
    spec: { configs: ['w1', 'w2', 'w3'].map(entry) },
    ...(status ? { status } : {}),
  }) as unknown as Args[2];

describe('the HCS node pool capacity', () => {
  it('reads the HCSMachineConfigPool’s availableCount, as its controller writes it', () => {
    const capacity = hcsNodePoolCapacity(
      request(1, 1),
      template({ name: 'hcs-workers' }),
      pool({ totalCount: 3, availableCount: 1, usedConfigs: [{ hostname: 'w1' }, { hostname: 'w2' }] }),
    );
    expect(capacity).toEqual({
      pools: [{ kind: 'HCSMachineConfigPool', name: 'hcs-workers', free: 1, total: 3 }],
      free: 1,
      needed: 2,
      problems: [
        {
          field: 'maxSurge',
          message:
            'HCSMachineConfigPool hcs-workers has 1 free slot; this pool needs 2 (1 replica + 1 max surge)',
        },
      ],
    });
  });

  it('counts entries not in usedConfigs before the controller has written its counts', () => {
    const capacity = hcsNodePoolCapacity(
      request(2, 0),
      template({ name: 'hcs-workers' }),
      pool({ usedConfigs: [{ hostname: 'w1', machineRef: 'm1' }] }),
    );
    expect(capacity).toMatchObject({ free: 2, needed: 2, problems: [] });
    expect(hcsNodePoolCapacity(request(4, 0), template({ name: 'hcs-workers' }), pool())?.problems).toEqual([
      {
        field: 'replicas',
        message:
          'HCSMachineConfigPool hcs-workers has 3 free slots; this pool needs 4 (4 replicas + 0 max surge)',
      },
    ]);
  });

  it('answers nothing for a template without a config pool', () => {
    expect(hcsNodePoolCapacity(request(1, 1), template(), undefined)).toBeUndefined();
  });
});
