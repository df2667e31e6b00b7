/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  card,
  checkboxField,
  fieldGroup,
  h,
  hint,
  mountPlatformResourceForm,
  textField,
} from '@immutable-infra/ui-kit';
import { BAREMETAL_API_VERSION } from '../../api/common.js';
import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';
import type { MachineInventory } from '../../cloud/machine-inventory.js';
import { BAREMETAL_CLASS, baremetalPath, machineInventoriesPath } from '../catalog.js';
import { type InventoryRecord, toInventoryRecord } from '../inventory/inventory-record.js';
import { type InventoryPoolRecord, toPoolRecord } from './pool-record.js';
import { type PoolDraft, type PoolMemberDraft, poolDraftOf, poolSpecOf, validatePool } from './pool-rules.js';

type StoredPool = Pick<MachineInventoryPoolObject, 'metadata' | 'spec'>;
interface Known {
  inventories: InventoryRecord[];
  pools: InventoryPoolRecord[];
}

/**
 * The MachineInventoryPool form: the cluster it serves and the registered
 * hosts it lists, each ticked with an optional node hostname. Hosts already
 * listed are kept first, in their order; then the others as registered.
 */
export const inventoryPoolForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const cluster = textField('Cluster name', 'clusterName', '', {
      hint: 'The workload cluster this pool serves',
    });
    const box = h('div', {}, hint('Loading the registered hosts…'));
    let known: Known = { inventories: [], pools: [] };
    let readers: (() => PoolMemberDraft | undefined)[] = [];
    // The rows' hosts in order: a problem of the n-th ticked host shows at that host's row.
    let names: string[] = [];
    const atRow = (draft: PoolDraft, field: string) =>
      field.replace(/^machineInventories\.(\d+)/, (whole, i: string) => {
        const row = names.indexOf(draft.members[Number(i)]?.name ?? '');
        return row < 0 ? whole : `machineInventories.${row}`;
      });
    const render = (members: PoolMemberDraft[]) => {
      const listed = members.map((m) => m.name);
      names = [...listed, ...known.inventories.map((i) => i.name).filter((n) => !listed.includes(n))];
      readers = [];
      box.replaceChildren(
        ...(names.length === 0 ? [hint('No host has registered in this namespace yet.')] : []),
        ...names.map((name, i) => {
          const record = known.inventories.find((inv) => inv.name === name);
          const member = members.find((m) => m.name === name);
          const other = known.pools.find((p) => p.name !== props.name && p.members.includes(name));
          const facts = record
            ? `Ready ${record.ready}, ${record.state}${other ? `, in pool ${other.name}` : ''}${record.hardware ? `, ${record.hardware}` : ''}`
            : 'not registered';
          const take = checkboxField(
            `${name} (${facts})`,
            `machineInventories.${i}.name`,
            member !== undefined,
          );
          const hostname = textField(
            'Node hostname',
            `machineInventories.${i}.hostname`,
            member?.hostname ?? '',
            {
              hint: 'Optional; the inventory name when empty',
            },
          );
          readers.push(() =>
            take.input.checked ? { name, hostname: hostname.input.value.trim() } : undefined,
          );
          return card({ inventory: name }, take.row, hostname.row);
        }),
      );
    };
    const { unmount } = mountPlatformResourceForm<StoredPool, PoolDraft, Known>(element, props, {
      id: 'baremetal.inventory-pool.form',
      className: BAREMETAL_CLASS,
      noun: 'machine inventory pool',
      apiVersion: BAREMETAL_API_VERSION,
      kind: 'MachineInventoryPool',
      kindWithArticle: 'a MachineInventoryPool',
      collectionPath: baremetalPath(props.namespace, 'machineinventorypools'),
      rows: [cluster.row, fieldGroup('Hosts', 'machineInventories', box)],
      read: (name) => ({
        name,
        clusterName: cluster.input.value.trim(),
        members: readers.flatMap((read) => read() ?? []),
      }),
      problems: (draft, creating) =>
        validatePool(draft, creating, known.inventories, known.pools).map((p) => ({
          ...p,
          field: atRow(draft, p.field),
        })),
      spec: (draft) => poolSpecOf(draft),
      loadMore: async () => {
        const list = async <T>(path: string) =>
          (await props.api.kubernetes<{ items?: T[] }>({ method: 'GET', path })).items ?? [];
        const [inventories, pools] = await Promise.all([
          list<MachineInventory>(machineInventoriesPath(props.namespace)),
          list<MachineInventoryPoolObject>(baremetalPath(props.namespace, 'machineinventorypools')),
        ]);
        return { inventories: inventories.map(toInventoryRecord), pools: pools.map(toPoolRecord) };
      },
      show(found, more) {
        known = more ?? known;
        const draft = poolDraftOf(found?.metadata.name ?? '', found?.spec);
        cluster.input.value = draft.clusterName;
        render(draft.members);
      },
    });
    return unmount;
  },
} satisfies StrictAnchorExport<'ip-pool.form'>;
