import type { BootstrapData } from '@immutable-infra/core';
import { parse, stringify } from 'yaml';
import { type BootstrapTokenValues, substituteBootstrapTokens } from './bootstrap-tokens.js';

/** A disk the guest formats (if new) and mounts. */
export interface GuestDisk {
  device: string;
  mountPath: string;
  format: string;
  mountOptions: string[];
  /**
   * Make a new file system on the first boot of each new server, whatever the disk holds (a slot's
   * `wipeFilesystem`); a reboot of the same server keeps it (cloud-init runs fs_setup once per instance).
   */
  wipe?: boolean | undefined;
}

/** A file the provider writes, taking the place of any bootstrap file at the same path. */
export interface GuestFile {
  path: string;
  content: string;
  permissions: string;
}

export interface CloudInitInput {
  hostname: string | undefined;
  disks: GuestDisk[];
  /** PROVIDER_ID and NODE_IP; NODE_IP is undefined (the token left alone) when the platform chooses the address. */
  tokens: BootstrapTokenValues;
  files?: GuestFile[];
  /**
   * Commands that run before the bootstrap data's own `runcmd` (kubeadm): cloud-init runs them all
   * as one script, so one that exits stops kubeadm (e.g. the first node's bootstrap VIP).
   */
  runFirst?: string[];
}

/** How long first boot waits for a disk attached right after the server became ACTIVE. */
const DISK_WAIT_SECONDS = 600;

/**
 * A server's cloud-init user data: the Machine's cloud-config with PROVIDER_ID and NODE_IP replaced, the
 * hostname (a dotted one as `fqdn` with its first label as `hostname`, and /etc/hosts managed so
 * `hostname -f` resolves), and the data and persistent disks formatted only when blank and mounted.
 */
export function composeCloudInit(data: BootstrapData, input: CloudInitInput): string {
  if (data.format !== 'cloud-config')
    throw new Error(
      `these servers boot with cloud-init; bootstrap data in format ${data.format} cannot be used`,
    );
  const lines = substituteBootstrapTokens(data, input.tokens).value.split('\n');
  const header: string[] = [];
  while (lines.length > 0 && (lines[0]?.startsWith('#') || lines[0]?.trim() === ''))
    header.push(lines.shift() as string);
  if (!header.some((line) => line.startsWith('#cloud-config'))) header.push('#cloud-config');
  const config = (parse(lines.join('\n')) ?? {}) as Record<string, unknown>;
  if (input.hostname) {
    const [short] = input.hostname.split('.');
    config.hostname = short;
    if (input.hostname.includes('.')) config.fqdn = input.hostname;
    config.prefer_fqdn_over_hostname = false;
    config.manage_etc_hosts = true;
  }
  if (input.files?.length) {
    const paths = new Set(input.files.map((f) => f.path));
    const existing = ((config.write_files as { path?: string }[] | undefined) ?? []).filter(
      (file) => !paths.has(file.path ?? ''),
    );
    config.write_files = [
      ...existing,
      ...input.files.map((f) => ({
        path: f.path,
        owner: 'root:root',
        permissions: f.permissions,
        content: f.content,
      })),
    ];
  }
  if (input.runFirst?.length) {
    config.runcmd = [...input.runFirst, ...((config.runcmd as unknown[] | undefined) ?? [])];
  }
  if (input.disks.length > 0) {
    const devices = input.disks.map((d) => d.device).join(' ');
    config.bootcmd = [
      ...((config.bootcmd as unknown[] | undefined) ?? []),
      `for d in ${devices}; do i=0; while [ ! -b "$d" ] && [ $i -lt ${DISK_WAIT_SECONDS} ]; do sleep 1; i=$((i+1)); done; done`,
    ];
    config.fs_setup = [
      ...((config.fs_setup as unknown[] | undefined) ?? []),
      // overwrite false: a persistent disk carried from the old server keeps its file system.
      ...input.disks.map((d) => ({ device: d.device, filesystem: d.format, overwrite: d.wipe === true })),
    ];
    config.mounts = [
      ...((config.mounts as unknown[] | undefined) ?? []),
      ...input.disks.map((d) => [
        d.device,
        d.mountPath,
        d.format,
        [...d.mountOptions, 'nofail'].join(','),
        '0',
        '2',
      ]),
    ];
  }
  return `${header.join('\n')}\n${stringify(config)}`;
}
