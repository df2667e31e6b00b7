/// <reference lib="dom" />
import type { ResourceListProps } from '@immutable-infra/core';
import { CLUSTER_NAME_LABEL } from '../catalog/labels.js';
import { listMachineTemplates } from '../catalog/resources.js';
import { button, describeError, extensionRoot, h, table } from '../dom/elements.js';
import { templateUsers } from './template-usage.js';

/** Machine templates with the documented list columns: VM template, location, specs, IP pool. */
export const machineTemplateList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.machine-template.list');
    const body = h('div', {});
    const message = h('div', { className: 'dcs-error', attrs: { role: 'alert' } });
    let disposed = false;
    const render = async () => {
      try {
        const templates = await listMachineTemplates(props.api, props.namespace);
        if (disposed) return;
        body.replaceChildren(
          table(
            ['Name', 'Type', 'VM template', 'Location', 'Specs', 'IP pool', ''],
            templates.map((t) => {
              const location = (t.machineSpec.location as { name?: string } | undefined)?.name ?? '—';
              const memoryGB =
                t.memoryMB === undefined ? '?' : `${Math.round((t.memoryMB / 1024) * 10) / 10} GB`;
              const owner = t.labels[CLUSTER_NAME_LABEL];
              return [
                h('span', { text: owner ? `${t.name} (cluster ${owner})` : t.name, data: { name: t.name } }),
                t.type === 'control-plane' ? 'Control Plane' : 'Worker Node',
                t.vmTemplateName,
                location,
                `${t.cpu ?? '?'} CPU, ${memoryGB}`,
                t.ipPool,
                h(
                  'span',
                  {},
                  button('Update', () => props.edit(t.name), { action: `edit:${t.name}` }),
                  button('Delete', () => void remove(t.name), { action: `delete:${t.name}` }),
                ),
              ];
            }),
            'No machine templates yet.',
          ),
        );
      } catch (error) {
        message.textContent = describeError(error);
      }
    };
    const remove = async (name: string) => {
      const users = await templateUsers(props.api, props.namespace, name);
      if (users.length > 0) {
        message.textContent = `${name} is used by ${users.join(', ')}; it cannot be deleted`;
        return;
      }
      if (!globalThis.confirm(`Delete machine template ${name}?`)) return;
      try {
        await props.api.kubernetes({
          method: 'DELETE',
          path: `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${encodeURIComponent(props.namespace)}/dcsmachinetemplates/${encodeURIComponent(name)}`,
        });
        await render();
      } catch (error) {
        message.textContent = describeError(error);
      }
    };
    root.append(
      h('h2', { text: 'Machine templates' }),
      button('Create machine template', () => props.create(), { primary: true, action: 'create' }),
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
