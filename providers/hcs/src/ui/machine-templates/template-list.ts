/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { h, mountResourceList } from '@immutable-infra/ui-kit';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { HCS_CLASS, hcsPath } from '../catalog.js';

type Template = Pick<HCSMachineTemplateObject, 'metadata' | 'spec'>;

/** The namespace's HCSMachineTemplates: image, flavor, zone, disks and config pool of each. */
export const machineTemplateList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    const path = hcsPath(props.namespace, 'hcsmachinetemplates');
    return mountResourceList<Template>(element, props, {
      title: 'HCS machine templates',
      createLabel: 'Create machine template',
      empty: 'No HCS machine templates yet.',
      noun: 'machine template',
      extension: 'hcs.machine-template.list',
      className: HCS_CLASS,
      columns: ['Name', 'Image', 'Flavor', 'Availability zone', 'Disks', 'Config pool', ''],
      load: async () =>
        (await props.api.kubernetes<{ items?: Template[] }>({ method: 'GET', path })).items ?? [],
      row: ({ metadata, spec }, actions) => {
        const machine = spec.template.spec;
        const name = metadata.name ?? '';
        const root = machine.rootVolume ? `${machine.rootVolume.size} GB ${machine.rootVolume.type}` : '—';
        const data = (machine.dataVolumes ?? []).length;
        return [
          h('span', { text: name, data: { name } }),
          machine.imageName ?? '—',
          machine.flavorName ?? '—',
          machine.availabilityZone ?? '—',
          data > 0 ? `${root} + ${data} data disk${data === 1 ? '' : 's'}` : root,
          machine.configPoolRef?.name ?? '—',
          h('span', {}, actions.update(name), actions.delete(name)),
        ];
      },
      deletePath: (name) => `${path}/${encodeURIComponent(name)}`,
    });
  },
} satisfies StrictAnchorExport<'machine-template.list'>;
