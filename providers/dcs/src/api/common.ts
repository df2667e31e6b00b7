import { INFRASTRUCTURE_GROUP } from '@immutable-infra/core';
import { providerKindBase } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/** Every DCS kind: one API version, v1beta1, implementing both Cluster API contracts. */
export const dcsKindBase = providerKindBase('dcs');

export const DCS_API_VERSION = `${INFRASTRUCTURE_GROUP}/v1beta1`;

/**
 * A reference to an object in the same namespace (Kubernetes LocalObjectReference).
 * Core 0.3 has this as LocalObjectReferenceSchema; this provider still supports core 0.1 and 0.2.
 */
export const LocalObjectReference = z
  .object({ name: z.string().default('').describe('Name of the referenced object.') })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

const MASK_OCTET = '(?:255|254|252|248|240|224|192|128|0)';
export const IPV4 = '(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}';

/**
 * A subnet mask, dotted (255.255.255.0) or as a prefix length (24). Dotted
 * masks must be contiguous: the octets after the first one below 255 are 0,
 * so 255.0.255.0 is refused here rather than by the platform at clone time.
 * A CIDR suffix such as "/24" is a common mistake, so the message names both forms.
 */
export const SubnetMask = z
  .string()
  .regex(
    new RegExp(
      `^(?:[0-9]|[12][0-9]|3[0-2]|255\\.255\\.255\\.${MASK_OCTET}|255\\.255\\.${MASK_OCTET}\\.0|255\\.${MASK_OCTET}\\.0\\.0|${MASK_OCTET}\\.0\\.0\\.0)$`,
    ),
    'a contiguous dotted mask (255.255.255.0) or a prefix length (24), without a slash',
  )
  .describe('Subnet mask, dotted and contiguous (255.255.255.0) or a prefix length (24), without a slash.');

/**
 * IPv4 DNS servers separated by commas or semicolons (the documentation shows
 * both), with optional spaces around the separator.
 */
export const DnsServers = z
  .string()
  .regex(new RegExp(`^${IPV4}(?:\\s*[,;]\\s*${IPV4})*$`), 'IPv4 addresses separated by commas or semicolons')
  .describe('DNS servers: IPv4 addresses separated by commas or semicolons, e.g. 10.0.0.2,10.0.0.3.');

/**
 * A host name as DNS-1123 has it: dot-separated labels of lowercase letters,
 * digits and hyphens, each 1-63 long and starting and ending alphanumeric.
 * Node names are made from it, and Kubernetes refuses anything else there.
 */
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * An address clients reach a load balancer on: an IPv4 or IPv6 address (at
 * least two colons) or a DNS name in any case; never a scheme or a port.
 */
export const LOAD_BALANCER_HOST = new RegExp(
  `^(?:${IPV4}|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*)$`,
);
