import type { BootstrapData } from '@immutable-infra/core';
import { type BootstrapTokenValues, substituteBootstrapTokens } from './bootstrap-tokens.js';

/**
 * What a guest that boots with Ignition gets on top of its kubeadm bootstrap data, as the
 * documentation promises it for a VM: data and persistent disks formatted when blank and mounted on
 * every boot, the NICs addressed by NetworkManager keyfiles (their DNS servers are what
 * NetworkManager writes into resolv.conf), the hostname, the provider's files and units, and Alauda
 * OS's /home subvolume. Pure: a provider's machine steps gather the inputs from their own spec.
 */

/** A disk the guest formats (only when blank, unless `wipeFilesystem`) and mounts at boot. */
export interface IgnitionDisk {
  device: string;
  path: string;
  format: string;
  /** mkfs options. */
  options: string[];
  mountOptions: string[];
  wipeFilesystem: boolean;
}

/** One NIC's static IPv4 addressing, as a NetworkManager keyfile carries it. */
export interface IgnitionNic {
  interfaceName: string;
  ip: string;
  prefix: number;
  gateway?: string | undefined;
  dns: string[];
  /** The node's own NIC carries the default route; additional NICs get a higher metric. */
  routeMetric: number;
}

/** A file the provider writes; it takes the place of a bootstrap file at the same path unless `keepBootstrapFile`. */
export interface IgnitionFile {
  path: string;
  content: string;
  /** Octal, e.g. 0600. */
  mode: string;
  /** A file the user put in the bootstrap data (an inline encryption key) wins over this one. */
  keepBootstrapFile?: boolean;
}

/** A systemd unit the provider adds (e.g. the bootstrap VIP of a self-built VIP's first node). */
export interface IgnitionUnit {
  name: string;
  contents: string;
}

export interface IgnitionGuest {
  hostname?: string | undefined;
  disks: IgnitionDisk[];
  nics: IgnitionNic[];
  files: IgnitionFile[];
  units?: IgnitionUnit[];
  /**
   * Mount the OS's /home subvolume while Ignition runs, so the users it creates get their home
   * (and `sshAuthorizedKeys`): what Alauda OS (SLE Micro) needs; a KubeOS node fails with it.
   */
  homeSubvolume?: boolean;
  tokens: BootstrapTokenValues;
  /** How the platform's machines boot, for the refusal of other bootstrap formats (e.g. "DCS VMs boot with Ignition from a CD-ROM"). */
  bootsWith?: string;
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

/** A prefix length from a mask written as 24 or 255.255.255.0; /24 when the entry gives none. */
export function prefixLength(mask: string | undefined): number {
  if (mask === undefined || mask === '') return 24;
  if (!mask.includes('.')) return Number(mask);
  return mask
    .split('.')
    .map((octet) => Number(octet).toString(2).replaceAll('0', '').length)
    .reduce((sum, bits) => sum + bits, 0);
}

/** A NetworkManager keyfile with the NIC's static address, gateway and DNS servers. */
export function networkManagerKeyfile(nic: IgnitionNic): string {
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

function mountUnit(disk: IgnitionDisk): string {
  return [
    '[Unit]',
    `Description=Mount ${disk.path} (data disk)`,
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

interface IgnitionStorageFile {
  path: string;
  filesystem?: string;
  mode?: number;
  overwrite?: boolean;
  contents?: { source?: string; compression?: string };
}

interface IgnitionConfig {
  ignition?: { version?: string };
  storage?: { files?: IgnitionStorageFile[]; filesystems?: Record<string, unknown>[] };
  systemd?: { units?: { name: string; enabled?: boolean; contents?: string }[] };
}

const dataUrl = (content: string) => `data:;base64,${Buffer.from(content, 'utf8').toString('base64')}`;

/**
 * The Machine's Ignition with the tokens replaced (PROVIDER_ID, NODE_IP) and the guest configuration
 * added. Spec 3 filesystems carry their mount path and mount options; spec 2 (what the kubeadm
 * bootstrap provider's Container Linux Config gives) names each filesystem, and both get a systemd
 * mount unit so the disk is mounted on every boot, not only while Ignition runs.
 */
export function composeIgnition(data: BootstrapData, guest: IgnitionGuest): string {
  if (data.format !== 'ignition')
    throw new Error(
      `${guest.bootsWith ?? 'these machines boot with Ignition'}; bootstrap data in format ${data.format} cannot be used: set format: ignition in the KubeadmConfig`,
    );
  const config = JSON.parse(substituteBootstrapTokens(data, guest.tokens).value) as IgnitionConfig;
  const spec2 = (config.ignition?.version ?? '3').startsWith('2.');
  config.storage ??= {};
  config.systemd ??= {};
  const existing = config.storage.files ?? [];

  const files: IgnitionFile[] = [
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
            name: `data-disk-${index}`,
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
  mergeUnits(config, units);
  return JSON.stringify(config);
}

/** The units added, enabled, in place of any of the same name. */
function mergeUnits(config: IgnitionConfig, units: readonly IgnitionUnit[]): void {
  config.systemd ??= {};
  const unitNames = new Set(units.map((u) => u.name));
  config.systemd.units = [
    ...(config.systemd.units ?? []).filter((unit) => !unitNames.has(unit.name)),
    ...units.map((unit) => ({ name: unit.name, enabled: true, contents: unit.contents })),
  ];
}

/**
 * Ignition bootstrap data with systemd units added (enabled), for a platform that passes the rest
 * of the Ignition through as it is (e.g. the first node's bootstrap VIP); other data unchanged.
 */
export function withIgnitionUnits(data: BootstrapData, units: readonly IgnitionUnit[]): BootstrapData {
  if (data.format !== 'ignition' || units.length === 0) return data;
  const config = JSON.parse(data.value) as IgnitionConfig;
  mergeUnits(config, units);
  return { format: data.format, value: JSON.stringify(config) };
}
