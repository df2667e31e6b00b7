import { defineKind, infraMachineSpecFields, infraMachineStatusFields } from '@immutable-infra/core';
import { createRequestedAtField, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { base } from './acme-cluster.js';

/** What a machine is made from; the template's `spec.template.spec` is the same schema. */
export const AcmeMachineSpec = z.object({
  ...infraMachineSpecFields,
  image: z.string().min(1).max(255).describe('The image the machine boots, as the platform names it.'),
});

export const AcmeMachine = defineKind({
  ...base,
  kind: 'AcmeMachine',
  plural: 'acmemachines',
  role: 'InfraMachine',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: AcmeMachineSpec,
      status: z.object({
        ...infraMachineStatusFields,
        machineId: z.string().optional().describe("The platform's id of this machine."),
        createRequestedAt: createRequestedAtField,
      }),
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        printerColumns.providerID,
        printerColumns.age,
      ],
    },
  ],
});
