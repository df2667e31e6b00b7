import { defineKind, infraClusterSpecFields, infraClusterStatusFields } from '@immutable-infra/core';
import { printerColumns, providerKindBase } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

export const base = providerKindBase('acme');

export const AcmeClusterSpec = z.object({
  ...infraClusterSpecFields,
  /** Where the cluster's API server is reached: a load balancer or a virtual IP you manage. */
  controlPlaneHost: z
    .string()
    .min(1)
    .max(253)
    .describe("The control plane endpoint's host (a VIP or a load balancer's DNS name)."),
  controlPlanePort: z.number().int().min(1).max(65535).default(6443).describe('The API server port.'),
  credentialSecretRef: z
    .object({ name: z.string().min(1).max(253) })
    .describe('The Secret (in this namespace) with the keys endpoint, token and optionally allowPlainHTTP.')
    .meta({
      'x-kubernetes-validations': [
        { rule: 'self == oldSelf', message: 'credentialSecretRef cannot be changed on a live cluster' },
      ],
    }),
});

export const AcmeCluster = defineKind({
  ...base,
  kind: 'AcmeCluster',
  plural: 'acmeclusters',
  role: 'InfraCluster',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: AcmeClusterSpec,
      status: z.object(infraClusterStatusFields),
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        printerColumns.controlPlaneEndpoint,
        printerColumns.age,
      ],
    },
  ],
});
