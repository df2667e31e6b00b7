/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountKindList, nameCell, rowActions } from '@immutable-infra/ui-kit';
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
    return mountKindList<Template>(element, props, {
      collectionPath: vspherePath(props.namespace, 'vspheremachinetemplates'),
      ...words,
      extension: 'vsphere.machine-template.list',
      className: VSPHERE_CLASS,
      columns: ['Name', 'VM template', 'Datacenter', 'Size', 'Networks', ''],
      row: ({ metadata, spec }, actions) => {
        const machine = spec.template.spec;
        const name = metadata.name ?? '';
        const size = `${machine.numCPUs ?? '?'} CPU, ${machine.memoryMiB ?? '?'} MiB${
          machine.diskGiB === undefined ? '' : `, ${machine.diskGiB} GiB disk`
        }`;
        return [
          nameCell(name),
          machine.template,
          machine.datacenter ?? '—',
          size,
          machine.network.devices.map((d) => d.networkName).join(', '),
          rowActions(actions, name),
        ];
      },
    });
  },
} satisfies StrictAnchorExport<'machine-template.list'>;
