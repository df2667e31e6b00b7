import { gatewayAddressLookup } from '@immutable-infra/provider-kit';

/**
 * Where the regional service names (`{service}.{region}.{externalGlobalDomain}`) resolve when the
 * host has no DNS entries for them: every name under the credential's domain goes to this address
 * (a site's API gateway; tests point it at the simulator). Unset: DNS. Read by the manager's
 * connections and by the UI's platform proxy alike.
 */
export const GATEWAY_ADDRESS_VARIABLE = 'IINFRA_HCS_GATEWAY_ADDRESS';

/** The lookup IINFRA_HCS_GATEWAY_ADDRESS asks for names under `domain`, or nothing (DNS) when unset. */
export const gatewayLookup = (domain: string, env = process.env) =>
  gatewayAddressLookup(env[GATEWAY_ADDRESS_VARIABLE], domain);
