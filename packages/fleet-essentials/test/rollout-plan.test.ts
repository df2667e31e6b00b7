import { describe, expect, it } from 'vitest';
import type { ClusterObjects, KubeItem } from '../src/server/cluster-rows.js';
import { planUpgrade, rollingWaves } from '../src/server/rollout-plan.js';

const machine = (name: string, labels: Record<string, string>, created: string): KubeItem => ({
  metadata: { name, labels, creationTimestamp: created },
});

function cluster(rollout: Record<string, unknown> = {}, deletionOrder?: string): ClusterObjects {
  const cp = { 'cluster.x-k8s.io/control-plane-name': 'c-cp' };
  const md = { 'cluster.x-k8s.io/deployment-name': 'c-md' };
  return {
    cluster: { metadata: { name: 'c' } },
    controlPlane: {
      metadata: { name: 'c-cp' },
      spec: {
        replicas: 3,
        version: 'v1.34.2',
        machineTemplate: { spec: { infrastructureRef: { name: 'cp-t1' } } },
      },
    },
    machineDeployments: [
      {
        metadata: { name: 'c-md' },
        spec: {
          replicas: 4,
          rollout,
          ...(deletionOrder ? { deletion: { order: deletionOrder } } : {}),
          template: { spec: { version: 'v1.34.2', infrastructureRef: { name: 'w-t1' } } },
        },
      },
    ],
    machines: [
      machine('cp-b', cp, '2026-01-02T00:00:00Z'),
      machine('cp-a', cp, '2026-01-01T00:00:00Z'),
      machine('cp-c', cp, '2026-01-03T00:00:00Z'),
      ...['w1', 'w2', 'w3', 'w4'].map((n, i) => machine(n, md, `2026-02-0${i + 1}T00:00:00Z`)),
    ],
  };
}

describe('the upgrade preview', () => {
  it('replaces the control plane first, one machine at a time oldest first, then each MachineDeployment', () => {
    const plan = planUpgrade(cluster(), { version: 'v1.35.4' });
    expect(plan.problems).toEqual([]);
    expect(plan.pools.map((p) => p.name)).toEqual(['c-cp', 'c-md']);
    expect(plan.pools[0]?.waves).toEqual([
      { create: 1, delete: ['cp-a'] },
      { create: 1, delete: ['cp-b'] },
      { create: 1, delete: ['cp-c'] },
    ]);
    // Defaults: maxSurge 1, maxUnavailable 0.
    expect(plan.pools[1]).toMatchObject({ maxSurge: 1, maxUnavailable: 0, deletionOrder: 'Random' });
    expect(plan.pools[1]?.waves).toHaveLength(4);
  });

  it('honours maxSurge and maxUnavailable (numbers or percentages) and the deletion order', () => {
    const plan = planUpgrade(
      cluster({ strategy: { rollingUpdate: { maxSurge: '50%', maxUnavailable: 1 } } }, 'Newest'),
      { version: 'v1.34.2', templates: { 'c-md': 'w-t2' } },
    );
    // Only the workers' template changes; the control plane is left alone.
    expect(plan.pools.map((p) => p.name)).toEqual(['c-md']);
    expect(plan.pools[0]).toMatchObject({ maxSurge: 2, maxUnavailable: 1, to: { template: 'w-t2' } });
    expect(plan.pools[0]?.waves).toEqual([
      { create: 2, delete: ['w4', 'w3', 'w2'] },
      { create: 2, delete: ['w1'] },
    ]);
    expect(rollingWaves(['a', 'b'], 2, 0, 1)).toEqual([
      { create: 0, delete: ['a'] },
      { create: 1, delete: ['b'] },
      { create: 1, delete: [] },
    ]);
  });

  it('names every problem: a bad version, a downgrade, a skipped minor, an unknown pool', () => {
    expect(planUpgrade(cluster(), { version: '1.35', templates: { nope: 'x' } }).problems).toEqual([
      'version must look like v1.35.4',
      'templates.nope: the cluster has no node pool nope',
    ]);
    expect(planUpgrade(cluster(), { version: 'v1.33.0' }).problems).toEqual([
      "version v1.33.0 is older than the control plane's v1.34.2",
    ]);
    expect(planUpgrade(cluster(), { version: 'v1.36.0' }).problems).toEqual([
      'version v1.36.0 skips a minor version after v1.34.2; upgrade one minor at a time',
    ]);
  });
});
