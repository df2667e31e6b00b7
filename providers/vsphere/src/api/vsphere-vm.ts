import {
  ConditionSchema,
  defineKind,
  type KindObject,
  KubernetesObjectReferenceSchema,
} from '@immutable-infra/core';
import { createRequestedAtField, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { V1beta2Conditions, vsphereKindBase } from './common.js';
import { GuestNetworkStatus, vmCloneSpecFields, vmCloneSpecRules } from './vsphere-machine.js';

export const VSphereVMSpec = z
  .object({
    ...vmCloneSpecFields,
    biosUUID: z.string().optional().describe('BIOS UUID of the VM, written by the provider once it exists.'),
    bootstrapRef: KubernetesObjectReferenceSchema.optional().describe(
      'Secret holding the bootstrap data (cloud-init) the VM boots with.',
    ),
  })
  .meta({ 'x-kubernetes-validations': vmCloneSpecRules });

export const VSphereVMStatus = z.object({
  ready: z.boolean().optional().describe('The VM exists, is powered on and reports its addresses.'),
  addresses: z.array(z.string()).optional().describe('IP addresses the guest reports.'),
  network: GuestNetworkStatus,
  vmRef: z.string().optional().describe('Managed object id of the VM, e.g. vm-1042.'),
  taskRef: z
    .string()
    .optional()
    .describe('vCenter task in flight for the VM (clone, reconfigure, power, destroy).'),
  retryAfter: z.iso
    .datetime()
    .optional()
    .describe('Do not ask vCenter again before this time (after a failed task).'),
  cloneMode: z.string().optional().describe('How the VM was cloned: fullClone or linkedClone.'),
  snapshot: z.string().optional().describe('Template snapshot a linked clone was made from.'),
  host: z.string().optional().describe('ESXi host running the VM.'),
  moduleUUID: z.string().optional().describe('vSphere cluster module the VM is a member of.'),
  conditions: z.array(ConditionSchema).optional(),
  v1beta2: V1beta2Conditions,
  failureReason: z.string().optional(),
  failureMessage: z.string().optional(),
  createRequestedAt: createRequestedAtField,
});

export const VSphereVM = defineKind({
  ...vsphereKindBase,
  kind: 'VSphereVM',
  plural: 'vspherevms',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereVMSpec,
      status: VSphereVMStatus,
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        { name: 'VM', type: 'string', jsonPath: '.status.vmRef' },
        { name: 'Host', type: 'string', jsonPath: '.status.host', priority: 1 },
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereVMObject = KindObject<(typeof VSphereVM.versions)[0]>;
