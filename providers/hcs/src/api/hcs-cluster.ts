import {
  defineKind,
  infraClusterStatusFields,
  type KindObject,
  LocalObjectReferenceSchema,
} from '@immutable-infra/core';
import { createRequestedAtField, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { DNS_NAME, hcsKindBase, Ipv4Address } from './common.js';

const NamedId = z.object({ id: z.string().optional(), name: z.string().optional() });

/** Two fixed addresses of the ELB in one subnet (its L4 or L7 virtual subnet IPs). */
const ElbSubnetIps = z.object({
  subnetName: z.string().max(255).optional().describe('A subnet of spec.network.subnets.'),
  ips: z
    .array(Ipv4Address)
    .min(2)
    .max(2)
    .optional()
    .describe('Exactly two IPs; HCS allocates them when omitted.'),
});

export const HCSSubnet = z.object({
  id: z.string().max(64).optional().describe('VPC subnet id; resolved from the name when empty.'),
  name: z.string().max(255).optional(),
  neutronSubnetId: z.string().optional().describe('IPv4 subnet id of the network service; the ELB needs it.'),
  cidr: z.string().optional(),
  gatewayIp: z.string().optional(),
  primaryDNS: z.string().optional(),
  secondaryDNS: z.string().optional(),
  dhcp: z.boolean().optional(),
  managed: z.boolean().optional().describe('Reserved: the provider never creates or deletes subnets.'),
});

export const HCSNetwork = z.object({
  vpc: z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      cidr: z.string().optional(),
      managed: z.boolean().optional(),
      externalGatewayInfo: z
        .object({ networkId: z.string().optional(), networkName: z.string().optional() })
        .optional(),
    })
    .optional(),
  subnets: z.array(HCSSubnet).max(16).optional().describe('Every subnet the cluster uses (nodes, ELB).'),
  securityGroup: NamedId.optional(),
});

export const HCSControlPlaneLoadBalancer = z.object({
  id: z.string().optional().describe('Set by the provider once the ELB exists.'),
  name: z.string().optional(),
  vipAddress: Ipv4Address.optional().describe('Fixed VIP of the ELB, inside vipSubnetName.'),
  vipSubnetName: z
    .string()
    .max(255)
    .optional()
    .describe('A subnet of spec.network.subnets that holds the VIP.'),
  vipSubnetId: z.string().optional(),
  vipDomainName: z
    .string()
    .max(253)
    .regex(DNS_NAME, 'a DNS name, without a scheme or a port')
    .optional()
    .describe('A name that resolves to vipAddress; becomes the endpoint host.'),
  vpcId: z.string().optional(),
  vpcName: z.string().optional(),
  elbVirsubnetL4Ips: z.array(ElbSubnetIps).max(4).optional(),
  elbVirsubnetL7Ips: z.array(ElbSubnetIps).max(4).optional(),
  selector: z.string().optional(),
  publicIpOption: z
    .object({ ipVersion: z.string().default('4'), networkType: z.string() })
    .optional()
    .describe('Reserved: a public IP for the ELB.'),
  // The reference API spells it so; kept for manifests written against it.
  liseners: z
    .array(z.object({ id: z.string().optional(), protocolPort: z.number().int().optional() }))
    .optional(),
  pools: z
    .array(
      z.object({
        id: z.string().optional(),
        protocolPort: z.number().int().optional(),
        healthMonitorID: z.string().optional(),
      }),
    )
    .optional(),
});

/**
 * Where machines' bootstrap data goes instead of the ECS user data, which anyone who may read the
 * server through the HCS API can read for the server's whole life. Our addition: the documented
 * HCSCluster has no such field.
 */
export const HCSBootstrapObjectStorage = z.object({
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'an OBS bucket name: 3-63 lower-case letters, digits, dots, hyphens',
    )
    .describe(
      'An existing private OBS bucket the identity access key may write, read and delete objects in; the provider never creates it.',
    ),
  endpoint: z
    .string()
    .max(255)
    .regex(/^https?:\/\/[^/?#\s]+$/, 'a URL without a path, e.g. https://obs.region.example.com')
    .optional()
    .describe(
      'OBS endpoint, when it is not {schema}://obs.{region}.{externalGlobalDomain}; the bucket is addressed as a virtual host under it. Nodes must reach and trust it at boot.',
    ),
  urlValiditySeconds: z
    .number()
    .int()
    .min(300)
    .max(86_400)
    .optional()
    .describe(
      "How long the pre-signed URL in a new server's user data works (1800 by default): long enough for the server to be created and boot, short enough that the user data is useless soon after.",
    ),
});

/** Every entry of one of the ELB's virtual subnet lists names a subnet of spec.network.subnets. */
const virtualSubnetsRule = (field: 'elbVirsubnetL4Ips' | 'elbVirsubnetL7Ips') => ({
  rule:
    `!has(self.controlPlaneLoadBalancer) || !has(self.controlPlaneLoadBalancer.${field}) || ` +
    `self.controlPlaneLoadBalancer.${field}.all(e, !has(e.subnetName) || ` +
    '(has(self.network.subnets) && self.network.subnets.exists(s, has(s.name) && s.name == e.subnetName)))',
  message: `every controlPlaneLoadBalancer.${field}[].subnetName must name a subnet listed in network.subnets`,
  fieldPath: `.controlPlaneLoadBalancer.${field}`,
  reason: 'FieldValueInvalid',
});

export const HCSClusterSpec = z
  .object({
    controlPlaneEndpoint: z
      .object({ host: z.string().max(512), port: z.number().int() })
      .optional()
      .describe('Filled by the provider from the ELB; do not set it when creating.'),
    controlPlaneHA: z
      .object({ enabled: z.boolean(), policy: z.enum(['anti-affinity', 'soft-anti-affinity']) })
      .optional()
      .describe('Place control plane servers in a server group with this policy.'),
    controlPlaneLoadBalancer: HCSControlPlaneLoadBalancer.optional(),
    encryptionProviderConfigRef: LocalObjectReferenceSchema.optional().describe(
      'Secret with key encryption-provider.conf to use instead of a generated key.',
    ),
    identityRef: z
      .object({ name: z.string().min(1) })
      .describe(
        'Secret with accessKey, secretKey, projectID, region, externalGlobalDomain and optional schema.',
      ),
    network: HCSNetwork,
    networkType: z.string().min(1).describe('CNI of the workload cluster, e.g. kube-ovn.'),
    bootstrapObjectStorage: HCSBootstrapObjectStorage.optional().describe(
      "Keep each machine's bootstrap data (node keys, join token, encryption configuration) in this OBS bucket, not in the ECS user data: the server gets only a short-lived pre-signed URL, and the object is deleted once the node has registered and when the machine is deleted. Without it the whole bootstrap data stays readable as the server's user data through the ECS API.",
    ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule:
          '!has(self.controlPlaneLoadBalancer) || !has(self.controlPlaneLoadBalancer.vipSubnetName) || ' +
          '(has(self.network.subnets) && self.network.subnets.exists(s, has(s.name) && s.name == self.controlPlaneLoadBalancer.vipSubnetName))',
        message: 'controlPlaneLoadBalancer.vipSubnetName must name a subnet listed in network.subnets',
        fieldPath: '.controlPlaneLoadBalancer.vipSubnetName',
        reason: 'FieldValueInvalid',
      },
      virtualSubnetsRule('elbVirsubnetL4Ips'),
      virtualSubnetsRule('elbVirsubnetL7Ips'),
    ],
  });

export const HCSClusterStatus = z.object({
  ...infraClusterStatusFields,
  // The CRD declares the v1beta2 contract, so Cluster API (v1.11 on) reads the failure domains as
  // that contract's list; the v1beta1 contract's map stops the Cluster at "infrastructure not ready".
  failureDomains: z
    .array(
      z.object({
        name: z.string(),
        controlPlane: z.boolean().optional(),
        attributes: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional()
    .describe('The availability zones, as the v1beta2 contract lists failure domains.'),
  controlPlaneHA: z
    .object({
      id: z.string().optional().describe('Server group id.'),
      name: z.string().optional(),
      policy: z.string().optional(),
      members: z
        .array(z.object({ machineName: z.string().optional(), serverID: z.string().optional() }))
        .optional(),
    })
    .optional(),
  loadBalancer: z
    .object({
      id: z.string().optional(),
      vipAddress: z.string().optional(),
      vipPortId: z.string().optional(),
      listenerId: z.string().optional(),
      poolId: z.string().optional(),
      healthMonitorId: z.string().optional(),
      members: z
        .array(z.object({ machineName: z.string(), address: z.string(), memberId: z.string().optional() }))
        .optional()
        .describe('Control plane machines in the ELB pool.'),
    })
    .optional()
    .describe('The control plane ELB and its parts, as the provider created them.'),
  createRequestedAt: createRequestedAtField,
});

export const HCSCluster = defineKind({
  ...hcsKindBase,
  kind: 'HCSCluster',
  plural: 'hcsclusters',
  role: 'InfraCluster',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: HCSClusterSpec,
      status: HCSClusterStatus,
      // The identity says which platform, region and project the servers, volumes and ELB are
      // in: pointing a live cluster elsewhere would leave them where no reconcile or deletion looks.
      validations: [
        {
          rule: 'self.spec.identityRef.name == oldSelf.spec.identityRef.name',
          message:
            'spec.identityRef cannot change on an existing HCSCluster: its servers, volumes and ELB were created with that identity and would be orphaned; create a new cluster instead',
          fieldPath: '.spec.identityRef',
        },
      ],
      printerColumns: [
        printerColumns.cluster,
        printerColumns.ready,
        printerColumns.controlPlaneEndpoint,
        { name: 'ELB', type: 'string', jsonPath: '.status.loadBalancer.id', priority: 1 },
        printerColumns.age,
      ],
    },
  ],
});

export type HCSClusterObject = KindObject<(typeof HCSCluster.versions)[0]>;
