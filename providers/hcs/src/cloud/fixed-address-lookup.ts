import { isIP, type LookupFunction } from 'node:net';

/**
 * A host-name lookup that answers `address` for every host under `domain` (and leaves other names to
 * the system resolver's caller: they fail). For sites whose API gateway has one address and no DNS
 * entries for the regional service names, and for tests against a simulator.
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
