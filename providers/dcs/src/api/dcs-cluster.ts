import { defineKind, infraClusterStatusFields, type KindObject } from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { dcsKindBase, IPV4, LOAD_BALANCER_HOST, LocalObjectReference } from './common.js';

export const ControlPlaneLoadBalancer = z
  .object({
    type: z
      .enum(['internal', 'external'])
      .describe(
        'external: a load balancer run outside the cluster; internal: a VIP kept by the control plane nodes.',
      ),
    host: z
      .string()
      .min(1)
      .max(253)
      .regex(LOAD_BALANCER_HOST, 'an IP address or a DNS name, without a scheme or a port')
      .describe('Address of the load balancer (IP or DNS name), or the IPv4 VIP for type internal.'),
    port: z.number().int().min(1).max(65535).describe('Port the API server is reached on.'),
    vrid: z.number().int().min(1).max(255).optional().describe('VRRP router id of the VIP (type internal).'),
    interface: z
      .string()
      .max(15)
      .regex(/^[A-Za-z0-9_.:-]*$/)
      .optional()
      .describe('Network interface that carries the VIP; empty picks the interface of the node IP.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "self.type != 'internal' || has(self.vrid)",
        message: 'vrid is required when type is internal',
      },
      {
        // keepalived holds the VIP on a node NIC, so a self-built VIP cannot be a DNS name.
        rule: `self.type != 'internal' || self.host.matches('^${IPV4.replaceAll('\\', '\\\\')}$')`,
        message: 'host must be an IPv4 address when type is internal (a self-built VIP)',
        fieldPath: '.host',
        reason: 'FieldValueInvalid',
      },
    ],
  });

export const DCSClusterSpec = z.object({
  controlPlaneEndpoint: z
    .object({ host: z.string().max(512), port: z.number().int() })
    .optional()
    .describe(
      'Where Cluster API and kubeadm reach the API server; filled from the load balancer when empty.',
    ),
  controlPlaneLoadBalancer: ControlPlaneLoadBalancer,
  credentialSecretRef: LocalObjectReference.describe(
    'Secret with the DCS credentials (authUser, authKey, endpoint, site).',
  ),
  encryptionProviderConfigRef: LocalObjectReference.optional().describe(
    'Secret with key encryption-provider.conf to use instead of a generated encryption key.',
  ),
  networkType: z.string().min(1).describe('CNI of the workload cluster, e.g. kube-ovn.'),
  site: z
    .string()
    .optional()
    .describe('DCS site id, e.g. EC1C108C; taken from the credential Secret when empty.'),
  controlPlaneHA: z
    .object({ enabled: z.boolean().optional() })
    .optional()
    .describe('Keep control plane VMs on different hosts with a DRS mutual-exclusion rule.'),
});

export const DCSClusterStatus = z.object({
  ...infraClusterStatusFields,
  controlPlaneHA: z
    .object({
      ruleName: z.string().optional(),
      ruleIndex: z.number().int().optional(),
      clusterUrn: z.string().optional(),
      members: z
        .array(z.object({ machineName: z.string().optional(), vmUrn: z.string().optional() }))
        .optional(),
      taskUri: z.string().optional().describe('DCS task changing the rule, while one is in flight.'),
    })
    .optional()
    .describe('The DRS rule the provider keeps for control plane HA.'),
});

export const DCSCluster = defineKind({
  ...dcsKindBase,
  kind: 'DCSCluster',
  plural: 'dcsclusters',
  role: 'InfraCluster',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: DCSClusterSpec,
      status: DCSClusterStatus,
      // The credential and the site say where the cluster's VMs are: pointing a live cluster
      // elsewhere would leave them on the old VRM or site, where no reconcile or deletion finds them.
      validations: [
        {
          rule: 'self.spec.credentialSecretRef == oldSelf.spec.credentialSecretRef',
          message:
            'spec.credentialSecretRef cannot change on an existing DCSCluster: its VMs were created with that credential and would be orphaned; create a new cluster instead',
          fieldPath: '.spec.credentialSecretRef',
        },
        {
          rule: 'has(self.spec.site) == has(oldSelf.spec.site) && (!has(self.spec.site) || self.spec.site == oldSelf.spec.site)',
          message:
            'spec.site cannot be set, changed or removed on an existing DCSCluster: its VMs were created in the site it named and would be orphaned; create a new cluster instead',
          fieldPath: '.spec.site',
        },
      ],
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        printerColumns.controlPlaneEndpoint,
        printerColumns.age,
      ],
    },
  ],
});

export type DCSClusterObject = KindObject<(typeof DCSCluster.versions)[0]>;
