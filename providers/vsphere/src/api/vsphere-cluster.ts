import { defineKind, infraClusterStatusFields, type KindObject } from '@immutable-infra/core';
import {
  createRequestedAtField,
  LabelSelectorSchema,
  printerColumns,
} from '@immutable-infra/provider-kit/kinds';
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

/** A Kubernetes label selector (the kit's). */
export const LabelSelector = LabelSelectorSchema;

/**
 * Who holds the control plane endpoint's address. `internal` is the documented Self-built VIP: the
 * first control plane node holds it from its boot, then the platform's alive (keepalived and IPVS,
 * through a ModuleInfo) keeps it on a healthy control plane node. Rules that depend on `type` are
 * CEL rules here, so `vrid: 0` on an `external` one is still accepted.
 */
export const ControlPlaneLoadBalancer = z
  .object({
    type: z
      .enum(['internal', 'external'])
      .default('external')
      .describe(
        'external: a load balancer run outside the cluster (the default); internal: a VIP the control plane nodes keep (Self-built VIP).',
      ),
    host: z
      .string()
      .min(1)
      .max(253)
      .regex(LOAD_BALANCER_HOST, 'an IP address or a DNS name, without a scheme or a port')
      .describe('Address of the load balancer, or the IPv4 VIP for type internal.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .meta({ format: 'int32' })
      .describe('Port the API server is reached on.'),
    vrid: z
      .number()
      .int()
      .meta({ format: 'int32' })
      .optional()
      .describe('VRRP router id of the VIP, 1 to 255, unique in its Layer-2 network (type internal).'),
    interface: z
      .string()
      .max(15)
      .regex(/^[A-Za-z0-9_.:-]*$/, 'a network interface name, e.g. ens192')
      .optional()
      .describe(
        'Guest NIC that holds the VIP; empty picks the NIC of the node IP. Set it on nodes with more than one NIC.',
      ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        // keepalived holds the VIP on a node NIC: a self-built VIP is an IPv4 address, never a name.
        rule: "self.type != 'internal' || (isIP(self.host) && ip(self.host).family() == 4)",
        message:
          'host must be an IPv4 address when type is internal (a Self-built VIP); IPv6 and DNS names are not supported',
        fieldPath: '.host',
        reason: 'FieldValueInvalid',
      },
      {
        rule: "self.type != 'internal' || (has(self.vrid) && self.vrid >= 1 && self.vrid <= 255)",
        message: 'vrid must be between 1 and 255 when type is internal',
        fieldPath: '.vrid',
        reason: 'FieldValueInvalid',
      },
    ],
  });

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
    .describe(
      'Address of the workload API server (the VIP of the control plane load balancer); filled from controlPlaneLoadBalancer when empty.',
    ),
  controlPlaneLoadBalancer: ControlPlaneLoadBalancer.optional().describe(
    'The control plane load balancer; absent means an external one at controlPlaneEndpoint. Set when the cluster is created, or never.',
  ),
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
        {
          // The endpoint, the API server certificate and the first node's bootstrap data all come
          // from it: a live cluster cannot move to another address or mode.
          rule: 'has(self.spec.controlPlaneLoadBalancer) == has(oldSelf.spec.controlPlaneLoadBalancer) && (!has(self.spec.controlPlaneLoadBalancer) || self.spec.controlPlaneLoadBalancer == oldSelf.spec.controlPlaneLoadBalancer)',
          message:
            'spec.controlPlaneLoadBalancer is set when the VSphereCluster is created or never: it cannot be added, changed or removed afterwards; create a new cluster instead',
          fieldPath: '.spec.controlPlaneLoadBalancer',
        },
        {
          rule: '!has(self.spec.controlPlaneLoadBalancer) || !has(self.spec.controlPlaneEndpoint) || self.spec.controlPlaneEndpoint.host == "" || (self.spec.controlPlaneEndpoint.host == self.spec.controlPlaneLoadBalancer.host && self.spec.controlPlaneEndpoint.port == self.spec.controlPlaneLoadBalancer.port)',
          message:
            'spec.controlPlaneEndpoint and spec.controlPlaneLoadBalancer must name the same host and port (leave controlPlaneEndpoint empty to have it filled from controlPlaneLoadBalancer)',
          fieldPath: '.spec.controlPlaneEndpoint',
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
