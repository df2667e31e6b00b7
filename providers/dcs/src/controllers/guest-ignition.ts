import type { BootstrapData } from '@immutable-infra/core';
import { type BootstrapTokenValues, substituteBootstrapTokens } from '@immutable-infra/provider-kit';
import { dnsServerList } from '@immutable-infra/provider-kit/kinds';
import type { DCSMachineObject } from '../api/dcs-machine.js';
import type { DcsVmDisk } from '../cloud/dcs-types.js';
import { persistentDiskSequence } from './persistent-disks.js';
import type { PoolEntry } from './pool-claims.js';

/**
 * What the guest of one DCS machine gets on top of its kubeadm bootstrap data, as the documentation
 * promises it: the template's data disks and the pool entry's persistent disks (e.g. /var/cpaas)
 * formatted when blank and mounted, the NICs addressed by NetworkManager keyfiles (their DNS servers
 * are what NetworkManager writes into resolv.conf), the hostname, and the provider's files (kubelet
 * serving certificate, encryption configuration). Pure: the machine controller gathers the inputs.
 */

/** A disk the guest formats (only when blank, unless `wipeFilesystem`) and mounts at boot. */
export interface GuestDisk {
  device: string;
  path: string;
  format: string;
  /** mkfs options. */
  options: string[];
  mountOptions: string[];
  wipeFilesystem: boolean;
}

/** One NIC's static IPv4 addressing, as a NetworkManager keyfile carries it. */
export interface GuestNic {
  interfaceName: string;
  ip: string;
  prefix: number;
  gateway?: string | undefined;
  dns: string[];
  /** The node's own NIC carries the default route; additional NICs get a higher metric. */
  routeMetric: number;
}

/** A file the provider writes; it takes the place of a bootstrap file at the same path unless `keepBootstrapFile`. */
export interface GuestFile {
  path: string;
  content: string;
  /** Octal, e.g. 0600. */
  mode: string;
  /** A file the user put in the bootstrap data (an inline encryption key) wins over this one. */
  keepBootstrapFile?: boolean;
}

/** A systemd unit the provider adds (e.g. the bootstrap VIP of a self-built VIP's first node). */
export interface GuestUnit {
  name: string;
  contents: string;
}

export interface GuestConfig {
  hostname?: string | undefined;
  disks: GuestDisk[];
  nics: GuestNic[];
  files: GuestFile[];
  units?: GuestUnit[];
  /**
   * Mount the OS's /home subvolume while Ignition runs, so the users it creates get their home
   * (and `sshAuthorizedKeys`): what Alauda OS (SLE Micro) needs; a KubeOS node fails with it.
   */
  homeSubvolume?: boolean;
  tokens: BootstrapTokenValues;
}

/** The Cluster annotation that says which OS family the VM template runs; `kubeos` has no /home subvolume. */
export const OS_FAMILY_ANNOTATION = 'cpaas.io/os-family';

/** Whether a cluster's nodes get the /home mount: every OS family but KubeOS (the annotation unset is Alauda OS). */
export const mountsHome = (annotations: Readonly<Record<string, string>> | undefined) =>
  annotations?.[OS_FAMILY_ANNOTATION]?.toLowerCase() !== 'kubeos';

/** SLE Micro keeps /home as a btrfs subvolume of the root filesystem, which Ignition does not mount by itself. */
const HOME_FILESYSTEM = {
  device: '/dev/disk/by-label/ROOT',
  format: 'btrfs',
  path: '/home',
  wipeFilesystem: false,
  mountOptions: ['subvol=/@/home'],
};

/** Where NetworkManager reads the keyfile of a connection. */
export const keyfilePath = (interfaceName: string) =>
  `/etc/NetworkManager/system-connections/${interfaceName}.nmconnection`;

/** Default file system of a disk with a path and no format (the CRD says ext4). */
const DEFAULT_FORMAT = 'ext4';

/** A prefix length from a mask written as 24 or 255.255.255.0; /24 when the entry gives none. */
export function prefixLength(mask: string | undefined): number {
  if (mask === undefined || mask === '') return 24;
  if (!mask.includes('.')) return Number(mask);
  return mask
    .split('.')
    .map((octet) => Number(octet).toString(2).replaceAll('0', '').length)
    .reduce((sum, bits) => sum + bits, 0);
}

/** The guest's name for a disk on bus `pciType` at `index` among the VM's disks on that bus (vda, vdb, ...). */
export function deviceName(pciType: string | undefined, index: number): string {
  const prefix = { SCSI: 'sd', IDE: 'hd' }[(pciType ?? 'VIRTIO').toUpperCase()] ?? 'vd';
  let letters = '';
  let n = index;
  do {
    letters = String.fromCharCode(97 + (n % 26)) + letters;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `/dev/${prefix}${letters}`;
}

/**
 * The template disks the clone creates, with the sequence number each gets (the system volume is 1,
 * the others 2, 3, ... in spec order), exactly as buildCloneRequest numbers them.
 */
export function templateDiskSequence(spec: Pick<DCSMachineObject['spec'], 'vmConfig'>): {
  sequenceNum: number;
  disk: NonNullable<NonNullable<DCSMachineObject['spec']['vmConfig']>['dcsMachineDiskSpec']>[number];
}[] {
  let sequence = 2;
  return (spec.vmConfig?.dcsMachineDiskSpec ?? []).map((disk) => ({
    sequenceNum: disk.systemVolume ? 1 : sequence++,
    disk,
  }));
}

/**
 * The disks to format and mount: the template's data disks with a `path`, then the entry's persistent
 * disks with a `path` (after the template's, see persistentDiskSequence). The guest names virtio disks in the order of their
 * sequence numbers on the VM, so each device is found by its rank among the disks the VM has on the
 * same bus (`vmDisks`, what DCS lists once the clone and the persistent attachments are done).
 */
export function guestDisks(
  spec: Pick<DCSMachineObject['spec'], 'vmConfig'>,
  entry: Pick<PoolEntry, 'persistentDisk'>,
  vmDisks: readonly Pick<DcsVmDisk, 'sequenceNum' | 'pciType'>[],
): GuestDisk[] {
  const busOf = (disk: Pick<DcsVmDisk, 'pciType'>) => (disk.pciType ?? 'VIRTIO').toUpperCase();
  const device = (sequenceNum: number, pciType: string | undefined): string => {
    const bus = (pciType ?? 'VIRTIO').toUpperCase();
    const sequences = new Set(
      vmDisks
        .filter((d) => busOf(d) === bus && d.sequenceNum !== undefined)
        .map((d) => Number(d.sequenceNum)),
    );
    sequences.add(sequenceNum);
    const rank = [...sequences].sort((a, b) => a - b).indexOf(sequenceNum);
    return deviceName(bus, rank);
  };
  const template = templateDiskSequence(spec).flatMap(({ sequenceNum, disk }) =>
    disk.path && !disk.systemVolume
      ? [
          {
            device: device(sequenceNum, vmDisks.find((d) => Number(d.sequenceNum) === sequenceNum)?.pciType),
            path: disk.path,
            format: disk.format || DEFAULT_FORMAT,
            options: disk.options ?? [],
            mountOptions: disk.mountOptions ?? [],
            wipeFilesystem: disk.wipeFilesystem ?? false,
          },
        ]
      : [],
  );
  const persistent = (entry.persistentDisk ?? []).flatMap((disk) =>
    disk.path
      ? [
          {
            device: device(persistentDiskSequence(spec, disk.slot), disk.pciType),
            path: disk.path,
            format: disk.format || DEFAULT_FORMAT,
            options: disk.options ?? [],
            mountOptions: disk.mountOptions ?? [],
            // A persistent disk outlives its VMs: what the last one wrote is kept.
            wipeFilesystem: false,
          },
        ]
      : [],
  );
  return [...template, ...persistent];
}

/** The NICs of a pool entry: the node's own first (eth0), then its additional NICs in order. */
export function guestNics(
  entry: Pick<PoolEntry, 'ip' | 'mask' | 'gateway' | 'dns' | 'additionNic'>,
): GuestNic[] {
  const nics = [entry, ...(entry.additionNic ?? [])];
  return nics.flatMap((nic, index) =>
    nic.ip
      ? [
          {
            interfaceName: `eth${index}`,
            ip: nic.ip,
            prefix: prefixLength(nic.mask),
            ...(nic.gateway ? { gateway: nic.gateway } : {}),
            dns: nic.dns ? dnsServerList(nic.dns) : [],
            routeMetric: 100 * (index + 1),
          },
        ]
      : [],
  );
}

/** A NetworkManager keyfile with the NIC's static address, gateway and DNS servers. */
export function networkManagerKeyfile(nic: GuestNic): string {
  return [
    '[connection]',
    `id=${nic.interfaceName}`,
    'type=ethernet',
    `interface-name=${nic.interfaceName}`,
    'autoconnect=true',
    '',
    '[ipv4]',
    'method=manual',
    `address1=${nic.ip}/${nic.prefix}${nic.gateway ? `,${nic.gateway}` : ''}`,
    ...(nic.dns.length > 0 ? [`dns=${nic.dns.join(';')};`, 'ignore-auto-dns=true'] : []),
    `route-metric=${nic.routeMetric}`,
    'may-fail=false',
    '',
    '[ipv6]',
    'method=disabled',
    '',
  ].join('\n');
}

/** systemd's name for the mount unit of a path (systemd-escape --path --suffix=mount). */
export function mountUnitName(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '').replace(/\/+/g, '/');
  const escaped = [...trimmed]
    .map((char, index) => {
      if (char === '/') return '-';
      if (/[A-Za-z0-9:_]/.test(char) || (char === '.' && index > 0)) return char;
      return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    })
    .join('');
  return `${escaped || '-'}.mount`;
}

function mountUnit(disk: GuestDisk): string {
  return [
    '[Unit]',
    `Description=Mount ${disk.path} (DCS data disk)`,
    'Before=local-fs.target',
    '',
    '[Mount]',
    `What=${disk.device}`,
    `Where=${disk.path}`,
    `Type=${disk.format}`,
    `Options=${disk.mountOptions.length > 0 ? disk.mountOptions.join(',') : 'defaults'}`,
    '',
    '[Install]',
    'RequiredBy=local-fs.target',
    '',
  ].join('\n');
}

interface IgnitionFile {
  path: string;
  filesystem?: string;
  mode?: number;
  overwrite?: boolean;
  contents?: { source?: string; compression?: string };
}

interface IgnitionConfig {
  ignition?: { version?: string };
  storage?: { files?: IgnitionFile[]; filesystems?: Record<string, unknown>[] };
  systemd?: { units?: { name: string; enabled?: boolean; contents?: string }[] };
}

const dataUrl = (content: string) => `data:;base64,${Buffer.from(content, 'utf8').toString('base64')}`;

/**
 * The Machine's Ignition with the tokens replaced (PROVIDER_ID, NODE_IP) and the guest configuration
 * added. Spec 3 filesystems carry their mount path and mount options; spec 2 (what the kubeadm
 * bootstrap provider's Container Linux Config gives) names each filesystem, and both get a systemd
 * mount unit so the disk is mounted on every boot, not only while Ignition runs.
 */
export function composeIgnition(data: BootstrapData, guest: GuestConfig): string {
  if (data.format !== 'ignition')
    throw new Error(
      `DCS VMs boot with Ignition from a CD-ROM; bootstrap data in format ${data.format} cannot be used: set format: ignition in the KubeadmConfig`,
    );
  const config = JSON.parse(substituteBootstrapTokens(data, guest.tokens).value) as IgnitionConfig;
  const spec2 = (config.ignition?.version ?? '3').startsWith('2.');
  config.storage ??= {};
  config.systemd ??= {};
  const existing = config.storage.files ?? [];

  const files: GuestFile[] = [
    ...guest.files,
    ...(guest.hostname ? [{ path: '/etc/hostname', content: `${guest.hostname}\n`, mode: '0644' }] : []),
    ...guest.nics.map((nic) => ({
      path: keyfilePath(nic.interfaceName),
      content: networkManagerKeyfile(nic),
      // NetworkManager ignores a keyfile others can read.
      mode: '0600',
    })),
  ];
  const kept = new Set(
    files.filter((f) => f.keepBootstrapFile && existing.some((e) => e.path === f.path)).map((f) => f.path),
  );
  const written = files.filter((f) => !kept.has(f.path));
  const replaced = new Set(written.map((f) => f.path));
  config.storage.files = [
    ...existing.filter((file) => !replaced.has(file.path)),
    ...written.map((file) => ({
      path: file.path,
      ...(spec2 ? { filesystem: 'root' } : { overwrite: true }),
      mode: Number.parseInt(file.mode, 8),
      contents: { source: dataUrl(file.content) },
    })),
  ];

  // Spec 2 (Container Linux) has no path on a filesystem: only spec 3 configs get the /home mount.
  const home = guest.homeSubvolume && !spec2 ? [HOME_FILESYSTEM] : [];
  const mountPaths = new Set([...guest.disks.map((d) => d.path), ...home.map((h) => h.path)]);
  config.storage.filesystems = [
    ...(config.storage.filesystems ?? []).filter((fs) => !mountPaths.has(String(fs.path ?? ''))),
    ...home,
    ...guest.disks.map((disk, index) =>
      spec2
        ? {
            name: `dcs-disk-${index}`,
            mount: {
              device: disk.device,
              format: disk.format,
              wipeFilesystem: disk.wipeFilesystem,
              ...(disk.options.length > 0 ? { options: disk.options } : {}),
            },
          }
        : {
            device: disk.device,
            format: disk.format,
            path: disk.path,
            wipeFilesystem: disk.wipeFilesystem,
            ...(disk.options.length > 0 ? { options: disk.options } : {}),
            ...(disk.mountOptions.length > 0 ? { mountOptions: disk.mountOptions } : {}),
          },
    ),
  ];
  if (config.storage.filesystems.length === 0) delete config.storage.filesystems;

  const units = [
    ...guest.disks.map((disk) => ({ name: mountUnitName(disk.path), contents: mountUnit(disk) })),
    ...(guest.units ?? []),
  ];
  const unitNames = new Set(units.map((u) => u.name));
  config.systemd.units = [
    ...(config.systemd.units ?? []).filter((unit) => !unitNames.has(unit.name)),
    ...units.map((unit) => ({ name: unit.name, enabled: true, contents: unit.contents })),
  ];
  return JSON.stringify(config);
}
