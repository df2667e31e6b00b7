import type { MachineAddress } from '@immutable-infra/core';

/**
 * A machine's addresses as Cluster API reads them: every internal IP in order, then the hostname
 * when known. `hostnameFirst` puts the hostname ahead of the IPs, for a provider whose machines
 * have always listed it first (Cluster API copies the order onto the Machine, where readers may take
 * the first address).
 */
export function machineAddresses(
  ips: readonly string[],
  hostname?: string | undefined,
  options: { hostnameFirst?: boolean } = {},
): MachineAddress[] {
  const internal = ips.map((address) => ({ type: 'InternalIP' as const, address }));
  const named = hostname ? [{ type: 'Hostname' as const, address: hostname }] : [];
  return options.hostnameFirst ? [...named, ...internal] : [...internal, ...named];
}
