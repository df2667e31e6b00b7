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

/**
 * Where the regional service names (`{service}.{region}.{externalGlobalDomain}`) resolve when the
 * host has no DNS entries for them: every name under the credential's domain goes to this address
 * (a site's API gateway; tests point it at the simulator). Unset: DNS. Read by the manager's
 * connections and by the UI's platform proxy alike.
 */
export const GATEWAY_ADDRESS_VARIABLE = 'IINFRA_HCS_GATEWAY_ADDRESS';

/** The lookup IINFRA_HCS_GATEWAY_ADDRESS asks for names under `domain`, or nothing (DNS) when unset. */
export function gatewayLookup(domain: string, env = process.env): LookupFunction | undefined {
  const gateway = env[GATEWAY_ADDRESS_VARIABLE]?.trim();
  return gateway && isIP(gateway) ? fixedAddressLookup(domain, gateway) : undefined;
}
