import { defineKind, infraMachineSpecFields, infraMachineStatusFields } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { base, LocalNameRef } from './common.js';

/** The phases of a BaremetalMachine: attach Pending → Allocated → Reprovisioning → Running, detach Preparing. */
export const BaremetalMachinePhase = z.enum([
  'Pending',
  'Allocated',
  'Reprovisioning',
  'Running',
  'Preparing',
  'Failed',
]);
export type BaremetalMachinePhase = z.infer<typeof BaremetalMachinePhase>;

/** What a machine draws its host from; the template's `spec.template.spec` is the same schema. */
export const BaremetalMachineSpec = z.object({
  ...infraMachineSpecFields,
  providerID: infraMachineSpecFields.providerID.describe(
    'Set by the provider once the host is attached: baremetal:///<inventory-name>.',
  ),
  machineInventoryPoolRef: LocalNameRef.describe(
    'The MachineInventoryPool (same namespace) this machine takes its host from.',
  ).meta({
    'x-kubernetes-validations': [
      { rule: 'self == oldSelf', message: 'machineInventoryPoolRef cannot be changed; use a new template' },
    ],
  }),
  allocationPolicy: z
    .enum(['Ordered'])
    .optional()
    .describe(
      'How a host is picked from the pool. Ordered (the only policy): the first Available one in declaration order.',
    ),
});

export const BaremetalMachine = defineKind({
  ...base,
  kind: 'BaremetalMachine',
  plural: 'baremetalmachines',
  shortNames: ['bmm'],
  role: 'InfraMachine',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: BaremetalMachineSpec,
      status: z.object({
        ...infraMachineStatusFields,
        phase: BaremetalMachinePhase.optional().describe('Where the machine is in its attach or detach.'),
        machineInventoryRef: LocalNameRef.optional().describe('The MachineInventory this machine holds.'),
        planSecretRef: LocalNameRef.optional().describe(
          "The inventory's plan Secret the provider writes reprovision and clean plans into.",
        ),
        lastAppliedPlanChecksum: z
          .string()
          .optional()
          .describe('The sha256 of the plan last written, to tell its Applied or Failed from an older plan.'),
        lastAppliedBootstrapHash: z
          .string()
          .optional()
          .describe('The sha256 of the bootstrap data last rendered into a reprovision plan.'),
      }),
      printerColumns: [
        printerColumns.cluster,
        { name: 'Pool', type: 'string', jsonPath: '.spec.machineInventoryPoolRef.name' },
        { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        { name: 'Inventory', type: 'string', jsonPath: '.status.machineInventoryRef.name' },
        printerColumns.ready,
        printerColumns.age,
      ],
    },
  ],
});
