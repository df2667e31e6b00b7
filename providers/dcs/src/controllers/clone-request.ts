import { dnsServerList } from '@immutable-infra/provider-kit/kinds';
import type { DCSIpHostnamePoolObject } from '../api/dcs-ip-hostname-pool.js';
import type { DCSMachineObject } from '../api/dcs-machine.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import type { DcsCloneVmRequest, DcsVm } from '../cloud/dcs-types.js';
import { templateDiskSequence } from './guest-ignition.js';

type PoolEntry = DCSIpHostnamePoolObject['spec']['pool'][number];

/** A prefix length (24) or a dotted mask, as the clone body wants it: dotted. */
export function dottedMask(mask: string | undefined): string {
  if (mask === undefined) return '255.255.255.0';
  if (mask.includes('.')) return mask;
  const bits = Number(mask);
  const value = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/**
 * A pool entry's DNS servers as DCS takes them for a NIC: the first as the preferred server
 * (`setdns`), the second as the alternate (`adddns`). DCS holds two per NIC; more are not sent.
 */
export function nicDns(dns: string | undefined): { setdns?: string; adddns?: string } {
  const [preferred, alternate] = dns ? dnsServerList(dns) : [];
  return { ...(preferred ? { setdns: preferred } : {}), ...(alternate ? { adddns: alternate } : {}) };
}

/**
 * The description every VM we clone carries: it names the DCSMachine by UID,
 * so a VM with the right name but another owner is never adopted.
 */
export function ownerDescription(machine: Pick<DCSMachineObject, 'metadata'>): string {
  const { namespace, name, uid } = machine.metadata;
  return `immutable-infra dcsmachine=${namespace ?? 'default'}/${name} uid=${uid ?? ''}`;
}

export function isOwnedBy(
  vm: { description?: string | undefined },
  machine: Pick<DCSMachineObject, 'metadata'>,
): boolean {
  return (vm.description ?? '').includes(`uid=${machine.metadata.uid ?? ''}`);
}

/**
 * The clone body for a machine: CPU, memory, the disks of its vmConfig on
 * their datastores, the NICs of its pool entry (first NIC, then additionNic)
 * with their addresses, in the folder or cluster its location names. Every
 * name is resolved to a URN here, so a typo fails before anything is created.
 */
export async function buildCloneRequest(
  cloud: DcsCloud,
  machine: Pick<DCSMachineObject, 'spec' | 'metadata'>,
  template: DcsVm,
  vmName: string,
  entry: PoolEntry,
): Promise<DcsCloneVmRequest> {
  const spec = machine.spec;
  const config = spec.vmConfig;
  const request: DcsCloneVmRequest = {
    name: vmName,
    description: ownerDescription(machine),
    location: template.location ?? '',
    autoBoot: false,
    vmConfig: {
      cpu: { quantity: config?.dcsMachineCpuSpec.quantity ?? 2 },
      memory: { quantityMB: config?.dcsMachineMemorySpec.quantity ?? 4096 },
    },
  };
  if (spec.location?.type === 'folder' && spec.location.name) {
    request.group = (await cloud.resolveFolder(spec.location.name)).name;
  } else if (spec.location?.type === 'cluster' && spec.location.name) {
    request.location = (await cloud.resolveCluster(spec.location.name)).urn;
  }
  if (spec.resource?.type === 'host' && spec.resource.name) {
    request.location = (await cloud.resolveHost(spec.resource.name)).urn;
    request.isBindingHost = true;
  } else if (spec.resource?.type === 'cluster' && spec.resource.name) {
    request.location = (await cloud.resolveCluster(spec.resource.name)).urn;
  }

  const disks = [];
  for (const { sequenceNum, disk } of templateDiskSequence(machine.spec)) {
    // 0 on the system volume keeps the template's own size.
    if (disk.quantity === 0) continue;
    const datastoreUrn =
      disk.datastoreUrn ??
      (disk.datastoreName
        ? (await cloud.resolveDatastore(disk.datastoreName)).urn
        : disk.datastoreClusterName
          ? (await cloud.resolveDatastoreCluster(disk.datastoreClusterName)).urn
          : undefined);
    if (!datastoreUrn) continue;
    disks.push({ sequenceNum, quantityGB: disk.quantity, datastoreUrn });
  }
  if (disks.length > 0) request.vmConfig.disks = disks;

  const nicConfigs = [
    {
      dvSwitchName: entry.dvSwitchName ?? config?.dvSwitchName,
      portGroupName: entry.portGroupName ?? config?.portGroupName,
      portGroupUrn: entry.portGroupUrn ?? config?.portGroupUrn,
    },
    ...(entry.additionNic ?? []),
  ];
  const nics = [];
  for (const [index, nic] of nicConfigs.entries()) {
    const portGroupUrn =
      nic.portGroupUrn ??
      (nic.dvSwitchName && nic.portGroupName
        ? (await cloud.resolvePortGroup(nic.dvSwitchName, nic.portGroupName)).urn
        : undefined);
    if (portGroupUrn) nics.push({ sequenceNum: index + 1, portGroupUrn });
  }
  if (nics.length > 0) request.vmConfig.nics = nics;

  const addresses = [entry, ...(entry.additionNic ?? [])];
  request.vmCustomization = {
    osType: 'Linux',
    ...(entry.hostname ? { hostname: entry.hostname } : {}),
    nicSpecification: addresses.flatMap((nic, index) =>
      nic.ip
        ? [
            {
              sequenceNum: index + 1,
              ip: nic.ip,
              netmask: dottedMask(nic.mask),
              ...(nic.gateway ? { gateway: nic.gateway } : {}),
              ...nicDns(nic.dns),
            },
          ]
        : [],
    ),
  };
  return request;
}
