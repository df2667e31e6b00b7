import { defineKind, type KindObject } from '@immutable-infra/core';
import { persistentDiskStatusFields, uniqueItemsRule } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { DNS1123_SUBDOMAIN, hcsKindBase, Ipv4Address } from './common.js';

/** One NIC: a subnet (by name or id) and its static IP. */
export const PoolNetwork = z
  .object({
    subnetName: z.string().max(255).optional().describe('Subnet name; set this or subnetId.'),
    subnetId: z.string().max(64).optional().describe('Subnet id, when the name is ambiguous.'),
    subenetName: z.string().max(255).optional().describe('Deprecated spelling of subnetName, still read.'),
    ipAddress: Ipv4Address.describe('Static IP of this NIC.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: 'has(self.subnetName) || has(self.subnetId) || has(self.subenetName)',
        message: 'set subnetName or subnetId',
        reason: 'FieldValueRequired',
      },
      {
        rule: '!(has(self.subnetId) && (has(self.subnetName) || has(self.subenetName)))',
        message: 'set either subnetName or subnetId, not both',
        fieldPath: '.subnetId',
        reason: 'FieldValueInvalid',
      },
      {
        rule: '!(has(self.subnetName) && has(self.subenetName)) || self.subnetName == self.subenetName',
        message: 'subnetName must equal the deprecated subenetName when both are set',
        fieldPath: '.subnetName',
        reason: 'FieldValueInvalid',
      },
    ],
  });

/** A disk bound to one pool entry that survives server replacement. */
export const PoolPersistentDisk = z.object({
  slot: z.number().int().min(0).max(15).describe('Position within the entry; unique and contiguous from 0.'),
  size: z.number().int().min(1).max(32768).describe('EVS size in GB (10 to 32768 for a new disk).'),
  type: z.string().min(1).describe('EVS disk type available in the availability zone.'),
  mountPath: z.string().max(255).optional().describe('Mount path in the guest, e.g. /var/cpaas.'),
  format: z.string().optional().describe('File system of a new disk; xfs when empty.'),
  mountOptions: z.array(z.string()).optional().describe('Mount options; defaults,noatime when empty.'),
});

export const PoolConfig = z.object({
  hostname: z
    .string()
    .max(253)
    .regex(
      DNS1123_SUBDOMAIN,
      'lowercase letters, digits and hyphens in dot-separated labels of at most 63 (DNS-1123)',
    )
    .describe(
      'Hostname of the server that takes this entry: DNS-1123, e.g. master-1 or master-1.example.org.',
    ),
  networks: z.array(PoolNetwork).min(1).max(8),
  persistentDisks: z
    .array(PoolPersistentDisk)
    .max(16)
    .optional()
    .meta({
      'x-kubernetes-validations': [
        {
          rule: 'self.all(d, d.slot < size(self) && self.exists_one(e, e.slot == d.slot))',
          message: 'persistentDisks[].slot must be unique and contiguous from 0',
          reason: 'FieldValueInvalid',
        },
        uniqueItemsRule('mountPath', 'persistentDisks[].mountPath'),
      ],
    }),
});

export const HCSMachineConfigPoolSpec = z.object({
  configs: z
    .array(PoolConfig)
    .min(1)
    .max(256)
    .meta({
      'x-kubernetes-validations': [uniqueItemsRule('hostname', 'configs[].hostname')],
    }),
});

export const HCSMachineConfigPoolStatus = z.object({
  totalCount: z.number().int().optional(),
  availableCount: z.number().int().optional(),
  usedConfigs: z
    .array(
      z.object({
        hostname: z.string(),
        machineRef: z.string().describe('HCSMachine holding the entry.'),
        machineUID: z
          .string()
          .optional()
          .describe('UID of the HCSMachine holding the entry; claims from before it was recorded have none.'),
      }),
    )
    .optional(),
  persistentDiskStatus: z
    .array(
      z.object({
        hostname: z.string(),
        ...persistentDiskStatusFields,
        volumeID: z.string().optional(),
        availabilityZone: z.string().optional(),
        attachedServerID: z.string().optional(),
        device: z.string().optional(),
      }),
    )
    .optional(),
});

export const HCSMachineConfigPool = defineKind({
  ...hcsKindBase,
  kind: 'HCSMachineConfigPool',
  plural: 'hcsmachineconfigpools',
  shortNames: ['hcsmcp'],
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: HCSMachineConfigPoolSpec,
      status: HCSMachineConfigPoolStatus,
      printerColumns: [
        { name: 'Total', type: 'integer', jsonPath: '.status.totalCount' },
        { name: 'Available', type: 'integer', jsonPath: '.status.availableCount' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
});

export type HCSMachineConfigPoolObject = KindObject<(typeof HCSMachineConfigPool.versions)[0]>;
