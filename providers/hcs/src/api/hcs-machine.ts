import {
  defineKind,
  infraMachineSpecFields,
  infraMachineStatusFields,
  type KindObject,
  KubernetesObjectReferenceSchema,
} from '@immutable-infra/core';
import { createRequestedAtField, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { hcsKindBase, VolumeSpec } from './common.js';

export const HCSMachineSpec = z
  .object({
    ...infraMachineSpecFields,
    imageName: z.string().optional().describe('IMS image name, e.g. microos-4.2.1.'),
    flavorName: z.string().optional().describe('ECS flavor name as the API knows it, e.g. c3.xlarge.2.'),
    availabilityZone: z.string().optional().describe('Availability zone name as the API knows it.'),
    rootVolume: VolumeSpec.optional().describe('System disk.'),
    dataVolumes: z
      .array(VolumeSpec)
      .max(12)
      .optional()
      .describe('Temporary data disks created and deleted with the server.'),
    keyPairName: z.string().optional().describe('Key pair injected for SSH login.'),
    adminPassword: z.string().optional().describe('Not accepted: a password does not belong in an object.'),
    configPoolRef: KubernetesObjectReferenceSchema.optional().describe(
      'HCSMachineConfigPool giving this machine its hostname, static IPs and persistent disks.',
    ),
    serverId: z.string().optional().describe('Set by the provider: the ECS server id.'),
    serverName: z.string().optional().describe('Set by the provider: the ECS server name.'),
    jobId: z.string().optional().describe('Reserved; the provider records its jobs in status.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.adminPassword)',
        message: 'adminPassword would store a credential in the object; use keyPairName',
        fieldPath: '.adminPassword',
        reason: 'FieldValueForbidden',
      },
      {
        rule: '!has(self.dataVolumes) || self.dataVolumes.all(v, has(v.mountPath))',
        message: 'every dataVolumes[] entry needs a mountPath',
        fieldPath: '.dataVolumes',
        reason: 'FieldValueRequired',
      },
      {
        rule:
          '!has(self.dataVolumes) || self.dataVolumes.all(v, !has(v.mountPath) || ' +
          'self.dataVolumes.exists_one(w, has(w.mountPath) && w.mountPath == v.mountPath))',
        message: 'dataVolumes[].mountPath must be unique',
        fieldPath: '.dataVolumes',
        reason: 'FieldValueInvalid',
      },
    ],
  });

export const HCSMachineStatus = z.object({
  ...infraMachineStatusFields,
  instanceState: z.string().optional().describe('ECS server status: BUILD, ACTIVE, SHUTOFF, ERROR, ...'),
  serverId: z.string().optional(),
  createJobId: z.string().optional().describe('ECS job creating the server, while it runs.'),
  stopJobId: z
    .string()
    .optional()
    .describe('ECS job stopping the server before its persistent disks are detached, while it runs.'),
  deleteJobId: z.string().optional().describe('ECS job deleting the server, while it runs.'),
  poolHostname: z.string().optional().describe('The HCSMachineConfigPool entry this machine holds.'),
  bootstrapObject: z
    .object({
      bucket: z.string(),
      endpoint: z.string().optional(),
      key: z.string(),
      writtenAt: z.string().optional().describe('When the provider last wrote the object.'),
      deletedAt: z
        .string()
        .optional()
        .describe('When the provider deleted it: the node registered, or the machine went.'),
    })
    .optional()
    .describe(
      "The OBS object holding this machine's bootstrap data, when the HCSCluster names spec.bootstrapObjectStorage (never its content or URL).",
    ),
  createRequestedAt: createRequestedAtField,
  location: z
    .object({
      externalGlobalDomain: z.string().optional().describe('The platform domain the server was created on.'),
      region: z.string().optional(),
      projectID: z.string().optional(),
    })
    .optional()
    .describe(
      'Where the server was created, recorded as its creation starts; the machine keeps calling there, even if the identity Secret changes.',
    ),
});

export const HCSMachine = defineKind({
  ...hcsKindBase,
  kind: 'HCSMachine',
  plural: 'hcsmachines',
  role: 'InfraMachine',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: HCSMachineSpec,
      status: HCSMachineStatus,
      printerColumns: [
        printerColumns.cluster,
        { name: 'State', type: 'string', jsonPath: '.status.instanceState' },
        printerColumns.ready,
        printerColumns.providerID,
        { name: 'Machine', type: 'string', jsonPath: ".metadata.ownerReferences[?(@.kind=='Machine')].name" },
        printerColumns.age,
      ],
    },
  ],
});

export type HCSMachineObject = KindObject<(typeof HCSMachine.versions)[0]>;
