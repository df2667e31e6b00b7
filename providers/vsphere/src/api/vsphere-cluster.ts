import { defineKind, infraClusterStatusFields, type KindObject } from '@immutable-infra/core';
import { createRequestedAtField, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import {
  LOAD_BALANCER_HOST,
  Thumbprint,
  V1beta2Conditions,
  VCENTER_SERVER,
  VCENTER_SERVER_MESSAGE,
  vsphereKindBase,
} from './common.js';

/** A vCenter host: a DNS name or an IP address, without a scheme or a port. */
export const VCenterServer = z
  .string()
  .max(253)
  .regex(VCENTER_SERVER, VCENTER_SERVER_MESSAGE)
  .describe('vCenter host name or IP address, e.g. vcenter.example.com (with :port when not 443).');

/** A Kubernetes label selector. */
export const LabelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string(),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

export const VSphereClusterSpec = z.object({
  server: VCenterServer.optional(),
  thumbprint: Thumbprint.optional(),
  identityRef: z
    .object({
      kind: z.enum(['VSphereClusterIdentity', 'Secret']),
      name: z.string().min(1),
    })
    .optional()
    .describe('Credentials for vCenter: a Secret with username and password, or a VSphereClusterIdentity.'),
  controlPlaneEndpoint: z
    .object({
      host: z
        .string()
        .max(512)
        .regex(LOAD_BALANCER_HOST, 'an IP address or a DNS name, without a scheme or a port'),
      port: z.number().int().min(1).max(65535).meta({ format: 'int32' }),
    })
    .optional()
    .describe('Address of the workload API server (the VIP of the control plane load balancer).'),
  failureDomainSelector: LabelSelector.optional().describe(
    'VSphereDeploymentZones the control plane may use; {} selects every one with controlPlane true, unset selects none.',
  ),
  clusterModules: z
    .array(
      z.object({
        controlPlane: z.boolean(),
        moduleUUID: z.string(),
        targetObjectName: z.string(),
      }),
    )
    .optional()
    .describe(
      'vSphere cluster modules (anti-affinity groups) the provider made, per control plane or deployment.',
    ),
  disableClusterModule: z.boolean().optional().describe('Do not place VMs in cluster modules.'),
});

export const VSphereClusterStatus = z.object({
  ...infraClusterStatusFields,
  vCenterVersion: z.string().optional(),
  controlPlaneAntiAffinity: z
    .array(
      z.object({
        computeCluster: z.string(),
        rule: z.string(),
        task: z
          .string()
          .optional()
          .describe(
            'The vSphere task changing the rule, while one is in flight; read on the next reconcile.',
          ),
      }),
    )
    .optional()
    .describe(
      'DRS anti-affinity rules keeping the control plane VMs on different hosts, per compute cluster (recorded before they are made, removed with the cluster).',
    ),
  v1beta2: V1beta2Conditions,
  createRequestedAt: createRequestedAtField,
});

export const VSphereCluster = defineKind({
  ...vsphereKindBase,
  kind: 'VSphereCluster',
  plural: 'vsphereclusters',
  role: 'InfraCluster',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: VSphereClusterSpec,
      status: VSphereClusterStatus,
      // The VMs, disks and cluster modules live in that vCenter: pointing a live cluster at another
      // one would leave them where no reconcile or deletion looks.
      validations: [
        {
          rule: '!has(oldSelf.spec.server) || (has(self.spec.server) && self.spec.server == oldSelf.spec.server)',
          message:
            'spec.server cannot change on an existing VSphereCluster: its VMs and disks are in that vCenter and would be orphaned; create a new cluster instead',
          fieldPath: '.spec.server',
        },
      ],
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        { name: 'Server', type: 'string', jsonPath: '.spec.server' },
        { ...printerColumns.controlPlaneEndpoint, priority: 1 },
        printerColumns.age,
      ],
    },
  ],
});

export type VSphereClusterObject = KindObject<(typeof VSphereCluster.versions)[0]>;

/**
 * The Secret the provider generates for each cluster, owned by its VSphereCluster, with the API
 * server's EncryptionConfiguration under the key `encryption-provider.conf`. A KubeadmControlPlane
 * writes it with `contentFrom.secret`, so the key is never in a Cluster API object anyone who may
 * read those can read.
 */
export const encryptionConfigSecretName = (cluster: string) => `${cluster}-vsphere-encryption-provider`;
