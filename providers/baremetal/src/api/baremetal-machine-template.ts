import { machineTemplateKind } from '@immutable-infra/provider-kit/kinds';
import { BaremetalMachineSpec } from './baremetal-machine.js';
import { base } from './common.js';

export const BaremetalMachineTemplate = machineTemplateKind({
  base,
  machineKind: 'BaremetalMachine',
  shortNames: ['bmmt'],
  machineSpec: BaremetalMachineSpec,
  printerColumns: [
    { name: 'Pool', type: 'string', jsonPath: '.spec.template.spec.machineInventoryPoolRef.name' },
  ],
});
