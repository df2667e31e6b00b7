/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountKindList, nameCell, rowActions } from '@immutable-infra/ui-kit';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { HCS_CLASS, hcsPath } from '../catalog.js';

type Template = Pick<HCSMachineTemplateObject, 'metadata' | 'spec'>;

/** The namespace's HCSMachineTemplates: image, flavor, zone, disks and config pool of each. */
export const machineTemplateList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountKindList<Template>(element, props, {
      collectionPath: hcsPath(props.namespace, 'hcsmachinetemplates'),
      title: 'HCS machine templates',
      createLabel: 'Create machine template',
      empty: 'No HCS machine templates yet.',
      noun: 'machine template',
      extension: 'hcs.machine-template.list',
      className: HCS_CLASS,
      columns: ['Name', 'Image', 'Flavor', 'Availability zone', 'Disks', 'Config pool', ''],
      row: ({ metadata, spec }, actions) => {
        const machine = spec.template.spec;
        const name = metadata.name ?? '';
        const root = machine.rootVolume ? `${machine.rootVolume.size} GB ${machine.rootVolume.type}` : '—';
        const data = (machine.dataVolumes ?? []).length;
        return [
          nameCell(name),
          machine.imageName ?? '—',
          machine.flavorName ?? '—',
          machine.availabilityZone ?? '—',
          data > 0 ? `${root} + ${data} data disk${data === 1 ? '' : 's'}` : root,
          machine.configPoolRef?.name ?? '—',
          rowActions(actions, name),
        ];
      },
    });
  },
} satisfies StrictAnchorExport<'machine-template.list'>;
