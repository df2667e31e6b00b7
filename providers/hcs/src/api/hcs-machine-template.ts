import type { KindObject } from '@immutable-infra/core';
import { machineTemplateKind } from '@immutable-infra/provider-kit/kinds';
import { hcsKindBase } from './common.js';
import { HCSMachineSpec } from './hcs-machine.js';

export const HCSMachineTemplate = machineTemplateKind({
  base: hcsKindBase,
  machineKind: 'HCSMachine',
  shortNames: ['hcsmt'],
  machineSpec: HCSMachineSpec,
  printerColumns: [
    { name: 'Flavor', type: 'string', jsonPath: '.spec.template.spec.flavorName' },
    { name: 'Image', type: 'string', jsonPath: '.spec.template.spec.imageName' },
  ],
});

export type HCSMachineTemplateObject = KindObject<(typeof HCSMachineTemplate.versions)[0]>;
