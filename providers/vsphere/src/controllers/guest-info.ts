import type { BootstrapData } from '@immutable-infra/core';
import { type ClaimedAddress, netplanEthernets } from '@immutable-infra/provider-kit';
import type { VSphereMachineObject } from '../api/vsphere-machine.js';
import type { ConfigSlot } from './config-pool-claims.js';

type DeviceSpec = VSphereMachineObject['spec']['network']['devices'][number];
type SlotNic = NonNullable<ConfigSlot['network']>['primary'];

/** One NIC of the VM: where it connects and how the guest configures it. */
export interface PlannedNic {
  networkName: string;
  deviceName?: string | undefined;
  macAddr?: string | undefined;
  dhcp4: boolean;
  dhcp6: boolean;
  /** Static addresses with their prefix lengths. */
  addresses: string[];
  gateway4?: string | undefined;
  gateway6?: string | undefined;
  nameservers: string[];
  searchDomains: string[];
  mtu?: number | undefined;
  routes: { to: string; via: string; metric: number }[];
}

/** A device's own addresses, then those its IPAM pools gave; its own gateways, else the pools'. */
const fromDevice = (device: DeviceSpec, claimed: readonly ClaimedAddress[]): PlannedNic => ({
  networkName: device.networkName,
  deviceName: device.deviceName,
  macAddr: device.macAddr,
  dhcp4: device.dhcp4 === true,
  dhcp6: device.dhcp6 === true,
  addresses: [...(device.ipAddrs ?? []), ...claimed.map((a) => `${a.address}/${a.prefix}`)],
  gateway4: device.gateway4 ?? claimed.find((a) => !a.address.includes(':'))?.gateway,
  gateway6: device.gateway6 ?? claimed.find((a) => a.address.includes(':'))?.gateway,
  nameservers: device.nameservers ?? [],
  searchDomains: device.searchDomains ?? [],
  mtu: device.mtu,
  routes: device.routes ?? [],
});

/** A slot's NIC over the template's device at its place: the slot's network and static addresses win. */
const withSlot = (device: PlannedNic | undefined, nic: SlotNic): PlannedNic => ({
  ...(device ?? { dhcp6: false, searchDomains: [], routes: [] }),
  networkName: nic.networkName,
  deviceName: nic.deviceName ?? device?.deviceName,
  dhcp4: nic.ip ? false : (device?.dhcp4 ?? false),
  dhcp6: nic.ipv6 ? false : (device?.dhcp6 ?? false),
  addresses: [nic.ip, nic.ipv6].filter((a): a is string => Boolean(a)),
  gateway4: nic.gateway,
  gateway6: nic.ipv6Gateway,
  nameservers: nic.dns ?? device?.nameservers ?? [],
});

/**
 * The VM's NICs: the machine's `network.devices` in order (on the failure domain's networks when it
 * names them), with the config pool slot's primary NIC over the first and its additional NICs over
 * the next ones (a slot with more NICs than the template adds them).
 */
export function plannedNics(
  spec: VSphereMachineObject['spec'],
  slot: ConfigSlot | undefined,
  /** A failure domain's networks, in place of the devices' own, in order. */
  domainNetworks: readonly string[] = [],
  /** Addresses from the devices' IPAM pools (`addressesFromPools`). */
  claimed: readonly ClaimedAddress[] = [],
): PlannedNic[] {
  const devices = spec.network.devices.map((device, i) =>
    fromDevice(
      domainNetworks[i] ? { ...device, networkName: domainNetworks[i] } : device,
      claimed.filter((a) => a.device === i),
    ),
  );
  if (!slot?.network) return devices;
  const slotNics = [slot.network.primary, ...(slot.network.additional ?? [])];
  const count = Math.max(devices.length, slotNics.length);
  return Array.from({ length: count }, (_, i) => {
    const nic = slotNics[i];
    return nic ? withSlot(devices[i], nic) : (devices[i] as PlannedNic);
  });
}

/** The node IP: the first static IPv4 address of the first NIC, without its prefix length. */
export function staticNodeIp(nics: readonly PlannedNic[]): string | undefined {
  const address = nics[0]?.addresses.find((a) => !a.includes(':'));
  return address?.split('/')[0];
}

/**
 * cloud-init's metadata for the VMware datasource (`guestinfo.metadata`), as CAPV writes it: the
 * hostname, and a netplan v2 network matching each NIC by the MAC vSphere gave it. JSON is YAML,
 * so cloud-init reads it as it is.
 */
export function guestMetadata(
  hostname: string,
  nics: readonly PlannedNic[],
  macs: readonly string[],
): string {
  const netplanNics = nics.map((nic, i) => ({
    ...nic,
    macAddress: macs[i] ?? '',
    name: nic.deviceName ?? `eth${i}`,
  }));
  return JSON.stringify({
    'instance-id': hostname,
    'local-hostname': hostname,
    'wait-on-network': { ipv4: nics.some((n) => n.dhcp4 || n.addresses.some((a) => !a.includes(':'))) },
    network: { version: 2, ethernets: netplanEthernets(netplanNics, { wakeOnLan: true }) },
  });
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The guestinfo keys that carry bootstrap data and metadata into the VM: cloud-init's VMware
 * datasource reads `guestinfo.userdata` and `guestinfo.metadata`; Ignition reads
 * `guestinfo.ignition.config.data`.
 */
export function guestInfo(data: BootstrapData, metadata: string): Record<string, string> {
  const bootstrap =
    data.format === 'ignition'
      ? {
          'guestinfo.ignition.config.data': base64(data.value),
          'guestinfo.ignition.config.data.encoding': 'base64',
        }
      : { 'guestinfo.userdata': base64(data.value), 'guestinfo.userdata.encoding': 'base64' };
  return { ...bootstrap, 'guestinfo.metadata': base64(metadata), 'guestinfo.metadata.encoding': 'base64' };
}

/** The guestinfo keys that hold join secrets, emptied (which removes them) once the node registered. */
export const BOOTSTRAP_KEYS_CLEARED: Readonly<Record<string, string>> = {
  'guestinfo.userdata': '',
  'guestinfo.userdata.encoding': '',
  'guestinfo.ignition.config.data': '',
  'guestinfo.ignition.config.data.encoding': '',
};
