/** IPv4 text to a 32-bit number; undefined when it is not a dotted quad. */
export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** First and last address of a CIDR. */
export function cidrRange(cidr: string): { first: number; last: number } {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor((ipToNumber(base) ?? 0) / size) * size;
  return { first: start, last: start + size - 1 };
}

/**
 * Addresses of one subnet: the network address, the gateway and the broadcast address are never
 * handed out; the rest go lowest first unless a caller asks for a specific one.
 */
export class SubnetAddresses {
  private readonly used = new Set<number>();
  readonly gatewayIp: string;

  constructor(
    readonly cidr: string,
    gatewayIp: string | undefined,
  ) {
    const { first } = cidrRange(cidr);
    this.gatewayIp = gatewayIp ?? numberToIp(first + 1);
  }

  contains(ip: string): boolean {
    const value = ipToNumber(ip);
    const { first, last } = cidrRange(this.cidr);
    return value !== undefined && value > first && value < last && ip !== this.gatewayIp;
  }

  isFree(ip: string): boolean {
    const value = ipToNumber(ip);
    return value !== undefined && !this.used.has(value);
  }

  /** Takes a specific address (the caller checked `contains` and `isFree`). */
  take(ip: string): void {
    const value = ipToNumber(ip);
    if (value !== undefined) this.used.add(value);
  }

  /** Takes the lowest free address; undefined when the subnet is full. */
  takeNext(): string | undefined {
    const { first, last } = cidrRange(this.cidr);
    for (let value = first + 1; value < last; value += 1) {
      const ip = numberToIp(value);
      if (ip !== this.gatewayIp && !this.used.has(value)) {
        this.used.add(value);
        return ip;
      }
    }
    return undefined;
  }

  release(ip: string): void {
    const value = ipToNumber(ip);
    if (value !== undefined) this.used.delete(value);
  }

  /** Addresses still free to hand out. */
  freeCount(): number {
    const { first, last } = cidrRange(this.cidr);
    return last - first - 1 - 1 - this.used.size;
  }

  usedCount(): number {
    return this.used.size;
  }
}
