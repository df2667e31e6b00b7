import { z } from 'zod';

// Value formats the kinds of several providers share: addresses, masks, DNS servers and names as
// the platforms' documentation writes them, each refused at the CRD with a message that says what
// is expected. Patterns are strings or RegExps so CEL rules and UI forms can use the same ones.

/** One IPv4 address (no anchors), for building larger patterns. */
export const IPV4 = '(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}';

/** An IPv4 address. */
export const Ipv4Address = z
  .string()
  .regex(new RegExp(`^${IPV4}$`))
  .describe('IPv4 address, e.g. 192.168.1.11.');

const MASK_OCTET = '(?:255|254|252|248|240|224|192|128|0)';

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
 * IPv4 DNS servers separated by commas or semicolons (documentation shows
 * both), with optional spaces around the separator.
 */
export const DnsServers = z
  .string()
  .regex(new RegExp(`^${IPV4}(?:\\s*[,;]\\s*${IPV4})*$`), 'IPv4 addresses separated by commas or semicolons')
  .describe('DNS servers: IPv4 addresses separated by commas or semicolons, e.g. 10.0.0.2,10.0.0.3.');

/** The addresses of a `DnsServers` value, in order. */
export function dnsServerList(value: string): string[] {
  return value
    .split(/\s*[,;]\s*/)
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

/**
 * A host name as DNS-1123 has it: dot-separated labels of lowercase letters,
 * digits and hyphens, each 1-63 long and starting and ending alphanumeric.
 * Node names are made from it, and Kubernetes refuses anything else there.
 */
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** A DNS name in any case (no anchors), for building larger patterns. */
export const DNS_NAME_PATTERN =
  '[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*';

/** A DNS name in any case (DNS compares names case-insensitively): no scheme, no port, no spaces. */
export const DNS_NAME = new RegExp(`^${DNS_NAME_PATTERN}$`);

/**
 * An address clients reach a load balancer on: an IPv4 or IPv6 address (at
 * least two colons) or a DNS name in any case; never a scheme or a port.
 */
export const LOAD_BALANCER_HOST = new RegExp(
  `^(?:${IPV4}|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|${DNS_NAME_PATTERN})$`,
);

/** An IPv6 address, bounded so CEL rules over it stay within the API server's cost budget; CEL checks it with isIP. */
export const Ipv6Address = z.string().max(39);

/** An IPv4 or IPv6 address with a prefix length (bounded likewise); CEL rules check it with isCIDR. */
export const AddressWithPrefix = z.string().max(43);

/** An IPv4 address with its prefix length, as guests are configured: 10.10.10.11/24. */
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

/** An int32 that is at least `min` (Kubernetes' integer format for sizes and counts). */
export const int32 = (min = 0) => z.number().int().min(min).max(2147483647).meta({ format: 'int32' });

/**
 * A Go duration as Cluster API providers take one in their specs (`5m`, `90s`, `1h30m`), in
 * milliseconds; undefined when unreadable, so the caller's default applies.
 */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (!text || !/^(?:\d+(?:\.\d+)?(?:h|m|s|ms))+$/.test(text)) return undefined;
  const unit = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
  let total = 0;
  for (const [, amount, u] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g))
    total += Number(amount) * unit[u as keyof typeof unit];
  return total;
}
