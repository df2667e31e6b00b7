import type { NodePoolCapacityRequest } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { vsphereNodePoolCapacity } from '../../src/ui/node-pool-capacity.js';
import { surgeOf } from '../../src/ui/upgrade/upgrade-plan.js';

type Args = Parameters<typeof vsphereNodePoolCapacity>;
const request = (replicas: number, maxSurge: number, more: Partial<NodePoolCapacityRequest> = {}) => ({
  namespace: 'cpaas-system',
  clusterName: 'vs-a',
  nodePoolName: 'vs-a-big',
  machineTemplate: {
    apiGroup: 'infrastructure.cluster.x-k8s.io',
    kind: 'VSphereMachineTemplate',
    name: 'worker',
  },
  replicas,
  maxSurge,
  ...more,
});
const template = (machineConfigPoolRef?: { name: string }) =>
  ({
    metadata: { name: 'worker' },
    spec: {
      template: { spec: { template: 'ubuntu', ...(machineConfigPoolRef ? { machineConfigPoolRef } : {}) } },
    },
  }) as unknown as Args[1];
const slot = (hostname: string) => ({ hostname, network: { primary: { networkName: 'VM Network' } } });
const pool = (status?: Record<string, unknown>) =>
  ({
    metadata: { name: 'vs-workers' },
    spec: { clusterRef: { name: 'vs-a' }, configs: ['w1', 'w2', 'w3', 'w4'].map(slot) },
    ...(status ? { status } : {}),
  }) as unknown as Args[2];

describe('the vSphere node pool capacity', () => {
  it('counts slots without an InUse or Released record when the controller has not counted yet', () => {
    const capacity = vsphereNodePoolCapacity(
      request(2, 1),
      template({ name: 'vs-workers' }),
      pool({
        configStatuses: [
          { hostname: 'w1', state: 'InUse' },
          { hostname: 'w2', state: 'Released' },
          { hostname: 'w3', state: 'Available' },
        ],
      }),
    );
    expect(capacity).toMatchObject({
      pools: [{ kind: 'VSphereMachineConfigPool', name: 'vs-workers', free: 2, total: 4 }],
      needed: 3,
      problems: [
        {
          field: 'maxSurge',
          message:
            'VSphereMachineConfigPool vs-workers has 2 free slots; this pool needs 3 (2 replicas + 1 max surge)',
        },
      ],
    });
  });

  it('reads availableCount, and gives a pool bound to another consumer no slot for this one', () => {
    const status = { totalCount: 4, availableCount: 4 };
    expect(
      vsphereNodePoolCapacity(request(3, 1), template({ name: 'vs-workers' }), pool(status)),
    ).toMatchObject({
      free: 4,
      problems: [],
    });
    const bound = { ...status, consumerRef: { kind: 'MachineDeployment', name: 'vs-a-workers' } };
    expect(
      vsphereNodePoolCapacity(request(1, 0), template({ name: 'vs-workers' }), pool(bound)),
    ).toMatchObject({
      free: 0,
      problems: [
        {
          field: 'machineTemplate',
          message:
            'VSphereMachineConfigPool vs-workers is bound to MachineDeployment vs-a-workers: its slots are for that pool’s machines only',
        },
      ],
    });
    // Scaling the bound pool itself: its own slots count, beyond the machines that hold some.
    const own = request(4, 1, { nodePoolName: 'vs-a-workers', existingMachines: 2 });
    expect(
      vsphereNodePoolCapacity(own, template({ name: 'vs-workers' }), pool({ ...bound, availableCount: 2 })),
    ).toMatchObject({ free: 2, needed: 3, problems: [{ field: 'maxSurge' }] });
  });

  it('answers nothing for a DHCP template (no machineConfigPoolRef)', () => {
    expect(vsphereNodePoolCapacity(request(1, 1), template(), undefined)).toBeUndefined();
  });

  it('shares Cluster API’s maxSurge rule with the upgrade check: a count, a percentage rounded up, or 1', () => {
    expect(
      surgeOf({ spec: { replicas: 3, rollout: { strategy: { rollingUpdate: { maxSurge: '50%' } } } } }),
    ).toBe(2);
    expect(
      surgeOf({ spec: { replicas: 3, rollout: { strategy: { rollingUpdate: { maxSurge: '2' } } } } }),
    ).toBe(2);
    expect(
      surgeOf({ spec: { replicas: 3, rollout: { strategy: { rollingUpdate: { maxSurge: 0 } } } } }),
    ).toBe(0);
    expect(surgeOf({ spec: {} })).toBe(1);
  });
});
