/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountResourceList, nameCell, rowActions } from '@immutable-infra/ui-kit';
import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';
import { BAREMETAL_CLASS, baremetalPath } from '../catalog.js';
import { type TemplateRecord, toTemplateRecord } from '../cluster-create/facts.js';
import { type InventoryPoolRecord, poolCounters, toPoolRecord } from '../pools/pool-record.js';

type Row = TemplateRecord & { pool: InventoryPoolRecord | undefined };

/** The namespace's BaremetalMachineTemplates: the pool each draws hosts from, its cluster and counters. */
export const machineTemplateList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const path = baremetalPath(props.namespace, 'baremetalmachinetemplates');
    const list = async <T>(at: string) =>
      (await props.api.kubernetes<{ items?: T[] }>({ method: 'GET', path: at })).items ?? [];
    return mountResourceList<Row>(element, props, {
      title: 'Bare-metal machine templates',
      createLabel: 'Create machine template',
      empty: 'No bare-metal machine templates yet.',
      noun: 'machine template',
      extension: 'baremetal.machine-template.list',
      className: BAREMETAL_CLASS,
      columns: ['Name', 'Machine inventory pool', 'Cluster', 'Hosts', ''],
      load: async () => {
        const [templates, pools] = await Promise.all([
          list<Parameters<typeof toTemplateRecord>[0]>(path),
          list<MachineInventoryPoolObject>(baremetalPath(props.namespace, 'machineinventorypools')),
        ]);
        const records = pools.map(toPoolRecord);
        return templates
          .map(toTemplateRecord)
          .map((t) => ({ ...t, pool: records.find((p) => p.name === t.configPool) }));
      },
      row: (t, actions) => [
        nameCell(t.name),
        t.configPool ?? '—',
        t.pool?.cluster ?? '—',
        t.pool ? poolCounters(t.pool) : 'pool missing',
        rowActions(actions, t.name),
      ],
      deletePath: (name) => `${path}/${encodeURIComponent(name)}`,
    });
  },
} satisfies StrictAnchorExport<'machine-template.list'>;
