import type { NodePoolCapacityRequest } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/ui/catalog/resources.js';
import { dcsNodePoolCapacity, nodePoolCapacity } from '../../src/ui/node-pool-capacity.js';
import { kubernetesRequest, testHostApi } from './host-api.js';
import { INFRA, ipPool, machineTemplate } from './wizard-scenario.js';

const request = (replicas: number, maxSurge: number, more: Partial<NodePoolCapacityRequest> = {}) => ({
  namespace: 'cpaas-system',
  clusterName: 'dcs-a',
  nodePoolName: 'dcs-a-big',
  machineTemplate: {
    apiGroup: 'infrastructure.cluster.x-k8s.io',
    kind: 'DCSMachineTemplate',
    name: 'worker',
  },
  replicas,
  maxSurge,
  ...more,
});

const template = (ipHostPoolRef?: { name: string }): KubeObject => ({
  metadata: { name: 'worker' },
  spec: { template: { spec: { vmTemplateName: 'microos', ...(ipHostPoolRef ? { ipHostPoolRef } : {}) } } },
});

// Four entries, two held by DCSMachines in status.slots: two free, as the pool controller counts them.
const pool: KubeObject = {
  metadata: { name: 'workers-ips' },
  spec: {
    pool: ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14'].map((ip) => ({ ip, hostname: `w-${ip}` })),
  },
  status: {
    slots: [
      { ip: '10.0.0.11', dcsMachine: 'm1', dcsMachineUID: 'u1' },
      { ip: '10.0.0.13', dcsMachine: 'm3', dcsMachineUID: 'u3' },
      // A claim of an entry no longer in spec holds nothing the pool can give.
      { ip: '10.0.0.99', dcsMachine: 'm9', dcsMachineUID: 'u9' },
    ],
  },
};

describe('the DCS node pool capacity', () => {
  it('counts the free entries of the DCSIpHostnamePool the template names', () => {
    expect(dcsNodePoolCapacity(request(1, 1), template({ name: 'workers-ips' }), pool)).toEqual({
      pools: [{ kind: 'DCSIpHostnamePool', name: 'workers-ips', free: 2, total: 4 }],
      free: 2,
      needed: 2,
      problems: [],
    });
  });

  it('puts the problem at maxSurge when only the rollout’s extra machine does not fit', () => {
    const capacity = dcsNodePoolCapacity(request(2, 1), template({ name: 'workers-ips' }), pool);
    expect(capacity?.problems).toEqual([
      {
        field: 'maxSurge',
        message:
          'DCSIpHostnamePool workers-ips has 2 free slots; this pool needs 3 (2 replicas + 1 max surge)',
      },
    ]);
  });

  it('puts the problem at replicas when the replicas alone do not fit', () => {
    const capacity = dcsNodePoolCapacity(request(3, 0), template({ name: 'workers-ips' }), pool);
    expect(capacity?.problems.map((p) => p.field)).toEqual(['replicas']);
    expect(capacity?.needed).toBe(3);
  });

  it('counts only the machines a scaled pool adds beyond those holding entries', () => {
    const capacity = dcsNodePoolCapacity(
      request(4, 0, { existingMachines: 2 }),
      template({ name: 'workers-ips' }),
      pool,
    );
    expect(capacity).toMatchObject({ needed: 2, problems: [] });
  });

  it('names a pool that does not exist at the machine template', () => {
    expect(dcsNodePoolCapacity(request(1, 1), template({ name: 'gone' }), undefined)?.problems).toEqual([
      {
        field: 'machineTemplate',
        message: 'DCSMachineTemplate worker draws from DCSIpHostnamePool gone, which does not exist',
      },
    ]);
  });

  it('answers nothing for a template without a pool, a missing template or another kind', () => {
    expect(dcsNodePoolCapacity(request(1, 1), template(), undefined)).toBeUndefined();
    expect(dcsNodePoolCapacity(request(1, 1), undefined, undefined)).toBeUndefined();
    const other = request(1, 1, {
      machineTemplate: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: 'HCSMachineTemplate',
        name: 'worker',
      },
    });
    expect(dcsNodePoolCapacity(other, template({ name: 'workers-ips' }), pool)).toBeUndefined();
  });
});

describe('the DCS node-pool.capacity export', () => {
  it('reads the template and its pool from the API server as the user, and counts the held entries', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'capacity');
    const create = (plural: string, body: unknown) =>
      kubernetesRequest(kubeConfig, 'POST', `${INFRA}/namespaces/${namespace}/${plural}`, body);
    await create('dcsiphostnamepools', ipPool(namespace, 'worker-pool', 21, 3));
    await create(
      'dcsmachinetemplates',
      machineTemplate(namespace, 'worker-135', 'worker', 'worker-pool', 'ubuntu'),
    );
    await kubernetesRequest(
      kubeConfig,
      'PATCH',
      `${INFRA}/namespaces/${namespace}/dcsiphostnamepools/worker-pool/status`,
      { status: { slots: [{ ip: '10.0.1.21', dcsMachine: 'w-1', dcsMachineUID: 'uid-1' }] } },
    );
    const api = testHostApi(kubeConfig);
    const ask = (name: string, replicas: number) =>
      nodePoolCapacity.check(
        {
          ...request(replicas, 1),
          namespace,
          machineTemplate: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSMachineTemplate', name },
        },
        { namespace, api },
      );
    expect(await ask('worker-135', 1)).toEqual({
      pools: [{ kind: 'DCSIpHostnamePool', name: 'worker-pool', free: 2, total: 3 }],
      free: 2,
      needed: 2,
      problems: [],
    });
    expect((await ask('worker-135', 2))?.problems.map((p) => p.field)).toEqual(['maxSurge']);
    // A template that does not exist (yet) is the form's own problem: no answer.
    expect(await ask('no-such-template', 1)).toBeUndefined();
    expect(api.calls).toContain(`GET ${INFRA}/namespaces/${namespace}/dcsiphostnamepools/worker-pool`);
  });
});
