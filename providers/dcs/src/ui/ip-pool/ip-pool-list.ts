/// <reference lib="dom" />
import type { ResourceListProps } from '@immutable-infra/core';
import { basePath, type KubeObject, listObjects, toPoolRecord } from '../catalog/resources.js';
import { button, describeError, extensionRoot, h, table } from '../dom/elements.js';

/** IP pools with used and free entries, and which machine holds each entry. */
export const ipPoolList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.ip-pool.list');
    const body = h('div', {});
    const message = h('div', { className: 'dcs-error', attrs: { role: 'alert' } });
    let disposed = false;
    const render = async () => {
      try {
        const pools = await listObjects<KubeObject>(
          props.api,
          basePath(props.namespace, 'dcsiphostnamepools'),
        );
        if (disposed) return;
        body.replaceChildren(
          table(
            ['Name', 'Used / total', 'Free', 'Entries', 'Created', ''],
            pools.map((pool) => {
              const record = toPoolRecord(pool);
              const slots =
                (pool.status as { slots?: { ip: string; dcsMachine: string }[] } | undefined)?.slots ?? [];
              const holders = new Map(slots.map((s) => [s.ip, s.dcsMachine]));
              return [
                h('span', { text: record.name, data: { name: record.name } }),
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
                h(
                  'span',
                  {},
                  button('Update', () => props.edit(record.name), { action: `edit:${record.name}` }),
                  button('Delete', () => void remove(record.name, record.used), {
                    action: `delete:${record.name}`,
                  }),
                ),
              ];
            }),
            'No IP pools yet.',
          ),
        );
      } catch (error) {
        message.textContent = describeError(error);
      }
    };
    const remove = async (name: string, used: number) => {
      if (used > 0) {
        message.textContent = `${name} has ${used} entries held by machines; it cannot be deleted`;
        return;
      }
      if (!globalThis.confirm(`Delete IP pool ${name}?`)) return;
      try {
        await props.api.kubernetes({
          method: 'DELETE',
          path: `${basePath(props.namespace, 'dcsiphostnamepools')}/${encodeURIComponent(name)}`,
        });
        await render();
      } catch (error) {
        message.textContent = describeError(error);
      }
    };
    root.append(
      h('h2', { text: 'IP pools' }),
      button('Create IP pool', () => props.create(), { primary: true, action: 'create' }),
      message,
      body,
    );
    void render();
    return () => {
      disposed = true;
      unmount();
    };
  },
};
