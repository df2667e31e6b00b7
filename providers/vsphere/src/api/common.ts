import { INFRASTRUCTURE_GROUP } from '@immutable-infra/core';
import { IPV4, Ipv4Address as KitIpv4Address, providerKindBase } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/** Every vSphere kind: one API version, v1beta1, implementing both Cluster API contracts. */
export const vsphereKindBase = providerKindBase('vsphere');

export const VSPHERE_API_VERSION = `${INFRASTRUCTURE_GROUP}/v1beta1`;

// The value formats vSphere kinds use, from the kit (they are the same on every platform).
export { DNS_NAME, DNS1123_SUBDOMAIN, LOAD_BALANCER_HOST } from '@immutable-infra/provider-kit/kinds';

/** An IPv4 address, bounded so CEL rules over it stay within the API server's cost budget. */
export const Ipv4Address = KitIpv4Address.max(15);

/** An IPv6 address (bounded likewise); CEL rules check it with isIP. */
export const Ipv6Address = z.string().max(39);

/** An IPv4 or IPv6 address with a prefix length (bounded likewise); CEL rules check it with isCIDR. */
export const AddressWithPrefix = z.string().max(43);

/** An IPv4 address with its prefix length, as vSphere guests are configured: 10.10.10.11/24. */
export const Ipv4WithPrefix = z
  .string()
  .max(18)
  .regex(
    new RegExp(`^${IPV4}/(?:[0-9]|[12][0-9]|3[0-2])$`),
    'an IPv4 address with a prefix length, e.g. 10.10.10.11/24',
  )
  .describe('IPv4 address with its prefix length, e.g. 10.10.10.11/24.');

/** A CEL expression: the gateway `gw` lies in the network of the address-with-prefix `cidrExpr`. */
export const gatewayInNetwork = (cidrExpr: string, gw: string) => `cidr(${cidrExpr}).containsIP(${gw})`;

/** A vCenter host name or address, with a port when vCenter does not listen on 443: no scheme, no path. */
export const VCENTER_SERVER_MESSAGE =
  'a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path';

const DNS_NAME_PATTERN =
  '[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*';

/** `vc.example.local`, `10.0.0.5`, `vc.example.local:8443`, or an IPv6 address (no port then). */
export const VCENTER_SERVER = new RegExp(
  `^(?:(?:${IPV4}|${DNS_NAME_PATTERN})(?::[0-9]{1,5})?|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$`,
);

/**
 * A vCenter certificate thumbprint: the SHA-1 (20 bytes) or SHA-256 (32 bytes) of its certificate, as
 * hexadecimal byte pairs separated by colons.
 */
export const Thumbprint = z
  .string()
  .regex(
    /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){19}(?:(?::[0-9A-Fa-f]{2}){12})?$/,
    'the SHA-1 or SHA-256 certificate fingerprint as colon-separated hex pairs, e.g. AB:CD:...:EF',
  )
  .describe('Fingerprint of the vCenter certificate (SHA-1 or SHA-256, colon-separated hex pairs).');

/** An IPAM pool a NIC takes addresses from (Cluster API's IPAM contract). */
export const AddressesFromPool = z
  .object({
    apiGroup: z.string().optional().describe('API group of the pool kind.'),
    kind: z.string().min(1).describe('Kind of the pool, e.g. InClusterIPPool.'),
    name: z.string().min(1).describe('Name of the pool, in the machine namespace.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

/** How the guest uses what a DHCP server offers. */
export const DhcpOverrides = z.object({
  hostname: z.string().optional(),
  routeMetric: z.number().int().optional(),
  sendHostname: z.boolean().optional(),
  useDNS: z.boolean().optional(),
  useDomains: z.string().optional(),
  useHostname: z.boolean().optional(),
  useMTU: z.boolean().optional(),
  useNTP: z.boolean().optional(),
  useRoutes: z.string().optional(),
});

/** A static route in the guest. */
export const NetworkRoute = z.object({
  metric: z.number().int().min(0).max(2147483647).meta({ format: 'int32' }),
  to: z.string().min(1).describe('Destination network, e.g. 10.20.0.0/16.'),
  via: z.string().min(1).describe('Next hop address.'),
});

/** The Cluster API v1beta2 conditions a v1beta1 object carries under status.v1beta2. */
export const V1beta2Conditions = z
  .object({
    conditions: z
      .array(
        z.object({
          type: z.string().min(1).max(316),
          status: z.enum(['True', 'False', 'Unknown']),
          reason: z.string().min(1).max(1024),
          message: z.string().max(32768),
          lastTransitionTime: z.iso.datetime(),
          observedGeneration: z.number().int().min(0).optional(),
        }),
      )
      .max(32)
      .optional(),
  })
  .optional()
  .describe('Conditions as Cluster API v1beta2 has them.');

/** An int32 that is at least `min`, as vSphere's sizes and counts are. */
export const int32 = (min = 0) => z.number().int().min(min).max(2147483647).meta({ format: 'int32' });
