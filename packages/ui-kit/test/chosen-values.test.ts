import { describe, expect, test } from 'vitest';
import { chosenValueProblems, requestedVersionOf, slotPoolCapacityOf } from '../src/index.js';

// The kit's checks of a target the user chooses, and a slot pool source's
// default plurals, with a made-up platform (`LabMachineTemplate`).

const controlPlane = {
  metadata: { name: 'lab-cp', generation: 1 },
  spec: { version: 'v1.33.2', replicas: 3 },
  status: { observedGeneration: 1, readyReplicas: 3, upToDateReplicas: 3 },
};
const facts = {
  pool: controlPlane,
  controlPlane,
  cluster: undefined,
  template: undefined,
  bootstrap: undefined,
};
const VERSION = /^v\d+\.\d+\.\d+$/;

describe('chosenValueProblems', () => {
  test('the control plane: the kit version rule, then the platform, then the image', () => {
    const problems = chosenValueProblems('KubeadmControlPlane', facts, 'v1.35.0', {
      version: { pattern: VERSION },
      controlPlaneProblems: (current, version, versionProblem) => [
        { field: 'kubernetesVersion', message: `${current}->${version}:${versionProblem ? 'bad' : 'ok'}` },
      ],
      image: { field: 'image', problem: 'choose an image' },
    });
    expect(problems.map((p) => p.field)).toEqual(['kubernetesVersion', 'kubernetesVersion', 'image']);
    expect(problems[0]?.message).toContain('not an upgrade of v1.33.2');
    expect(problems[1]?.message).toBe('v1.33.2->v1.35.0:bad');
  });

  test('a worker: only the image; none when it is fine', () => {
    const rules = { version: { pattern: VERSION }, image: { field: 'image', problem: undefined } };
    expect(chosenValueProblems('MachineDeployment', facts, 'nonsense', rules)).toEqual([]);
    expect(chosenValueProblems('KubeadmControlPlane', facts, 'v1.34.1', rules)).toEqual([]);
  });

  test('requestedVersionOf keeps only a version of the form', () => {
    expect(requestedVersionOf('v1.34.1', VERSION)).toBe('v1.34.1');
    expect(requestedVersionOf('1.34', VERSION)).toBeUndefined();
  });
});

describe('slotPoolCapacityOf', () => {
  test('answers as slotPoolCapacity for its source', () => {
    const capacity = slotPoolCapacityOf<{ pool: string }, { free: number; total: number }>({
      templateKind: 'LabMachineTemplate',
      poolKind: 'LabSlotPool',
      poolName: (template) => template.pool,
      count: (pool) => pool,
    });
    const request = {
      namespace: 'ns',
      clusterName: 'lab',
      nodePoolName: 'workers',
      machineTemplate: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'LabMachineTemplate', name: 't' },
      replicas: 2,
      maxSurge: 1,
    };
    expect(capacity(request, { pool: 'p' }, { free: 3, total: 4 })).toEqual({
      pools: [{ kind: 'LabSlotPool', name: 'p', free: 3, total: 4 }],
      free: 3,
      needed: 3,
      problems: [],
    });
  });
});
