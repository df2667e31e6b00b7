import type { FieldProblem } from '@immutable-infra/core';
import { DNS1123_SUBDOMAIN } from '@immutable-infra/provider-kit/kinds';
import { parseCidr, parseIpv4, sameSubnet } from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';

type PoolSpec = HCSMachineConfigPoolObject['spec'];
type StoredEntry = PoolSpec['configs'][number];
type StoredNetwork = StoredEntry['networks'][number];

/**
 * A NIC's subnet as the form's select holds it: `name:<subnetName>` (the
 * documented choice for new manifests) or `id:<subnetId>` (when a name is
 * ambiguous, or the stored entry names the id).
 */
export type SubnetChoice = `name:${string}` | `id:${string}` | '';

export interface NetworkDraft {
  subnet: SubnetChoice;
  ipAddress: string;
}

export interface DiskDraft {
  /** GB; NaN when empty. */
  size: number;
  type: string;
  mountPath: string;
  /** xfs or ext4; empty: xfs. */
  format: string;
}

export interface EntryDraft {
  hostname: string;
  networks: NetworkDraft[];
  persistentDisks: DiskDraft[];
}

export interface PoolDraft {
  name: string;
  entries: EntryDraft[];
}

/** A subnet the form knows of (from the platform), to check an address against its CIDR. */
export interface KnownSubnet {
  choice: SubnetChoice;
  name: string;
  cidr: string;
}

export const emptyNetwork = (subnet: SubnetChoice = ''): NetworkDraft => ({ subnet, ipAddress: '' });
export const emptyDisk = (): DiskDraft => ({ size: Number.NaN, type: '', mountPath: '', format: 'xfs' });
export const emptyEntry = (): EntryDraft => ({
  hostname: '',
  networks: [emptyNetwork()],
  persistentDisks: [],
});

export const FILE_SYSTEMS = ['xfs', 'ext4'] as const;
const ABSOLUTE_PATH = /^\/[^\s]*$/;

/** The problem of a new HCS object's name (a DNS-1123 subdomain, as the API server requires), if any. */
export function objectNameProblem(name: string): string | undefined {
  if (!name) return 'the name is required';
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    return 'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit';
  return undefined;
}

/**
 * Every problem of the pool, each named by the path of its field
 * (`configs.0.networks.1.ipAddress`): the CRD's rules (hostname DNS-1123
 * and unique, at least one entry and one NIC, a subnet per NIC, an IPv4
 * address), plus what would fail at the first machine: an address used
 * twice, an address outside its subnet, a persistent disk without type or
 * size, a mount path used twice in an entry.
 */
export function validatePool(draft: PoolDraft, creating: boolean, subnets: readonly KnownSubnet[] = []) {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const nameProblem = creating ? objectNameProblem(draft.name) : undefined;
  if (nameProblem) add('name', nameProblem);
  if (draft.entries.length === 0) add('configs', 'add at least one entry (one per machine)');
  const hostnames = new Map<string, number>();
  const addresses = new Map<string, string>();
  draft.entries.forEach((entry, i) => {
    const at = `configs.${i}`;
    if (!entry.hostname) add(`${at}.hostname`, 'the hostname is required');
    else if (entry.hostname.length > 253 || !DNS1123_SUBDOMAIN.test(entry.hostname))
      add(
        `${at}.hostname`,
        'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit',
      );
    else if (hostnames.has(entry.hostname))
      add(`${at}.hostname`, `${entry.hostname} is already entry ${(hostnames.get(entry.hostname) ?? 0) + 1}`);
    else hostnames.set(entry.hostname, i);

    if (entry.networks.length === 0) add(`${at}.networks`, 'add at least one network');
    if (entry.networks.length > 8) add(`${at}.networks`, 'at most 8 networks per entry');
    entry.networks.forEach((network, n) => {
      const nat = `${at}.networks.${n}`;
      if (!network.subnet) add(`${nat}.subnet`, 'choose the subnet');
      const address = parseIpv4(network.ipAddress);
      if (!network.ipAddress) add(`${nat}.ipAddress`, 'the IP address is required');
      else if (address === undefined) add(`${nat}.ipAddress`, 'an IPv4 address such as 192.168.1.11');
      else {
        const known = subnets.find((s) => s.choice === network.subnet);
        const cidr = known ? parseCidr(known.cidr) : undefined;
        if (known && cidr?.ok && !sameSubnet(address, cidr.cidr.network, cidr.cidr.prefix))
          add(`${nat}.ipAddress`, `not in subnet ${known.name} (${known.cidr})`);
        else if (addresses.has(network.ipAddress))
          add(
            `${nat}.ipAddress`,
            `${network.ipAddress} is already used by ${addresses.get(network.ipAddress)}`,
          );
        else addresses.set(network.ipAddress, entry.hostname || `entry ${i + 1}`);
      }
    });

    if (entry.persistentDisks.length > 16) add(`${at}.persistentDisks`, 'at most 16 persistent disks');
    const mounts = new Set<string>();
    entry.persistentDisks.forEach((disk, d) => {
      const dat = `${at}.persistentDisks.${d}`;
      if (!Number.isInteger(disk.size) || disk.size < 10 || disk.size > 32768)
        add(`${dat}.size`, 'a whole number of GB from 10 to 32768');
      if (!disk.type) add(`${dat}.type`, 'choose the disk type');
      if (!disk.mountPath) add(`${dat}.mountPath`, 'the mount path is required, such as /var/cpaas');
      else if (!ABSOLUTE_PATH.test(disk.mountPath))
        add(`${dat}.mountPath`, 'an absolute path such as /var/cpaas');
      else if (mounts.has(disk.mountPath))
        add(`${dat}.mountPath`, `${disk.mountPath} is already a disk of this entry`);
      else mounts.add(disk.mountPath);
      if (disk.format && !(FILE_SYSTEMS as readonly string[]).includes(disk.format))
        add(`${dat}.format`, 'xfs or ext4');
    });
  });
  return problems;
}

function choiceOf(network: StoredNetwork): SubnetChoice {
  if (network.subnetId) return `id:${network.subnetId}`;
  const name = network.subnetName ?? network.subenetName;
  return name ? `name:${name}` : '';
}

/** The form's draft of a stored pool. */
export function poolDraftOf(name: string, spec: PoolSpec): PoolDraft {
  return {
    name,
    entries: spec.configs.map((entry) => ({
      hostname: entry.hostname,
      networks: entry.networks.map((network) => ({
        subnet: choiceOf(network),
        ipAddress: network.ipAddress,
      })),
      persistentDisks: [...(entry.persistentDisks ?? [])]
        .sort((a, b) => a.slot - b.slot)
        .map((disk) => ({
          size: disk.size,
          type: disk.type,
          mountPath: disk.mountPath ?? '',
          format: disk.format ?? '',
        })),
    })),
  };
}

/**
 * The spec of a valid draft. A NIC names its subnet as chosen (subnetName or
 * subnetId); a stored entry's deprecated `subenetName` is kept when it still
 * names the chosen subnet (the CRD wants both equal). Stored disks keep their
 * mount options; slots are the disks' order.
 */
export function poolSpecOf(draft: PoolDraft, stored?: PoolSpec): PoolSpec {
  return {
    configs: draft.entries.map((entry) => {
      const before = stored?.configs.find((c) => c.hostname === entry.hostname);
      return {
        hostname: entry.hostname,
        networks: entry.networks.map((network, n) => {
          const old = before?.networks[n];
          const [by, ...rest] = network.subnet.split(':');
          const value = rest.join(':');
          if (by === 'id') return { subnetId: value, ipAddress: network.ipAddress };
          return {
            subnetName: value,
            ...(old?.subenetName === value ? { subenetName: value } : {}),
            ipAddress: network.ipAddress,
          };
        }),
        ...(entry.persistentDisks.length > 0
          ? {
              persistentDisks: entry.persistentDisks.map((disk, slot) => {
                const old = before?.persistentDisks?.find((d) => d.slot === slot);
                return {
                  slot,
                  size: disk.size,
                  type: disk.type,
                  mountPath: disk.mountPath,
                  format: disk.format || 'xfs',
                  ...(old?.mountOptions ? { mountOptions: old.mountOptions } : {}),
                };
              }),
            }
          : {}),
      };
    }),
  };
}
