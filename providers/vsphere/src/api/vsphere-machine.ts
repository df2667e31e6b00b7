import {
  defineKind,
  infraMachineSpecFields,
  infraMachineStatusFields,
  type KindObject,
  KubernetesObjectReferenceSchema,
} from '@immutable-infra/core';
import {
  ClaimedAddresses,
  createRequestedAtField,
  printerColumns,
  uniqueItemsRule,
} from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import {
  AddressClaimRecord,
  AddressesFromPool,
  AddressWithPrefix,
  DhcpOverrides,
  Ipv4Address,
  Ipv6Address,
  int32,
  NetworkRoute,
  Thumbprint,
  V1beta2Conditions,
  vsphereKindBase,
} from './common.js';
import { VCenterServer } from './vsphere-cluster.js';

/** One NIC of the VM, cloned onto the template's. */
export const NetworkDeviceSpec = z
  .object({
    networkName: z.string().min(1).describe('vSphere network (port group) of the NIC.'),
    deviceName: z.string().optional().describe('Interface name in the guest.'),
    dhcp4: z.boolean().optional(),
    dhcp6: z.boolean().optional(),
    dhcp4Overrides: DhcpOverrides.optional(),
    dhcp6Overrides: DhcpOverrides.optional(),
    ipAddrs: z
      .array(AddressWithPrefix)
      .max(8)
      .optional()
      .describe('Static addresses with their prefix lengths, e.g. 10.10.10.11/24 or fd00::11/64.'),
    gateway4: Ipv4Address.optional().describe(
      'IPv4 gateway, inside the network of an IPv4 entry of ipAddrs.',
    ),
    gateway6: Ipv6Address.optional(),
    nameservers: z.array(z.string().max(39)).max(8).optional(),
    searchDomains: z.array(z.string()).optional(),
    macAddr: z.string().optional(),
    mtu: z.number().int().min(68).max(65535).optional(),
    routes: z.array(NetworkRoute).optional(),
    addressesFromPools: z.array(AddressesFromPool).optional().describe('IPAM pools to claim addresses from.'),
    skipIPAllocation: z.boolean().optional().describe('Leave the NIC without an address.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.ipAddrs) || self.ipAddrs.all(a, isCIDR(a))',
        message: 'every ipAddrs[] entry must be an address with its prefix length, e.g. 10.10.10.11/24',
        fieldPath: '.ipAddrs',
        reason: 'FieldValueInvalid',
      },
      {
        rule:
          '!has(self.gateway4) || !has(self.ipAddrs) || !self.ipAddrs.all(a, isCIDR(a)) || ' +
          'self.ipAddrs.exists(a, cidr(a).ip().family() == 4 && cidr(a).containsIP(ip(self.gateway4)))',
        message: 'gateway4 must be inside the network of an IPv4 entry of ipAddrs',
        fieldPath: '.gateway4',
        reason: 'FieldValueInvalid',
      },
      {
        rule: '!has(self.gateway6) || isIP(self.gateway6)',
        message: 'gateway6 must be an IPv6 address',
        fieldPath: '.gateway6',
        reason: 'FieldValueInvalid',
      },
      {
        rule: '!has(self.nameservers) || self.nameservers.all(n, isIP(n))',
        message: 'every nameservers[] entry must be an IP address',
        fieldPath: '.nameservers',
        reason: 'FieldValueInvalid',
      },
    ],
  });

/** What a VM is cloned with: the spec fields VSphereMachine and VSphereVM share. */
export const vmCloneSpecFields = {
  server: VCenterServer.optional().describe('vCenter of the VM; the VSphereCluster server when empty.'),
  thumbprint: Thumbprint.optional(),
  datacenter: z.string().optional().describe('Datacenter of the VM (name or inventory path).'),
  folder: z.string().optional().describe('VM folder of the VM.'),
  datastore: z.string().optional().describe('Datastore of the system disk.'),
  storagePolicyName: z
    .string()
    .optional()
    .describe('Storage policy choosing the datastore, instead of datastore.'),
  resourcePool: z.string().optional().describe('Resource pool (a vCenter one, not a config pool) of the VM.'),
  template: z.string().min(1).describe('VM template cloned into the VM (name or inventory path).'),
  cloneMode: z
    .enum(['fullClone', 'linkedClone'])
    .optional()
    .describe('fullClone (default) or linkedClone (from a snapshot of the template).'),
  snapshot: z
    .string()
    .optional()
    .describe("Template snapshot a linked clone is made from; the template's current one when empty."),
  os: z.enum(['Linux', 'Windows']).optional().describe('Guest OS family; Linux when empty.'),
  numCPUs: int32(1).optional(),
  numCoresPerSocket: int32(1).optional(),
  memoryMiB: z.number().int().min(4).optional().meta({ format: 'int64' }),
  diskGiB: int32(1).optional().describe('System disk size; at least the template disk.'),
  additionalDisksGiB: z.array(int32(1)).optional().describe('Extra disks made with the VM, sizes in GiB.'),
  dataDisks: z
    .array(
      z.object({
        name: z.string().min(1).max(80),
        sizeGiB: int32(1),
        provisioningMode: z.enum(['Thin', 'Thick', 'EagerlyZeroed']).optional(),
      }),
    )
    .max(29)
    .meta({ 'x-kubernetes-validations': [uniqueItemsRule('name', 'dataDisks[].name')] })
    .optional()
    .describe('Data disks made and deleted with the VM (persistent ones belong in the config pool).'),
  network: z
    .object({
      devices: z
        .array(NetworkDeviceSpec)
        .min(1)
        .max(10)
        .describe('NICs, in order; the first carries the node IP.'),
      routes: z.array(NetworkRoute).optional(),
      preferredAPIServerCidr: z.string().optional(),
    })
    .describe('NICs of the VM; a config pool slot fills in their addresses.'),
  powerOffMode: z
    .enum(['hard', 'soft', 'trySoft'])
    .default('hard')
    .describe('How the VM is powered off before deletion: hard, soft (guest shutdown) or trySoft.'),
  guestSoftPowerOffTimeout: z.string().optional().describe('How long trySoft waits before a hard power off.'),
  customVMXKeys: z.record(z.string(), z.string()).optional(),
  hardwareVersion: z
    .string()
    .regex(/^vmx-[0-9]+$/, 'a VM hardware version such as vmx-15')
    .optional(),
  pciDevices: z
    .array(
      z.object({
        deviceId: int32(0).optional(),
        vendorId: int32(0).optional(),
        vGPUProfile: z.string().optional(),
        customLabel: z.string().optional(),
      }),
    )
    .optional(),
  tagIDs: z.array(z.string()).optional().describe('vSphere tags attached to the VM.'),
};

/** CEL rules on the clone fields. */
export const vmCloneSpecRules = [
  {
    rule: '!has(self.numCoresPerSocket) || !has(self.numCPUs) || self.numCPUs % self.numCoresPerSocket == 0',
    message: 'numCPUs must be a multiple of numCoresPerSocket',
    fieldPath: '.numCoresPerSocket',
    reason: 'FieldValueInvalid',
  },
  {
    rule: "!has(self.guestSoftPowerOffTimeout) || self.powerOffMode == 'trySoft'",
    message: 'guestSoftPowerOffTimeout applies only with powerOffMode trySoft',
    fieldPath: '.guestSoftPowerOffTimeout',
    reason: 'FieldValueForbidden',
  },
];

export const VSphereMachineSpec = z
  .object({
    ...infraMachineSpecFields,
    ...vmCloneSpecFields,
    machineConfigPoolRef: KubernetesObjectReferenceSchema.optional().describe(
      'VSphereMachineConfigPool in the machine namespace giving this machine its hostname, static IPs and persistent disks.',
    ),
    namingStrategy: z
      .object({ template: z.string().optional() })
      .optional()
      .describe('How the VM is named from the Machine (Go template); the Machine name when empty.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule:
          "!has(self.machineConfigPoolRef) || (has(self.machineConfigPoolRef.name) && self.machineConfigPoolRef.name != '' && " +
          "(!has(self.machineConfigPoolRef.kind) || self.machineConfigPoolRef.kind == 'VSphereMachineConfigPool'))",
        message:
          'machineConfigPoolRef must name a VSphereMachineConfigPool (kind VSphereMachineConfigPool or empty, and a name)',
        fieldPath: '.machineConfigPoolRef',
        reason: 'FieldValueInvalid',
      },
      ...vmCloneSpecRules,
    ],
  });

/** The VM's NICs as the guest reports them. */
export const GuestNetworkStatus = z
  .array(
    z.object({
      macAddr: z.string(),
      networkName: z.string().optional(),
      connected: z.boolean().optional(),
      ipAddrs: z.array(z.string()).optional(),
    }),
  )
  .optional()
  .describe('NICs as the guest reports them.');

export const VSphereMachineStatus = z.object({
  ...infraMachineStatusFields,
  network: GuestNetworkStatus,
  v1beta2: V1beta2Conditions,
  vmRef: z.string().optional().describe('Managed object id of the VM, e.g. vm-1042.'),
  biosUUID: z.string().optional().describe('BIOS UUID of the VM; the provider ID is made from it.'),
  powerState: z.enum(['poweredOn', 'poweredOff', 'suspended']).optional(),
  taskRef: z
    .string()
    .optional()
    .describe('vCenter task in flight for the VM (clone, reconfigure, power, destroy).'),
  poolHostname: z.string().optional().describe('The VSphereMachineConfigPool slot this machine holds.'),
  guestInfoWrittenTo: z
    .string()
    .optional()
    .describe('BIOS UUID of the VM the bootstrap data and metadata were written to (guestinfo).'),
  bootstrapDataCleared: z
    .boolean()
    .optional()
    .describe(
      'The node registered and the bootstrap data (it holds join secrets) was removed from guestinfo.',
    ),
  guestShutdownRequestedAt: z.iso
    .datetime()
    .optional()
    .describe('When a guest shutdown was asked for on deletion (powerOffMode soft or trySoft).'),
  addressClaims: z
    .array(AddressClaimRecord)
    .optional()
    .describe(
      'IPAddressClaims of this machine (from its devices or its failure domain), recorded before each is created and released on delete.',
    ),
  claimedAddresses: ClaimedAddresses,
  createRequestedAt: createRequestedAtField,
  location: z
    .object({
      server: z.string().optional(),
      datacenter: z.string().optional(),
    })
    .optional()
    .describe('Where the VM was created, recorded as its creation starts; the machine keeps calling there.'),
});

export const VSphereMachine = defineKind({
  ...vsphereKindBase,
  kind: 'VSphereMachine',
  plural: 'vspheremachines',
  role: 'InfraMachine',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereMachineSpec,
      status: VSphereMachineStatus,
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        printerColumns.providerID,
        {
          name: 'Machine',
          type: 'string',
          jsonPath: ".metadata.ownerReferences[?(@.kind=='Machine')].name",
          priority: 1,
        },
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereMachineObject = KindObject<(typeof VSphereMachine.versions)[0]>;
