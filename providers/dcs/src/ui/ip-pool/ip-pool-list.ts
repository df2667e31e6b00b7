/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { h, mountResourceList, nameCell, rowActions } from '@immutable-infra/ui-kit';
import { basePath, type KubeObject, listObjects, toPoolRecord } from '../catalog/resources.js';

/** IP pools with used and free entries, and which machine holds each entry. */
export const ipPoolList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountResourceList<KubeObject>(element, props, {
      extension: 'dcs.ip-pool.list',
      className: 'dcs-ext',
      title: 'IP pools',
      createLabel: 'Create IP pool',
      columns: ['Name', 'Used / total', 'Free', 'Entries', 'Created', ''],
      empty: 'No IP pools yet.',
      noun: 'IP pool',
      load: () => listObjects<KubeObject>(props.api, basePath(props.namespace, 'dcsiphostnamepools')),
      row: (pool, actions) => {
        const record = toPoolRecord(pool);
        const slots =
          (pool.status as { slots?: { ip: string; dcsMachine: string }[] } | undefined)?.slots ?? [];
        const holders = new Map(slots.map((s) => [s.ip, s.dcsMachine]));
        return [
          nameCell(record.name),
          `${record.used} / ${record.total}`,
          h('span', { text: String(record.free), data: { free: record.name } }),
          h(
            'ul',
            {},
            ...record.nodeIps.map((ip) =>
              h('li', {
                text: holders.has(ip) ? `${ip} — ${holders.get(ip)}` : `${ip} — free`,
                data: { slot: ip },
              }),
            ),
          ),
          pool.metadata.creationTimestamp ?? '',
          rowActions(actions, record.name, () =>
            record.used > 0
              ? `${record.name} has ${record.used} entries held by machines; it cannot be deleted`
              : undefined,
          ),
        ];
      },
      deletePath: (name) => `${basePath(props.namespace, 'dcsiphostnamepools')}/${encodeURIComponent(name)}`,
    });
  },
} satisfies StrictAnchorExport<'ip-pool.list'>;
