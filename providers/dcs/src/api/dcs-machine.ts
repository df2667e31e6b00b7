import {
  defineKind,
  FailureDomainsSchema,
  infraMachineSpecFields,
  infraMachineStatusFields,
  type KindObject,
} from '@immutable-infra/core';
import { createRequestedAtField, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { dcsKindBase, LocalObjectReference } from './common.js';
import { NicConfig } from './dcs-ip-hostname-pool.js';

const NamedPlacement = z.object({
  type: z.string().min(1),
  name: z.string().optional(),
  urn: z.string().optional(),
});

export const DiskSpec = z
  .object({
    quantity: z
      .number()
      .int()
      .min(0)
      .describe("Size in GB; 0 on the system volume keeps the template's size."),
    systemVolume: z.boolean().optional().describe('The boot disk of the template.'),
    datastoreName: z.string().optional(),
    datastoreClusterName: z.string().optional(),
    datastoreUrn: z.string().optional(),
    path: z
      .string()
      .regex(/^\/.+/)
      .optional()
      .describe('Mount point in the guest, e.g. /var/lib/containerd.'),
    format: z
      .string()
      .optional()
      .describe('Filesystem to create (ext4 when a path is set and this is empty).'),
    options: z.array(z.string()).optional().describe('mkfs options.'),
    mountOptions: z.array(z.string()).optional(),
    wipeFilesystem: z.boolean().optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!(has(self.datastoreName) && has(self.datastoreClusterName))',
        message: 'set datastoreName or datastoreClusterName, not both',
      },
    ],
  });

export const VmConfig = z.object({
  dcsMachineCpuSpec: z.object({ quantity: z.number().int().min(1).describe('Virtual CPUs.') }),
  dcsMachineMemorySpec: z.object({ quantity: z.number().int().min(1).describe('Memory in MB.') }),
  dcsMachineDiskSpec: z.array(DiskSpec).max(16).optional(),
  dvSwitchName: z.string().optional().describe("DV switch of the first NIC; the template's when empty."),
  portGroupName: z.string().optional().describe("Port group of the first NIC; the template's when empty."),
  portGroupUrn: z.string().optional(),
  cdRomDatastoreName: z.string().optional().describe('Datastore for the bootstrap ISO.'),
  cdRomDatastoreClusterName: z.string().optional(),
});

/** What a DCSMachine asks for; DCSMachineTemplate stamps the same spec out. */
export const DCSMachineSpec = z.object({
  ...infraMachineSpecFields,
  vmTemplateName: z.string().min(1).describe('DCS VM template to clone.'),
  vmUrn: z
    .string()
    .optional()
    .describe(
      "URN of the machine's VM: looked up by it when status has no record of the clone (e.g. after a restore); only a VM made for this machine is adopted.",
    ),
  ipHostPoolRef: LocalObjectReference.describe(
    'DCSIpHostnamePool that gives the machine its IP, hostname and disks.',
  ),
  location: NamedPlacement.optional().describe('Where the VM goes: type folder (a VM folder) or cluster.'),
  resource: NamedPlacement.optional().describe('Compute resource for the VM: type cluster or host.'),
  vmConfig: VmConfig.optional(),
});

export const DCSMachineStatus = z.object({
  ...infraMachineStatusFields,
  failureDomains: FailureDomainsSchema.optional(),
  networkConfig: NicConfig.extend({
    hostname: z.string().optional(),
    machineName: z.string().optional(),
    additionNic: z.array(NicConfig).optional(),
  })
    .optional()
    .describe('The pool slot this machine holds.'),
  additionalNic: z.array(NicConfig).optional(),
  cdRomFile: z.string().optional().describe('Bootstrap ISO uploaded for this machine.'),
  cdRomDatastoreUrn: z.string().optional(),
  cdRomDetached: z.boolean().optional(),
  cdRomFileDeleted: z.boolean().optional(),
  taskUrn: z
    .string()
    .optional()
    .describe('DCS task in flight for this machine (clone, start, stop or delete).'),
  vmUri: z.string().optional().describe('The VM this machine cloned, as DCS answered the clone.'),
  createRequestedAt: createRequestedAtField,
  location: z
    .object({
      endpointSha256: z
        .string()
        .optional()
        .describe(
          'SHA-256 of the VRM address the VM was cloned through: the address itself stays in the Secret, out of anything a browser reads.',
        ),
      site: z.string().optional().describe('The id of the DCS site the VM was cloned into.'),
    })
    .optional()
    .describe(
      'Where the VM was created, recorded as the clone starts: the machine keeps calling that site, and stops with a reason instead of calling another VRM if the credential Secret names one.',
    ),
});

export const DCSMachine = defineKind({
  ...dcsKindBase,
  kind: 'DCSMachine',
  plural: 'dcsmachines',
  role: 'InfraMachine',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: DCSMachineSpec,
      status: DCSMachineStatus,
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        { name: 'IP', type: 'string', jsonPath: '.status.networkConfig.ip' },
        printerColumns.providerID,
        printerColumns.age,
      ],
    },
  ],
});

export type DCSMachineObject = KindObject<(typeof DCSMachine.versions)[0]>;
