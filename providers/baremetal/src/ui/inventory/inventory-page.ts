/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  compareVersions,
  describeError,
  extensionRoot,
  h,
  hint,
  loadingState,
  mountResourceList,
  problemLine,
  table,
} from '@immutable-infra/ui-kit';
import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';
import type { MachineInventory } from '../../cloud/machine-inventory.js';
import {
  BAREMETAL_CLASS,
  baremetalPath,
  configMapPath,
  IMAGE_CATALOG_NAME,
  machineInventoriesPath,
} from '../catalog.js';
import { type InventoryPoolRecord, toPoolRecord } from '../pools/pool-record.js';
import { catalogRows, toInventoryRecord } from './inventory-record.js';

const list = async <T>(props: ResourceListProps, path: string) =>
  (await props.api.kubernetes<{ items?: T[] }>({ method: 'GET', path })).items ?? [];

const count = (n: number) => String(n);

/** The registered hosts: readiness, allocation, pool and owner, plan, address, power and hardware from the BMC. */
async function hostsSection(props: ResourceListProps, body: HTMLElement, message: HTMLElement) {
  try {
    const inventories = await list<MachineInventory>(props, machineInventoriesPath(props.namespace));
    const rows = inventories
      .map(toInventoryRecord)
      .map((r) => [
        h('span', { text: r.name, data: { name: r.name } }),
        r.ready,
        r.state,
        r.pool ?? '—',
        r.owner ?? '—',
        r.plan,
        r.address ?? '—',
        r.power ?? '—',
        r.hardware ?? '—',
      ]);
    body.replaceChildren(
      table(
        ['Host', 'Ready', 'State', 'Pool', 'Cluster/machine', 'Plan', 'Address', 'Power', 'Hardware'],
        rows,
        'No host has registered yet: boot the SeedImage ISO on a host to register it.',
      ),
    );
  } catch (error) {
    body.replaceChildren();
    message.textContent = describeError(error);
  }
}

/** The image catalog: which OS image each Kubernetes version provisions. */
async function catalogSection(props: ResourceListProps, body: HTMLElement, message: HTMLElement) {
  try {
    const catalog = await props.api
      .kubernetes<{ data?: Record<string, string> }>({
        method: 'GET',
        path: configMapPath(props.namespace, IMAGE_CATALOG_NAME),
      })
      .catch(() => undefined);
    body.replaceChildren(
      catalog
        ? table(
            ['Kubernetes version', 'OS image'],
            catalogRows(catalog.data, compareVersions),
            'The catalog is empty.',
          )
        : hint(
            `ConfigMap ${IMAGE_CATALOG_NAME} is not in ${props.namespace}: no version can be provisioned here.`,
            {
              data: { empty: 'true' },
            },
          ),
    );
  } catch (error) {
    body.replaceChildren();
    message.textContent = describeError(error);
  }
}

/**
 * The bare-metal inventory on the host's pools page: the MachineInventoryPools
 * with their counters (created, updated and deleted here), the registered
 * hosts, and the image catalog. A pool that holds hosts cannot be deleted.
 */
export const inventoryPoolList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const { root, unmount } = extensionRoot(element, 'baremetal.inventory', { className: BAREMETAL_CLASS });
    const poolsBox = h('section', { attrs: { 'aria-label': 'Machine inventory pools' } });
    const hostsBody = h('div', {}, loadingState());
    const hostsMessage = problemLine();
    const catalogBody = h('div', {}, loadingState());
    const catalogMessage = problemLine();
    root.append(
      poolsBox,
      h(
        'section',
        { data: { section: 'hosts' }, attrs: { 'aria-label': 'Registered hosts' } },
        h('h2', { text: 'Registered hosts' }),
        hostsMessage,
        hostsBody,
      ),
      h(
        'section',
        { data: { section: 'image-catalog' }, attrs: { 'aria-label': 'Image catalog' } },
        h('h2', { text: 'Image catalog' }),
        catalogMessage,
        catalogBody,
      ),
    );
    const path = baremetalPath(props.namespace, 'machineinventorypools');
    let pools: InventoryPoolRecord[] = [];
    const stopPools = mountResourceList<InventoryPoolRecord>(poolsBox, props, {
      extension: 'baremetal.inventory-pools',
      className: BAREMETAL_CLASS,
      title: 'Machine inventory pools',
      createLabel: 'Create pool',
      empty: 'No machine inventory pools yet.',
      noun: 'machine inventory pool',
      columns: [
        'Name',
        'Cluster',
        'Total',
        'Available',
        'Allocated',
        'Preparing',
        'Reprovisioning',
        'Unavailable',
        '',
      ],
      load: async () => {
        pools = (await list<MachineInventoryPoolObject>(props, path)).map(toPoolRecord);
        return pools;
      },
      row: (pool, actions) => [
        h('span', { text: pool.name, data: { name: pool.name } }),
        pool.cluster,
        count(pool.total),
        pool.counted ? count(pool.free) : 'not counted',
        count(pool.allocated),
        count(pool.preparing),
        count(pool.reprovisioning),
        count(pool.unavailable),
        h(
          'span',
          {},
          actions.update(pool.name),
          actions.delete(pool.name, () => {
            const held = pools.find((p) => p.name === pool.name);
            return held && held.allocated + held.reprovisioning + held.preparing > 0
              ? `Pool ${pool.name} still holds hosts of cluster ${held.cluster}: scale its node pools down first`
              : undefined;
          }),
        ),
      ],
      deletePath: (name) => `${path}/${encodeURIComponent(name)}`,
    });
    void hostsSection(props, hostsBody, hostsMessage);
    void catalogSection(props, catalogBody, catalogMessage);
    return () => {
      stopPools();
      unmount();
    };
  },
} satisfies StrictAnchorExport<'ip-pool.list'>;
