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

/**
 * A subnet mask, dotted (255.255.255.0) or as a prefix length (24). A CIDR
 * suffix such as "/24" is a common mistake, so the pattern names both forms.
 */
export const SubnetMask = z
  .string()
  .regex(
    /^(?:[0-9]|[12][0-9]|3[0-2]|(?:(?:255|254|252|248|240|224|192|128|0)\.){3}(?:255|254|252|248|240|224|192|128|0))$/,
  )
  .describe('Subnet mask, dotted (255.255.255.0) or a prefix length (24), without a slash.');

/** Comma-separated IPv4 DNS servers. */
export const DnsServers = z
  .string()
  .regex(
    /^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3})(?:\s*,\s*(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}))*$/,
  )
  .describe('DNS servers, comma-separated IPv4 addresses.');
