/**
 * cloud-init's network config v2 (the netplan subset) for a guest's NICs: what a provider hands the
 * guest in its metadata (vSphere's guestinfo, a NoCloud seed), whatever the platform.
 */

/** One NIC of the guest as network config v2 sets it up. */
export interface NetplanNic {
  /** The MAC the platform gave the NIC: the guest's interface is matched by it. */
  macAddress: string;
  /** The interface's name in the guest (`set-name`). */
  name: string;
  dhcp4: boolean;
  dhcp6: boolean;
  /** Static addresses with their prefix lengths. */
  addresses: readonly string[];
  mtu?: number | undefined;
  gateway4?: string | undefined;
  gateway6?: string | undefined;
  routes: readonly { to: string; via: string; metric?: number | undefined }[];
  nameservers: readonly string[];
  searchDomains: readonly string[];
}

/**
 * The `ethernets` of a network config v2, `id0`, `id1`, ... in NIC order. The gateways are written
 * as default routes: netplan's gateway4/gateway6 are deprecated, and routes say the same.
 */
export function netplanEthernets(
  nics: readonly NetplanNic[],
  options: { wakeOnLan?: boolean | undefined } = {},
): Record<string, unknown> {
  const ethernets: Record<string, unknown> = {};
  nics.forEach((nic, i) => {
    const { gateway4, gateway6 } = nic;
    ethernets[`id${i}`] = {
      match: { macaddress: nic.macAddress },
      'set-name': nic.name,
      ...(options.wakeOnLan ? { wakeonlan: true } : {}),
      dhcp4: nic.dhcp4,
      dhcp6: nic.dhcp6,
      ...(nic.addresses.length > 0 ? { addresses: nic.addresses } : {}),
      ...(nic.mtu ? { mtu: nic.mtu } : {}),
      ...(gateway4 || gateway6 || nic.routes.length > 0
        ? {
            routes: [
              ...(gateway4 ? [{ to: '0.0.0.0/0', via: gateway4 }] : []),
              ...(gateway6 ? [{ to: '::/0', via: gateway6 }] : []),
              ...nic.routes,
            ],
          }
        : {}),
      ...(nic.nameservers.length > 0 || nic.searchDomains.length > 0
        ? {
            nameservers: {
              ...(nic.nameservers.length > 0 ? { addresses: nic.nameservers } : {}),
              ...(nic.searchDomains.length > 0 ? { search: nic.searchDomains } : {}),
            },
          }
        : {}),
    };
  });
  return ethernets;
}
