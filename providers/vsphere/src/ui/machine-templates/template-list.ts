/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { h, mountResourceList } from '@immutable-infra/ui-kit';
import type { VSphereMachineTemplateObject } from '../../api/vsphere-machine-template.js';
import { VSPHERE_CLASS, vspherePath } from '../catalog.js';

type Template = Pick<VSphereMachineTemplateObject, 'metadata' | 'spec'>;

const words = {
  title: 'vSphere machine templates',
  createLabel: 'Create machine template',
  empty: 'No vSphere machine templates yet.',
  noun: 'machine template',
};

/** The namespace's VSphereMachineTemplates: what each clones, where, at what size, on which networks. */
export const machineTemplateList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const path = vspherePath(props.namespace, 'vspheremachinetemplates');
    return mountResourceList<Template>(element, props, {
      ...words,
      extension: 'vsphere.machine-template.list',
      className: VSPHERE_CLASS,
      columns: ['Name', 'VM template', 'Datacenter', 'Size', 'Networks', ''],
      load: async () =>
        (await props.api.kubernetes<{ items?: Template[] }>({ method: 'GET', path })).items ?? [],
      row: ({ metadata, spec }, actions) => {
        const machine = spec.template.spec;
        const name = metadata.name ?? '';
        const size = `${machine.numCPUs ?? '?'} CPU, ${machine.memoryMiB ?? '?'} MiB${
          machine.diskGiB === undefined ? '' : `, ${machine.diskGiB} GiB disk`
        }`;
        return [
          h('span', { text: name, data: { name } }),
          machine.template,
          machine.datacenter ?? '—',
          size,
          machine.network.devices.map((d) => d.networkName).join(', '),
          h('span', {}, actions.update(name), actions.delete(name)),
        ];
      },
      deletePath: (name) => `${path}/${encodeURIComponent(name)}`,
    });
  },
} satisfies StrictAnchorExport<'machine-template.list'>;
