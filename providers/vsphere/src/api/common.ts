import { INFRASTRUCTURE_GROUP } from '@immutable-infra/core';
import {
  DNS_NAME_PATTERN,
  IPV4,
  Ipv4Address as KitIpv4Address,
  providerKindBase,
} from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/** Every vSphere kind: one API version, v1beta1, implementing both Cluster API contracts. */
export const vsphereKindBase = providerKindBase('vsphere');

export const VSPHERE_API_VERSION = `${INFRASTRUCTURE_GROUP}/v1beta1`;

// The value formats and Cluster API fragments vSphere kinds use, from the kit (the same on every platform).
export {
  AddressClaimRecord,
  AddressesFromPool,
  AddressWithPrefix,
  DhcpOverrides,
  DNS_NAME,
  DNS1123_SUBDOMAIN,
  gatewayInNetwork,
  Ipv4WithPrefix,
  Ipv6Address,
  int32,
  LOAD_BALANCER_HOST,
  NetworkRoute,
  V1beta2Conditions,
} from '@immutable-infra/provider-kit/kinds';

/** An IPv4 address, bounded so CEL rules over it stay within the API server's cost budget. */
export const Ipv4Address = KitIpv4Address.max(15);

/** A vCenter host name or address, with a port when vCenter does not listen on 443: no scheme, no path. */
export const VCENTER_SERVER_MESSAGE =
  'a vCenter host name or IP address, with :port only when it is not 443, without a scheme or a path';

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
