import { defineKind, extraKindStatusFields, type KindObject } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { V1beta2Conditions, vsphereKindBase } from './common.js';
import { LabelSelector } from './vsphere-cluster.js';

export const VSphereClusterIdentitySpec = z.object({
  secretName: z
    .string()
    .min(1)
    .optional()
    .describe("Secret with username and password, in the provider's own namespace."),
  allowedNamespaces: z
    .object({ selector: LabelSelector.optional() })
    .optional()
    .describe('Namespaces whose VSphereClusters may use this identity; none when unset, every one when {}.'),
});

export const VSphereClusterIdentity = defineKind({
  ...vsphereKindBase,
  scope: 'Cluster',
  kind: 'VSphereClusterIdentity',
  plural: 'vsphereclusteridentities',
  role: 'Other',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereClusterIdentitySpec,
      status: z.object({
        ...extraKindStatusFields,
        ready: z.boolean().optional().describe('The Secret exists and the provider owns it.'),
        v1beta2: V1beta2Conditions,
      }),
      printerColumns: [
        { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' },
        printerColumns.ready,
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereClusterIdentityObject = KindObject<(typeof VSphereClusterIdentity.versions)[0]>;
