import type { KindObject } from '@immutable-infra/core';
import { machineTemplateKind } from '@immutable-infra/provider-kit/kinds';
import { dcsKindBase } from './common.js';
import { DCSMachineSpec } from './dcs-machine.js';

export const DCSMachineTemplate = machineTemplateKind({
  base: dcsKindBase,
  machineKind: 'DCSMachine',
  machineSpec: DCSMachineSpec,
  printerColumns: [
    { name: 'VM Template', type: 'string', jsonPath: '.spec.template.spec.vmTemplateName' },
    { name: 'CPU', type: 'integer', jsonPath: '.spec.template.spec.vmConfig.dcsMachineCpuSpec.quantity' },
    {
      name: 'Memory (MB)',
      type: 'integer',
      jsonPath: '.spec.template.spec.vmConfig.dcsMachineMemorySpec.quantity',
    },
  ],
});

export type DCSMachineTemplateObject = KindObject<(typeof DCSMachineTemplate.versions)[0]>;
