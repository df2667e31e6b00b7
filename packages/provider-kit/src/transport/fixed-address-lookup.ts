import { isIP, type LookupFunction } from 'node:net';

/**
 * A host-name lookup that answers `address` for every host under `domain` (a port on the domain is
 * ignored) and fails every other name with ENOTFOUND. For sites whose API gateway has one address
 * and no DNS entries for the platform's per-service or per-region host names, and for tests
 * against a simulator; a transport takes it as its `lookup`.
 */
export function fixedAddressLookup(domain: string, address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  const suffix = `.${domain.replace(/:\d+$/, '').toLowerCase()}`;
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (!hostname.toLowerCase().endsWith(suffix)) {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      callback(error);
      return;
    }
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

/**
 * The lookup a gateway address setting (an environment variable's value, say) asks for names
 * under `domain`: none (DNS) when it is unset, empty or not an IP address.
 */
export function gatewayAddressLookup(
  gateway: string | undefined,
  domain: string,
): LookupFunction | undefined {
  const address = gateway?.trim();
  return address && isIP(address) ? fixedAddressLookup(domain, address) : undefined;
}
