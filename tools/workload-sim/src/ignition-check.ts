import { bootstrapFiles } from './bootstrap-data.js';

/**
 * What a booting guest reads from an ISO 9660 CD-ROM (the way DCS delivers Ignition), and the checks
 * a test asks of the Ignition a node receives: the documented pieces must be there, or the boot fails
 * with the reason, as a real node would come up without its disks, network or certificates.
 */

const SECTOR = 2048;

interface DirectoryEntry {
  name: string;
  extent: number;
  size: number;
  directory: boolean;
}

function directoryEntries(iso: Buffer, extent: number, size: number): DirectoryEntry[] {
  const entries: DirectoryEntry[] = [];
  const end = extent * SECTOR + size;
  let offset = extent * SECTOR;
  while (offset < end) {
    const length = iso[offset] ?? 0;
    // Records do not cross sectors: a zero length pads to the next one.
    if (length === 0) {
      offset = (Math.floor(offset / SECTOR) + 1) * SECTOR;
      continue;
    }
    const nameLength = iso[offset + 32] ?? 0;
    const raw = iso.subarray(offset + 33, offset + 33 + nameLength);
    if (!(nameLength === 1 && (raw[0] === 0 || raw[0] === 1))) {
      entries.push({
        name: raw.toString('ascii').replace(/;\d+$/, '').replace(/\.$/, '').toLowerCase(),
        extent: iso.readUInt32LE(offset + 2),
        size: iso.readUInt32LE(offset + 10),
        directory: ((iso[offset + 25] ?? 0) & 0x02) !== 0,
      });
    }
    offset += length;
  }
  return entries;
}

/** A file of an ISO 9660 image by its path (`ignition/config.ign`), names compared as Linux shows them. */
export function readIsoFile(iso: Buffer, path: string): Buffer | undefined {
  const pvd = 16 * SECTOR;
  if (iso.length < pvd + SECTOR || iso[pvd] !== 1 || iso.toString('ascii', pvd + 1, pvd + 6) !== 'CD001')
    throw new Error('not an ISO 9660 image (no primary volume descriptor)');
  let current: DirectoryEntry = {
    name: '',
    extent: iso.readUInt32LE(pvd + 156 + 2),
    size: iso.readUInt32LE(pvd + 156 + 10),
    directory: true,
  };
  for (const part of path.toLowerCase().split('/').filter(Boolean)) {
    if (!current.directory) return undefined;
    const next = directoryEntries(iso, current.extent, current.size).find((entry) => entry.name === part);
    if (!next) return undefined;
    current = next;
  }
  return current.directory
    ? undefined
    : iso.subarray(current.extent * SECTOR, current.extent * SECTOR + current.size);
}

/** What a node's Ignition must do for it, as the platform's documentation promises. */
export interface GuestExpectation {
  /** Paths that must be a formatted disk mounted on every boot (an Ignition filesystem and a systemd mount unit). */
  mounts: string[];
  /** Files the node must get (the kubelet serving certificate, the encryption configuration, ...). */
  files: string[];
  /** Static addresses NetworkManager keyfiles must configure, with their gateway and DNS servers (resolv.conf). */
  nics: { ip: string; prefix?: number; gateway?: string | undefined; dns?: string[] }[];
  hostname?: string | undefined;
  /** Tokens that must have been replaced everywhere (PROVIDER_ID, NODE_IP). */
  tokens?: string[];
}

interface IgnitionConfig {
  ignition?: { version?: string };
  storage?: {
    files?: { path: string; mode?: number }[];
    filesystems?: {
      device?: string;
      format?: string;
      path?: string;
      mount?: { device?: string; format?: string };
    }[];
  };
  systemd?: { units?: { name: string; enabled?: boolean; contents?: string }[] };
}

const unitKey = (contents: string, key: string) =>
  new RegExp(`^${key}=(.*)$`, 'm').exec(contents)?.[1]?.trim();

/** Every documented piece the Ignition lacks, each said in a sentence; empty when it has them all. */
export function ignitionProblems(value: string, expected: GuestExpectation): string[] {
  let config: IgnitionConfig;
  try {
    config = JSON.parse(value) as IgnitionConfig;
  } catch {
    return ['the Ignition is not JSON'];
  }
  const problems: string[] = [];
  if (!config.ignition?.version) problems.push('the Ignition has no ignition.version');
  const files = bootstrapFiles(value, 'ignition');
  const filesystems = (config.storage?.filesystems ?? []).map((fs) => ({
    device: fs.device ?? fs.mount?.device,
    format: fs.format ?? fs.mount?.format,
    path: fs.path,
  }));
  const units = config.systemd?.units ?? [];

  for (const path of expected.mounts) {
    const unit = units.find((u) => u.contents && unitKey(u.contents, 'Where') === path);
    if (!unit?.contents || unit.enabled === false) {
      problems.push(`no enabled systemd mount unit mounts ${path} at boot`);
      continue;
    }
    const device = unitKey(unit.contents, 'What');
    const filesystem = filesystems.find((fs) => fs.device === device);
    if (!filesystem) problems.push(`${path} is mounted from ${device}, which no Ignition filesystem formats`);
    else if (filesystem.format !== unitKey(unit.contents, 'Type'))
      problems.push(
        `${path}: the filesystem is ${filesystem.format} but the mount unit says ${unitKey(unit.contents, 'Type')}`,
      );
  }

  for (const path of expected.files) if (!files.has(path)) problems.push(`no file ${path}`);

  const keyfiles = (config.storage?.files ?? []).filter((f) =>
    /^\/etc\/NetworkManager\/system-connections\/[^/]+\.nmconnection$/.test(f.path),
  );
  for (const nic of expected.nics) {
    const address = `address1=${nic.ip}/${nic.prefix ?? 24}${nic.gateway ? `,${nic.gateway}` : ''}`;
    const keyfile = keyfiles.find((f) => (files.get(f.path) ?? '').split('\n').includes(address));
    if (!keyfile) {
      problems.push(`no NetworkManager keyfile sets ${address}`);
      continue;
    }
    const content = files.get(keyfile.path) ?? '';
    if (!content.includes('method=manual')) problems.push(`${keyfile.path} does not set ipv4.method=manual`);
    // NetworkManager ignores a keyfile anyone but root may read.
    if (keyfile.mode !== 0o600)
      problems.push(`${keyfile.path} has mode ${keyfile.mode?.toString(8) ?? 'unset'}, not 0600`);
    const dns = unitKey(content, 'dns')?.split(';').filter(Boolean) ?? [];
    for (const server of nic.dns ?? [])
      if (!dns.includes(server))
        problems.push(`${keyfile.path} does not give DNS server ${server} (resolv.conf)`);
  }

  if (expected.hostname !== undefined && files.get('/etc/hostname')?.trim() !== expected.hostname)
    problems.push(`/etc/hostname is not ${expected.hostname}`);

  const tokens = expected.tokens ?? [];
  if (tokens.length > 0) {
    const pattern = new RegExp(`\\b(${tokens.join('|')})\\b`);
    for (const [path, content] of files) {
      const found = pattern.exec(content)?.[1];
      if (found) problems.push(`${path} still holds the token ${found}`);
    }
  }
  return problems;
}
