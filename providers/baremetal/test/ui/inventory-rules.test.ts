import { compareVersions } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import type { MachineInventory } from '../../src/cloud/machine-inventory.js';
import { catalogRows, toInventoryRecord } from '../../src/ui/inventory/inventory-record.js';
import { poolCounters, toPoolRecord } from '../../src/ui/pools/pool-record.js';
import { poolDraftOf, poolSpecOf, validatePool } from '../../src/ui/pools/pool-rules.js';

const inventory = (
  name: string,
  annotations: Record<string, string> = {},
  ready = 'True',
): MachineInventory => ({
  metadata: { name, annotations },
  spec: { observedNetwork: { interfaces: [{ name: 'eth0', addresses: ['192.168.254.73/24'] }] } },
  status: {
    conditions: [{ type: 'Ready', status: ready } as never],
    plan: { secretRef: { name: `${name}-plan` }, state: 'Applied' },
  },
});

describe('the inventory page', () => {
  test('a host shows its allocation, owner, plan, address and what its BMC reports', () => {
    expect(
      toInventoryRecord(
        inventory('demo-0031', {
          'baremetal.alauda.io/pool': 'demo-control-plane-pool',
          'baremetal.alauda.io/allocation-state': 'Allocated',
          'baremetal.alauda.io/owner-cluster': 'demo',
          'baremetal.alauda.io/owner-machine': 'demo-control-plane-abc',
          'baremetal.alauda.io/power-state': 'On',
          'baremetal.alauda.io/hardware': 'Sushy Emulator, 8 CPUs, 32 GiB, 2 NICs',
          'baremetal.alauda.io/baremetalhost': 'rack1-u07',
        }),
      ),
    ).toEqual({
      name: 'demo-0031',
      ready: 'True',
      state: 'Allocated',
      pool: 'demo-control-plane-pool',
      owner: 'demo/demo-control-plane-abc',
      plan: 'Applied',
      address: '192.168.254.73',
      power: 'On',
      hardware: 'Sushy Emulator, 8 CPUs, 32 GiB, 2 NICs',
      host: 'rack1-u07',
    });
    const bare = toInventoryRecord({ metadata: { name: 'new' } });
    expect([bare.ready, bare.state, bare.plan, bare.power]).toEqual([
      'Unknown',
      'Unpooled',
      'none',
      undefined,
    ]);
  });

  test('a pool shows its counters; one not counted yet has nothing available', () => {
    const counted = toPoolRecord({
      metadata: { name: 'p' },
      spec: { clusterName: 'demo', machineInventories: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
      status: { total: 3, available: 1, allocated: 1, preparing: 0, reprovisioning: 0, unavailable: 1 },
    });
    expect(poolCounters(counted)).toBe(
      '1 available, 1 allocated, 0 preparing, 0 reprovisioning, 1 unavailable of 3',
    );
    const fresh = toPoolRecord({
      metadata: { name: 'p' },
      spec: { clusterName: 'demo', machineInventories: [{ name: 'a' }] },
    });
    expect([fresh.free, fresh.counted, poolCounters(fresh)]).toEqual([
      0,
      false,
      'not counted yet (1 listed)',
    ]);
  });

  test('the image catalog lists versions newest first', () => {
    expect(
      catalogRows({ 'v1.33.7-2': ' img:a ', 'v1.34.1-1': 'img:b', 'v1.33.10-1': 'img:c' }, compareVersions),
    ).toEqual([
      ['v1.34.1-1', 'img:b'],
      ['v1.33.10-1', 'img:c'],
      ['v1.33.7-2', 'img:a'],
    ]);
  });
});

describe('the machine inventory pool form', () => {
  const inventories = ['a', 'b', 'c'].map((n) => toInventoryRecord(inventory(n)));
  const other = toPoolRecord({
    metadata: { name: 'other' },
    spec: { clusterName: 'prod', machineInventories: [{ name: 'c' }] },
  });

  test('a pool of registered hosts writes the documented spec', () => {
    const draft = {
      name: 'demo-worker-pool',
      clusterName: 'demo',
      members: [
        { name: 'a', hostname: 'demo-worker-1' },
        { name: 'b', hostname: '' },
      ],
    };
    expect(validatePool(draft, true, inventories, [other])).toEqual([]);
    expect(poolSpecOf(draft)).toEqual({
      clusterName: 'demo',
      machineInventories: [{ name: 'a', hostname: 'demo-worker-1' }, { name: 'b' }],
    });
    expect(poolDraftOf('demo-worker-pool', poolSpecOf(draft))).toEqual(draft);
  });

  test('every problem at its field: name, cluster, no hosts, unknown or taken hosts, bad or repeated hostnames', () => {
    expect(
      validatePool({ name: 'Bad_Name', clusterName: '', members: [] }, true, inventories, [other]),
    ).toEqual([
      {
        field: 'name',
        message: 'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit',
      },
      { field: 'clusterName', message: 'the cluster this pool serves is required' },
      { field: 'machineInventories', message: 'choose at least one registered host' },
    ]);
    expect(
      validatePool(
        {
          name: 'p',
          clusterName: 'demo',
          members: [
            { name: 'x', hostname: 'Node_1' },
            { name: 'c', hostname: 'n1' },
            { name: 'a', hostname: 'n1' },
          ],
        },
        false,
        inventories,
        [other],
      ),
    ).toEqual([
      { field: 'machineInventories.0.name', message: 'x is not a registered MachineInventory here' },
      {
        field: 'machineInventories.0.hostname',
        message: 'Node_1 is not a valid node name (lowercase letters, digits, hyphens, dots)',
      },
      { field: 'machineInventories.1.name', message: 'c is already in pool other' },
      { field: 'machineInventories.2.hostname', message: 'n1 is also the hostname of c' },
    ]);
  });
});
