import {
  defineKind,
  infraClusterSpecFields,
  infraClusterStatusFields,
  type KindObject,
} from '@immutable-infra/core';
import { printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { base } from './common.js';

/** The VIP or load balancer in front of the control plane. */
export const ControlPlaneLoadBalancer = z
  .object({
    type: z
      .enum(['Internal', 'External'])
      .default('Internal')
      .describe(
        'Internal: the provider keeps the VIP on the control-plane nodes (keepalived, VRRP). External: a load balancer you run already answers on host:port.',
      ),
    host: z.string().min(1).max(253).describe('The control-plane VIP or the load balancer address.'),
    port: z.number().int().min(1).max(65535).describe('The API server port behind it, usually 6443.'),
    vrid: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe(
        'The VRRP virtual_router_id of the Internal VIP; unique in the control-plane Layer-2 domain. Required when type is Internal.',
      ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "self.type != 'Internal' || has(self.vrid)",
        message: 'vrid is required when type is Internal',
        fieldPath: '.vrid',
        reason: 'FieldValueRequired',
      },
      {
        // keepalived (alive) holds the VIP on a node NIC: a self-built VIP is an IPv4 address, never a name.
        rule: "self.type != 'Internal' || (isIP(self.host) && ip(self.host).family() == 4)",
        message:
          'host must be an IPv4 address when type is Internal (a Self-built VIP); IPv6 addresses and DNS names are not supported',
        fieldPath: '.host',
        reason: 'FieldValueInvalid',
      },
    ],
  });

export const BaremetalClusterSpec = z
  .object({
    controlPlaneEndpoint: infraClusterSpecFields.controlPlaneEndpoint.meta({
      'x-kubernetes-validations': [
        { rule: 'self == oldSelf', message: 'controlPlaneEndpoint cannot be changed once set' },
      ],
    }),
    controlPlaneLoadBalancer: ControlPlaneLoadBalancer.optional(),
    networkType: z
      .string()
      .max(63)
      .optional()
      .describe('The CNI the cluster runs, e.g. kube-ovn (recorded, not acted on).'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        // The endpoint, the API server certificate and the first node's VIP all come from it: a live
        // cluster cannot move to another address or mode.
        rule: '!has(oldSelf.controlPlaneLoadBalancer) || (has(self.controlPlaneLoadBalancer) && self.controlPlaneLoadBalancer == oldSelf.controlPlaneLoadBalancer)',
        message:
          'controlPlaneLoadBalancer cannot be changed or removed once set: the API server certificate and the VIP are bound to it; create a new cluster instead',
        fieldPath: '.controlPlaneLoadBalancer',
      },
      {
        // The VIP the first node holds and alive keeps is the load balancer's host: an endpoint
        // naming another address would be certified and dialled where no VIP answers.
        rule: "!has(self.controlPlaneLoadBalancer) || self.controlPlaneLoadBalancer.type != 'Internal' || !has(self.controlPlaneEndpoint) || self.controlPlaneEndpoint.host == '' || (self.controlPlaneEndpoint.host == self.controlPlaneLoadBalancer.host && self.controlPlaneEndpoint.port == self.controlPlaneLoadBalancer.port)",
        message:
          'controlPlaneEndpoint must name the same host and port as an Internal controlPlaneLoadBalancer (leave controlPlaneEndpoint empty to have it filled from it)',
        fieldPath: '.controlPlaneEndpoint',
      },
      {
        rule: 'has(self.controlPlaneEndpoint) || has(self.controlPlaneLoadBalancer)',
        message:
          'set controlPlaneLoadBalancer (or controlPlaneEndpoint): the cluster needs an API server endpoint',
      },
    ],
  });

export const BaremetalCluster = defineKind({
  ...base,
  kind: 'BaremetalCluster',
  plural: 'baremetalclusters',
  shortNames: ['bmc'],
  role: 'InfraCluster',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: BaremetalClusterSpec,
      status: z.object(infraClusterStatusFields),
      printerColumns: [
        printerColumns.cluster,
        { name: 'Endpoint', type: 'string', jsonPath: '.spec.controlPlaneEndpoint.host' },
        printerColumns.ready,
        printerColumns.age,
      ],
    },
  ],
});

export type BaremetalClusterObject = KindObject<(typeof BaremetalCluster)['versions'][number]>;
