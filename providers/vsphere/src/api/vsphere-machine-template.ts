import type { KindObject } from '@immutable-infra/core';
import { machineTemplateKind } from '@immutable-infra/provider-kit/kinds';
import { vsphereKindBase } from './common.js';
import { VSphereMachineSpec } from './vsphere-machine.js';

export const VSphereMachineTemplate = machineTemplateKind({
  base: vsphereKindBase,
  machineKind: 'VSphereMachine',
  machineSpec: VSphereMachineSpec,
  printerColumns: [
    { name: 'Template', type: 'string', jsonPath: '.spec.template.spec.template' },
    { name: 'CPUs', type: 'integer', jsonPath: '.spec.template.spec.numCPUs' },
    { name: 'MemoryMiB', type: 'integer', jsonPath: '.spec.template.spec.memoryMiB' },
    { name: 'Pool', type: 'string', jsonPath: '.spec.template.spec.machineConfigPoolRef.name', priority: 1 },
  ],
});

export type VSphereMachineTemplateObject = KindObject<(typeof VSphereMachineTemplate.versions)[0]>;
