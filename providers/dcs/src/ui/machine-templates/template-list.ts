/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { h, mountResourceList } from '@immutable-infra/ui-kit';
import { CLUSTER_NAME_LABEL } from '../catalog/labels.js';
import { listMachineTemplates } from '../catalog/resources.js';
import { templateUsers } from './template-usage.js';

/** Machine templates with the documented list columns: VM template, location, specs, IP pool. */
export const machineTemplateList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountResourceList(element, props, {
      extension: 'dcs.machine-template.list',
      className: 'dcs-ext',
      title: 'Machine templates',
      createLabel: 'Create machine template',
      columns: ['Name', 'Type', 'VM template', 'Location', 'Specs', 'IP pool', ''],
      empty: 'No machine templates yet.',
      noun: 'machine template',
      load: () => listMachineTemplates(props.api, props.namespace),
      row: (t, actions) => {
        const location = (t.machineSpec.location as { name?: string } | undefined)?.name ?? '—';
        const memoryGB = t.memoryMB === undefined ? '?' : `${Math.round((t.memoryMB / 1024) * 10) / 10} GB`;
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
            actions.update(t.name),
            // Who uses a template is looked up when the user asks to delete it, not when the list loads.
            actions.delete(t.name, async () => {
              const users = await templateUsers(props.api, props.namespace, t.name);
              return users.length > 0
                ? `${t.name} is used by ${users.join(', ')}; it cannot be deleted`
                : undefined;
            }),
          ),
        ];
      },
      deletePath: (name) =>
        `/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${encodeURIComponent(props.namespace)}/dcsmachinetemplates/${encodeURIComponent(name)}`,
    });
  },
} satisfies StrictAnchorExport<'machine-template.list'>;
