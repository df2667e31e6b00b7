/** IPv4 arithmetic for forms: parsing, subnets, CIDR overlap. Pure; runs in the browser. */

const OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/** The address as an unsigned 32-bit number, or undefined when it is not dotted-quad IPv4. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part))) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The prefix length of a mask given as a prefix length ("24") or dotted ("255.255.255.0"); undefined when invalid. */
export function maskPrefix(mask: string): number | undefined {
  const text = mask.trim();
  if (/^\d{1,2}$/.test(text)) {
    const prefix = Number(text);
    return prefix <= 32 ? prefix : undefined;
  }
  const value = parseIpv4(text);
  if (value === undefined) return undefined;
  for (let prefix = 0; prefix <= 32; prefix++) if (maskValue(prefix) === value) return prefix;
  return undefined;
}

function maskValue(prefix: number): number {
  return prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)) >>> 0;
}

export function networkOf(address: number, prefix: number): number {
  return prefix === 0 ? 0 : Math.floor(address / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
}

/** Whether `address` lies in the subnet of `base`/`prefix`. */
export function sameSubnet(address: number, base: number, prefix: number): boolean {
  return networkOf(address, prefix) === networkOf(base, prefix);
}

export interface Cidr {
  network: number;
  prefix: number;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; message: string };

/** An IPv4 CIDR such as 10.3.0.0/16; host bits must be zero. */
export function parseCidr(text: string): CidrParse {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const address = match?.[1] === undefined ? undefined : parseIpv4(match[1]);
  const prefix = match?.[2] === undefined ? Number.NaN : Number(match[2]);
  if (address === undefined || !(prefix >= 0 && prefix <= 32))
    return { ok: false, message: 'must be an IPv4 CIDR such as 10.3.0.0/16' };
  const network = networkOf(address, prefix);
  if (network !== address)
    return {
      ok: false,
      message: `has host bits set; the network is ${formatIpv4(network)}/${prefix}`,
    };
  return { ok: true, cidr: { network, prefix } };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return networkOf(a.network, prefix) === networkOf(b.network, prefix);
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}
