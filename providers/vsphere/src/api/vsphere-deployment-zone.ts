import { defineKind, extraKindStatusFields, type KindObject } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { V1beta2Conditions, vsphereKindBase } from './common.js';
import { VCenterServer } from './vsphere-cluster.js';

export const VSphereDeploymentZoneSpec = z.object({
  server: VCenterServer.optional(),
  failureDomain: z.string().min(1).optional().describe('The VSphereFailureDomain this zone deploys into.'),
  controlPlane: z
    .boolean()
    .optional()
    .describe('Control plane machines may use this zone (true when unset).'),
  placementConstraint: z
    .object({
      resourcePool: z.string().optional().describe('vCenter resource pool of the VMs.'),
      folder: z.string().optional().describe('VM folder of the VMs.'),
    })
    .describe('Where in the failure domain the VMs go.'),
});

export const VSphereDeploymentZone = defineKind({
  ...vsphereKindBase,
  scope: 'Cluster',
  kind: 'VSphereDeploymentZone',
  plural: 'vspheredeploymentzones',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereDeploymentZoneSpec,
      status: z.object({
        ...extraKindStatusFields,
        ready: z.boolean().optional().describe('The failure domain and placement were found in vCenter.'),
        v1beta2: V1beta2Conditions,
      }),
      printerColumns: [
        { name: 'FailureDomain', type: 'string', jsonPath: '.spec.failureDomain' },
        { name: 'ControlPlane', type: 'boolean', jsonPath: '.spec.controlPlane' },
        printerColumns.ready,
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereDeploymentZoneObject = KindObject<(typeof VSphereDeploymentZone.versions)[0]>;
