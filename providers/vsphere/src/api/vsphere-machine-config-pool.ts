import {
  defineKind,
  extraKindStatusFields,
  type KindObject,
  KubernetesObjectReferenceSchema,
} from '@immutable-infra/core';
import { printerColumns, uniqueItemsRule } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import {
  AddressWithPrefix,
  DNS1123_SUBDOMAIN,
  gatewayInNetwork,
  Ipv4Address,
  Ipv4WithPrefix,
  Ipv6Address,
  int32,
  vsphereKindBase,
} from './common.js';

/** One NIC of a slot: the vSphere network it connects to and its static address. */
export const SlotNic = z
  .object({
    networkName: z
      .string()
      .min(1)
      .describe('vSphere network (port group or distributed port group) of the NIC.'),
    deviceName: z
      .string()
      .max(15)
      .regex(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/, 'a Linux interface name, e.g. eth0 or ens192')
      .optional()
      .describe('Interface name in the guest; eth0, eth1, ... by NIC order when empty.'),
    ip: Ipv4WithPrefix.optional(),
    gateway: Ipv4Address.optional().describe('Gateway of the NIC, inside the network of ip.'),
    dns: z.array(Ipv4Address).max(3).optional().describe('DNS servers of the NIC.'),
    ipv6: AddressWithPrefix.optional().describe('IPv6 address with its prefix length, e.g. fd00::11/64.'),
    ipv6Gateway: Ipv6Address.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: `!has(self.gateway) || !has(self.ip) || ${gatewayInNetwork('self.ip', 'ip(self.gateway)')}`,
        message: 'gateway must be inside the network of ip (its address and prefix length)',
        fieldPath: '.gateway',
        reason: 'FieldValueInvalid',
      },
      {
        rule: '!has(self.gateway) || has(self.ip)',
        message: 'a gateway needs a static ip on the same NIC',
        fieldPath: '.ip',
        reason: 'FieldValueRequired',
      },
      {
        rule: '!has(self.ipv6) || isCIDR(self.ipv6)',
        message: 'ipv6 must be an IPv6 address with a prefix length, e.g. fd00::11/64',
        fieldPath: '.ipv6',
        reason: 'FieldValueInvalid',
      },
      {
        rule: '!has(self.ipv6Gateway) || isIP(self.ipv6Gateway)',
        message: 'ipv6Gateway must be an IPv6 address',
        fieldPath: '.ipv6Gateway',
        reason: 'FieldValueInvalid',
      },
      {
        rule: `!has(self.ipv6Gateway) || !has(self.ipv6) || !isCIDR(self.ipv6) || !isIP(self.ipv6Gateway) || ${gatewayInNetwork('self.ipv6', 'ip(self.ipv6Gateway)')}`,
        message: 'ipv6Gateway must be inside the network of ipv6',
        fieldPath: '.ipv6Gateway',
        reason: 'FieldValueInvalid',
      },
    ],
  });

/** A disk bound to one slot that outlives the VMs taking the slot. */
export const SlotPersistentDisk = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'letters, digits, -, _ and ., e.g. var-lib-etcd')
    .describe(
      "Disk name, unique in the slot; the file is <name>.vmdk in the slot's folder of persistent disks.",
    ),
  sizeGiB: int32(1).describe('Size in GiB.'),
  mountPath: z
    .string()
    .max(128)
    .regex(/^\/\S*$/, 'an absolute path, e.g. /var/lib/etcd')
    .optional()
    .describe('Where the guest mounts the disk; a raw device when empty.'),
  fsFormat: z.string().optional().describe('File system made on a new disk (ext4 when empty).'),
  mountOptions: z.array(z.string()).optional(),
  datastore: z.string().optional().describe('Datastore of the disk; the VM datastore when empty.'),
  storagePolicy: z.string().optional().describe('vSphere storage policy name of the disk.'),
  unitNumber: int32(0)
    .max(15)
    .optional()
    .describe('SCSI unit (0-15, not 7), so disks keep their order across VMs.'),
  wipeFilesystem: z
    .boolean()
    .optional()
    .describe('Wipe the content on the first boot of each new VM taking the slot (false keeps data).'),
  diskUUID: z.string().optional().describe('Written by the provider once the disk exists.'),
  volumePath: z.string().optional().describe('Written by the provider: datastore path of the .vmdk.'),
});

/** One per-node slot: what a VM taking it gets. */
export const MachineConfigSlot = z.object({
  hostname: z
    .string()
    .min(1)
    .max(253)
    .regex(
      DNS1123_SUBDOMAIN,
      'lowercase letters, digits and hyphens in dot-separated labels of at most 63 (DNS-1123)',
    )
    .describe('Hostname and node name of the VM taking the slot; unique in the pool.'),
  datacenter: z.string().optional().describe('Datacenter of the slot; spec.datacenter when empty.'),
  network: z
    .object({
      primary: SlotNic.describe('First NIC: the node IP comes from it.'),
      additional: z
        .array(SlotNic)
        .max(9)
        .optional()
        .describe('Further NICs, attached after the primary in order.'),
    })
    .optional()
    .describe('NICs of the slot.'),
  persistentDisks: z
    .array(SlotPersistentDisk)
    .max(16)
    .optional()
    .meta({
      'x-kubernetes-validations': [
        uniqueItemsRule('name', 'persistentDisks[].name'),
        uniqueItemsRule('mountPath', 'persistentDisks[].mountPath'),
        uniqueItemsRule('unitNumber', 'persistentDisks[].unitNumber'),
        {
          rule: 'self.all(d, !has(d.unitNumber) || d.unitNumber != 7)',
          message: 'persistentDisks[].unitNumber 7 is reserved for the SCSI controller',
          reason: 'FieldValueInvalid',
        },
      ],
    }),
});

export const VSphereMachineConfigPoolSpec = z.object({
  clusterRef: KubernetesObjectReferenceSchema.describe(
    'The Cluster whose VSphereCluster gives the vCenter and credentials for this pool; changes only while no consumer is bound.',
  ),
  datacenter: z.string().optional().describe('Datacenter of the slots that name none.'),
  releaseDelayHours: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Hours a released slot stays reserved for its former holder before any machine may take it (24 when unset).',
    ),
  configs: z
    .array(MachineConfigSlot)
    .min(1)
    .max(256)
    .meta({
      'x-kubernetes-validations': [uniqueItemsRule('hostname', 'configs[].hostname')],
    }),
});

export const SlotState = z.enum(['Available', 'InUse', 'Released']);

export const VSphereMachineConfigPoolStatus = z.object({
  ...extraKindStatusFields,
  totalCount: z.number().int().optional().describe('Slots in the pool.'),
  availableCount: z.number().int().optional().describe('Slots any machine may take now.'),
  consumerRef: KubernetesObjectReferenceSchema.optional().describe(
    'The KubeadmControlPlane or MachineDeployment bound to the pool, set when it first takes a slot.',
  ),
  configStatuses: z
    .array(
      z.object({
        hostname: z.string(),
        state: SlotState.describe(
          'Available, InUse (held by machineRef), or Released (its VM is gone; disks kept).',
        ),
        machineRef: KubernetesObjectReferenceSchema.optional().describe('The Machine holding the slot.'),
        lastReleasedTime: z.iso.datetime().optional(),
        reclaimStatus: z
          .object({
            state: z.enum(['Running', 'Failed', 'Completed']).optional(),
            taskRef: z.string().optional().describe('vCenter task reclaiming a disk, while it runs.'),
            volumePath: z.string().optional().describe('The disk being reclaimed.'),
            lastError: z.string().optional(),
            retryAfter: z.iso.datetime().optional(),
          })
          .optional()
          .describe('Disk reclaim in progress for the slot.'),
      }),
    )
    .optional(),
});

export const VSphereMachineConfigPool = defineKind({
  ...vsphereKindBase,
  kind: 'VSphereMachineConfigPool',
  plural: 'vspheremachineconfigpools',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereMachineConfigPoolSpec,
      status: VSphereMachineConfigPoolStatus,
      // The disks of released slots live in the cluster's vCenter: moving a bound pool to another
      // cluster would leave them where nothing reclaims them.
      validations: [
        {
          rule: 'self.spec.clusterRef == oldSelf.spec.clusterRef || !has(oldSelf.status) || !has(oldSelf.status.consumerRef)',
          message: 'spec.clusterRef cannot change while a consumer is bound (status.consumerRef)',
          fieldPath: '.spec.clusterRef',
        },
      ],
      printerColumns: [
        { name: 'Total', type: 'integer', jsonPath: '.status.totalCount' },
        { name: 'Available', type: 'integer', jsonPath: '.status.availableCount' },
        { name: 'Consumer', type: 'string', jsonPath: '.status.consumerRef.name', priority: 1 },
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereMachineConfigPoolObject = KindObject<(typeof VSphereMachineConfigPool.versions)[0]>;
