import { defineKind, type KindObject } from '@immutable-infra/core';
import { z } from 'zod';
import { hcsKindBase } from './common.js';
import { HCSMachineSpec } from './hcs-machine.js';

export const HCSMachineTemplate = defineKind({
  ...hcsKindBase,
  kind: 'HCSMachineTemplate',
  plural: 'hcsmachinetemplates',
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
            .describe('Labels and annotations for the HCSMachines made from this template.'),
          spec: HCSMachineSpec,
        }),
      }),
      status: z.object({}),
      printerColumns: [
        { name: 'Flavor', type: 'string', jsonPath: '.spec.template.spec.flavorName' },
        { name: 'Image', type: 'string', jsonPath: '.spec.template.spec.imageName' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
});

export type HCSMachineTemplateObject = KindObject<(typeof HCSMachineTemplate.versions)[0]>;
