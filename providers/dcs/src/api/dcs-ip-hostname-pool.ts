import { defineKind, extraKindStatusFields, type KindObject } from '@immutable-infra/core';
import { persistentDiskStatusFields } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { DNS1123_SUBDOMAIN, DnsServers, dcsKindBase, SubnetMask } from './common.js';

/** One NIC's network settings, as a pool entry or an additional NIC carries them. */
export const NicConfig = z.object({
  ip: z.ipv4().optional().describe('IPv4 address of the NIC.'),
  ipv6: z.ipv6().optional(),
  mask: SubnetMask.optional(),
  gateway: z.ipv4().optional(),
  dns: DnsServers.optional(),
  dvSwitchName: z.string().optional().describe("DV switch; the VM template's when empty."),
  portGroupName: z.string().optional().describe("Port group; the VM template's when empty."),
  portGroupUrn: z.string().optional(),
});

export const PersistentDisk = z
  .object({
    slot: z
      .number()
      .int()
      .min(0)
      .describe('Position of the disk on the VM (DCS sequenceNum); unique per entry.'),
    quantityGB: z.number().int().min(1).describe('Size in GB.'),
    datastoreName: z.string().optional(),
    datastoreClusterName: z.string().optional(),
    isThin: z.boolean().optional().describe('Thin provisioning, used when the volume is first created.'),
    path: z
      .string()
      .regex(/^\/.+/)
      .optional()
      .describe('Mount point in the guest; with no path and no format the disk stays a raw block device.'),
    // Bounded, so the API server can afford the rules that keep them fixed once declared.
    format: z.string().max(32).optional().describe('Filesystem made on first use (ext4 when a path is set).'),
    options: z.array(z.string().max(256)).max(32).optional().describe('mkfs options.'),
    mountOptions: z.array(z.string()).optional(),
    pciType: z
      .string()
      .max(16)
      .optional()
      .describe('Disk bus the volume is attached on (VIRTIO, SCSI or IDE), VIRTIO when empty.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "!has(self.pciType) || self.pciType in ['VIRTIO', 'SCSI', 'IDE']",
        message: 'pciType must be VIRTIO, SCSI or IDE',
        fieldPath: '.pciType',
        reason: 'FieldValueInvalid',
      },
      {
        rule: 'has(self.datastoreClusterName) != has(self.datastoreName)',
        message: 'exactly one of datastoreClusterName or datastoreName is required',
      },
      // Fixed once declared, as the documentation says: the filesystem and its mkfs options are on
      // the volume already, and the bus decides the device the guest mounts. Refused, naming the
      // field, rather than silently ignored until a replacement VM finds the disk unmountable.
      ...(['format', 'options', 'pciType'] as const).map((field) => ({
        rule: `has(self.${field}) == has(oldSelf.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
        message: `${field} cannot change once the persistent disk is declared: declare a new slot instead`,
        fieldPath: `.${field}`,
        reason: 'FieldValueForbidden' as const,
      })),
    ],
  });

export const PoolEntry = NicConfig.extend({
  ip: z
    .ipv4()
    .max(15)
    .describe('IPv4 address of the node; the NODE_IP token in bootstrap data. Unique in the pool.'),
  hostname: z
    .string()
    .max(63)
    .regex(DNS1123_SUBDOMAIN, 'lowercase letters, digits, hyphens and dots (DNS-1123), e.g. worker-1')
    .optional()
    .describe('Host name of the node: DNS-1123, lowercase, at most 63 characters.'),
  machineName: z.string().max(253).optional().describe('Name of the VM on DCS.'),
  additionNic: z.array(NicConfig).max(8).optional().describe('More NICs, applied when a VM is created.'),
  persistentDisk: z
    .array(PersistentDisk)
    .max(16)
    .optional()
    .describe('Disks bound to this slot that outlive its VMs and move to the replacement machine.')
    // Keyed lists: the API server itself rejects a repeated slot, naming the entry.
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['slot'] }),
}).meta({
  'x-kubernetes-validations': [
    {
      // The volume of a declared disk holds the node's data (/var/cpaas): dropping the declaration
      // would leave it to be deleted with the next VM, so removal is refused; appending is fine.
      rule: '!has(oldSelf.persistentDisk) || oldSelf.persistentDisk.all(o, has(self.persistentDisk) && self.persistentDisk.exists(d, d.slot == o.slot))',
      message: 'a declared persistent disk cannot be removed from the entry: its volume holds the node data',
      fieldPath: '.persistentDisk',
      reason: 'FieldValueForbidden',
    },
  ],
});

export const DCSIpHostnamePoolSpec = z.object({
  pool: z
    .array(PoolEntry)
    .max(512)
    .describe('One entry per node: its IP, host name, NICs and persistent disks.')
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['ip'] }),
});

export const PersistentDiskStatus = z.object({
  ip: z.string(),
  ...persistentDiskStatusFields,
  name: z.string().optional().describe('DCS volume name, derived from the pool, IP and slot.'),
  volumeUrn: z.string().optional(),
  datastoreUrn: z.string().optional(),
  attachedVmUrn: z.string().optional(),
  path: z.string().optional(),
});

export const DCSIpHostnamePoolStatus = z.object({
  ...extraKindStatusFields,
  persistentDiskStatus: z.array(PersistentDiskStatus).optional(),
  total: z.number().int().optional().describe('Entries in the pool.'),
  used: z.number().int().optional().describe('Entries held by a machine.'),
  slots: z
    .array(
      z.object({
        ip: z.string().max(15),
        dcsMachine: z.string(),
        dcsMachineUID: z
          .string()
          .describe('UID of the holder; a new machine with the same name is another holder.'),
        machineName: z.string().optional(),
      }),
    )
    .max(512)
    .optional()
    .describe(
      "Which DCSMachine holds each entry; written with the pool's resourceVersion so two machines never share one.",
    ),
});

export const DCSIpHostnamePool = defineKind({
  ...dcsKindBase,
  kind: 'DCSIpHostnamePool',
  plural: 'dcsiphostnamepools',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: DCSIpHostnamePoolSpec,
      status: DCSIpHostnamePoolStatus,
      validations: [
        {
          // Checked on every write, so an edit that drops an entry a machine still holds is refused.
          rule: '!has(self.status) || !has(self.status.slots) || self.status.slots.all(s, self.spec.pool.exists(e, e.ip == s.ip))',
          message:
            'an entry held by a DCSMachine cannot be removed from the pool; delete or scale down that machine first',
          fieldPath: '.spec.pool',
        },
      ],
      printerColumns: [
        { name: 'Total', type: 'integer', jsonPath: '.status.total' },
        { name: 'Used', type: 'integer', jsonPath: '.status.used' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
});

export type DCSIpHostnamePoolObject = KindObject<(typeof DCSIpHostnamePool.versions)[0]>;
