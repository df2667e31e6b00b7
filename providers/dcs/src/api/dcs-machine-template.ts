import { defineKind, type KindObject } from '@immutable-infra/core';
import { z } from 'zod';
import { dcsKindBase } from './common.js';
import { DCSMachineSpec } from './dcs-machine.js';

export const DCSMachineTemplate = defineKind({
  ...dcsKindBase,
  kind: 'DCSMachineTemplate',
  plural: 'dcsmachinetemplates',
  role: 'InfraMachineTemplate',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({
        template: z.object({
          metadata: z
            .object({
              labels: z.record(z.string(), z.string()).optional(),
              annotations: z.record(z.string(), z.string()).optional(),
            })
            .optional()
            .describe('Labels and annotations for the DCSMachines made from this template.'),
          spec: DCSMachineSpec,
        }),
      }),
      status: z.object({}),
      printerColumns: [
        { name: 'VM Template', type: 'string', jsonPath: '.spec.template.spec.vmTemplateName' },
        { name: 'CPU', type: 'integer', jsonPath: '.spec.template.spec.vmConfig.dcsMachineCpuSpec.quantity' },
        {
          name: 'Memory (MB)',
          type: 'integer',
          jsonPath: '.spec.template.spec.vmConfig.dcsMachineMemorySpec.quantity',
        },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
});

export type DCSMachineTemplateObject = KindObject<(typeof DCSMachineTemplate.versions)[0]>;
