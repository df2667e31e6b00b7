import { ConditionSchema, defineKind, type KindObject } from '@immutable-infra/core';
import { z } from 'zod';
import { base } from './common.js';

const NODE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

export const PoolInventory = z.object({
  name: z
    .string()
    .min(1)
    .max(253)
    .describe('The exact name of a registered MachineInventory (same namespace).'),
  hostname: z
    .string()
    .max(253)
    .regex(NODE_NAME)
    .optional()
    .describe('The node hostname this host gets when attached; the inventory name when empty.'),
});
export type PoolInventory = z.infer<typeof PoolInventory>;

/** A claim on one inventory: which BaremetalMachine holds it, by UID (the kit's claimable pool). */
export const InventoryClaim = z.object({
  machineInventory: z.string(),
  baremetalMachineRef: z.object({ name: z.string(), uid: z.string() }),
});
export type InventoryClaim = z.infer<typeof InventoryClaim>;

const counter = (what: string) => z.number().int().min(0).max(2_147_483_647).optional().describe(what);

export const MachineInventoryPool = defineKind({
  ...base,
  kind: 'MachineInventoryPool',
  plural: 'machineinventorypools',
  shortNames: ['mip'],
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({
        clusterName: z.string().min(1).max(63).describe('The workload cluster this pool serves.'),
        machineInventories: z
          .array(PoolInventory)
          .max(500)
          .describe(
            'The MachineInventory objects machines of this pool may take, in the order they are taken. An inventory belongs to at most one active pool.',
          )
          .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
      }),
      status: z.object({
        total: counter('Inventories listed in spec.'),
        available: counter('Free to be taken.'),
        allocated: counter('Held by a BaremetalMachine.'),
        preparing: counter('Running a clean plan.'),
        reprovisioning: counter('Running a reprovision plan.'),
        unavailable: counter(
          'Missing, not Ready, without a plan Secret, in another pool, or with a failed plan.',
        ),
        claims: z
          .array(InventoryClaim)
          .optional()
          .describe('Which BaremetalMachine holds which inventory; written with a compare-and-swap.'),
        conditions: z.array(ConditionSchema).optional(),
      }),
      printerColumns: [
        { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' },
        { name: 'Total', type: 'integer', jsonPath: '.status.total' },
        { name: 'Available', type: 'integer', jsonPath: '.status.available' },
        { name: 'Allocated', type: 'integer', jsonPath: '.status.allocated' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
});
export type MachineInventoryPoolObject = KindObject<(typeof MachineInventoryPool)['versions'][number]>;
