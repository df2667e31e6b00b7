import type { MachineAddress } from '@immutable-infra/core';

/** A machine's addresses as Cluster API reads them: every internal IP in order, then the hostname when known. */
export function machineAddresses(ips: readonly string[], hostname?: string | undefined): MachineAddress[] {
  return [
    ...ips.map((address) => ({ type: 'InternalIP' as const, address })),
    ...(hostname ? [{ type: 'Hostname' as const, address: hostname }] : []),
  ];
}
