import type { FieldProblem } from '@immutable-infra/core';
import { credentialNameProblems, duplicateProblems, parseIpv4, sameSubnet } from '@immutable-infra/ui-kit';
import { DNS1123_SUBDOMAIN } from '../../api/common.js';
import {
  type VSphereMachineConfigPoolObject,
  VSphereMachineConfigPoolSpec,
} from '../../api/vsphere-machine-config-pool.js';

type PoolSpec = VSphereMachineConfigPoolObject['spec'];
type Slot = PoolSpec['configs'][number];
type SlotNic = NonNullable<Slot['network']>['primary'];
type SlotDisk = NonNullable<Slot['persistentDisks']>[number];
type SlotStatus = NonNullable<
  NonNullable<VSphereMachineConfigPoolObject['status']>['configStatuses']
>[number];

/** A further NIC of a slot as the form edits it (the primary's fields, plus its guest interface name). */
export interface NicDraft {
  networkName: string;
  /** Interface name in the guest; empty: by NIC order. */
  deviceName: string;
  /** `10.10.20.11/24`, or empty (no static address). */
  ip: string;
  gateway: string;
  /** DNS servers, comma or space separated. */
  dns: string;
}

/** A persistent disk of a slot as the form edits it. */
export interface DiskDraft {
  name: string;
  /** NaN when empty. */
  sizeGiB: number;
  mountPath: string;
  fsFormat: string;
  datastore: string;
  /** SCSI unit; NaN when empty. */
  unitNumber: number;
  wipeFilesystem: boolean;
}

/** One slot as the form edits it: the node's name and its primary NIC (network and static address). */
export interface SlotDraft {
  hostname: string;
  networkName: string;
  /** `10.10.10.11/24`: the address with its prefix length. */
  ip: string;
  gateway: string;
  /** DNS servers, comma or space separated. */
  dns: string;
  /** Further NICs, attached after the first in order. */
  nics: NicDraft[];
  disks: DiskDraft[];
}

export interface PoolDraft {
  name: string;
  /** The Cluster whose VSphereCluster gives the vCenter and its credential. */
  clusterName: string;
  datacenter: string;
  /** NaN when empty: 24 hours. */
  releaseDelayHours: number;
  slots: SlotDraft[];
}

export const emptySlot = (): SlotDraft => ({
  hostname: '',
  networkName: '',
  ip: '',
  gateway: '',
  dns: '',
  nics: [],
  disks: [],
});

export const emptyNic = (): NicDraft => ({ networkName: '', deviceName: '', ip: '', gateway: '', dns: '' });

export const emptyDisk = (): DiskDraft => ({
  name: '',
  sizeGiB: Number.NaN,
  mountPath: '',
  fsFormat: '',
  datastore: '',
  unitNumber: Number.NaN,
  wipeFilesystem: false,
});

const dnsList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** `text` set: the field with it; empty: the field gone (what the form cleared is not kept from before). */
function setOrDrop<T extends object, K extends keyof T>(object: T, key: K, value: T[K] | undefined): void {
  if (value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value)))
    delete object[key];
  else object[key] = value;
}

/** A NIC's fields over what was stored for it (fields the form does not show, e.g. its IPv6 address, stay). */
function nicOf(draft: Omit<NicDraft, 'deviceName'> & { deviceName?: string }, kept?: SlotNic): SlotNic {
  const nic = { ...(kept ?? {}), networkName: draft.networkName } as SlotNic;
  if (draft.deviceName !== undefined) setOrDrop(nic, 'deviceName', draft.deviceName);
  setOrDrop(nic, 'ip', draft.ip);
  setOrDrop(nic, 'gateway', draft.gateway);
  setOrDrop(nic, 'dns', draft.dns ? dnsList(draft.dns) : undefined);
  return nic;
}

/** A disk's fields over the stored disk of the same name, so its written UUID and path stay with it. */
function diskOf(draft: DiskDraft, kept?: SlotDisk): SlotDisk {
  const disk = { ...(kept ?? {}), name: draft.name, sizeGiB: draft.sizeGiB } as SlotDisk;
  setOrDrop(disk, 'mountPath', draft.mountPath);
  setOrDrop(disk, 'fsFormat', draft.fsFormat);
  setOrDrop(disk, 'datastore', draft.datastore);
  setOrDrop(disk, 'unitNumber', draft.unitNumber);
  setOrDrop(disk, 'wipeFilesystem', draft.wipeFilesystem ? true : undefined);
  return disk;
}

/**
 * The pool's spec: the form's fields over the stored spec, so what the form
 * does not show stays: a slot's other fields with the slot of the same
 * hostname, a NIC's with the NIC at the same place, a disk's (its written
 * UUID and volume path, mount options, storage policy) with the disk of the
 * same name.
 */
export function poolSpecOf(draft: PoolDraft, stored?: PoolSpec): PoolSpec {
  const before = new Map((stored?.configs ?? []).map((slot) => [slot.hostname, slot]));
  const configs = draft.slots.map((slot): Slot => {
    const kept = before.get(slot.hostname);
    const primary = nicOf(slot, kept?.network?.primary);
    const additional = slot.nics.map((nic, j) => nicOf(nic, kept?.network?.additional?.[j]));
    const network: NonNullable<Slot['network']> = { ...(kept?.network ?? {}), primary };
    setOrDrop(network, 'additional', additional.length > 0 ? additional : undefined);
    const keptDisks = new Map((kept?.persistentDisks ?? []).map((disk) => [disk.name, disk]));
    const result: Slot = { ...(kept ?? {}), hostname: slot.hostname, network };
    setOrDrop(
      result,
      'persistentDisks',
      slot.disks.length > 0 ? slot.disks.map((disk) => diskOf(disk, keptDisks.get(disk.name))) : undefined,
    );
    return result;
  });
  return {
    ...(stored ?? {}),
    clusterRef: { ...(stored?.clusterRef ?? {}), name: draft.clusterName },
    ...(draft.datacenter ? { datacenter: draft.datacenter } : {}),
    ...(Number.isNaN(draft.releaseDelayHours) ? {} : { releaseDelayHours: draft.releaseDelayHours }),
    configs,
  } as PoolSpec;
}

/** A stored pool back as the form's draft. */
export function poolDraftOf(name: string, spec: Partial<PoolSpec>): PoolDraft {
  return {
    name,
    clusterName: spec.clusterRef?.name ?? '',
    datacenter: spec.datacenter ?? '',
    releaseDelayHours: spec.releaseDelayHours ?? Number.NaN,
    slots: (spec.configs ?? []).map((slot) => {
      const primary = slot.network?.primary;
      return {
        hostname: slot.hostname,
        networkName: primary?.networkName ?? '',
        ip: primary?.ip ?? '',
        gateway: primary?.gateway ?? '',
        dns: (primary?.dns ?? []).join(', '),
        nics: (slot.network?.additional ?? []).map((nic) => ({
          networkName: nic.networkName,
          deviceName: nic.deviceName ?? '',
          ip: nic.ip ?? '',
          gateway: nic.gateway ?? '',
          dns: (nic.dns ?? []).join(', '),
        })),
        disks: (slot.persistentDisks ?? []).map((disk) => ({
          name: disk.name,
          sizeGiB: disk.sizeGiB,
          mountPath: disk.mountPath ?? '',
          fsFormat: disk.fsFormat ?? '',
          datastore: disk.datastore ?? '',
          unitNumber: disk.unitNumber ?? Number.NaN,
          wipeFilesystem: disk.wipeFilesystem ?? false,
        })),
      };
    }),
  };
}

/** `10.10.10.11/24` as its address and prefix length, or undefined. */
function addressWithPrefix(text: string): { address: number; prefix: number } | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const address = match?.[1] === undefined ? undefined : parseIpv4(match[1]);
  const prefix = Number(match?.[2]);
  return address === undefined || !(prefix >= 0 && prefix <= 32) ? undefined : { address, prefix };
}

type Add = (field: string, message: string) => void;

/** The words of a NIC's rules: the first NIC is "the node’s", a further one "this NIC". */
interface NicWords {
  network: string;
  gatewayNeedsIp: string;
}

/** A NIC's rules (its fields at `at(field)`): a network, an address with its prefix inside its network, a gateway in it, DNS servers. */
function nicProblems(
  nic: Omit<NicDraft, 'deviceName'>,
  at: (field: string) => string,
  words: NicWords,
  add: Add,
) {
  if (!nic.networkName) add(at('networkName'), words.network);
  const ip = nic.ip ? addressWithPrefix(nic.ip) : undefined;
  if (nic.ip && !ip) add(at('ip'), 'an IPv4 address with its prefix length, e.g. 10.10.10.11/24');
  else if (ip && ip.prefix < 31) {
    // The network's own address and its broadcast address are no host's.
    const host = ip.address - networkBase(ip.address, ip.prefix);
    if (host === 0) add(at('ip'), `${nic.ip} is the network’s own address, not a host in it`);
    else if (host === 2 ** (32 - ip.prefix) - 1)
      add(at('ip'), `${nic.ip} is the network’s broadcast address`);
  }
  if (nic.gateway) {
    const gateway = parseIpv4(nic.gateway);
    if (gateway === undefined) add(at('gateway'), 'an IPv4 address');
    else if (!nic.ip) add(at('gateway'), words.gatewayNeedsIp);
    else if (ip && !sameSubnet(gateway, ip.address, ip.prefix))
      add(at('gateway'), `not in the network of ${nic.ip}`);
  }
  const dns = dnsList(nic.dns);
  if (dns.some((server) => parseIpv4(server) === undefined))
    add(at('dns'), 'IPv4 addresses, comma separated');
  else if (dns.length > 3) add(at('dns'), 'at most 3 DNS servers');
}

function networkBase(address: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) * size;
}

const DEVICE_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;
const DISK_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_ADDITIONAL_NICS = 9;
const MAX_DISKS = 16;

/** A slot's persistent disks' rules, each at `slots.N.disks.M.field`. */
function diskProblems(disks: readonly DiskDraft[], at: (field: string) => string, add: Add) {
  if (disks.length > MAX_DISKS) add(at('disks'), `at most ${MAX_DISKS} persistent disks per slot`);
  disks.forEach((disk, j) => {
    const field = (name: string) => at(`disks.${j}.${name}`);
    if (!disk.name) add(field('name'), 'the disk name is required');
    else if (!DISK_NAME.test(disk.name) || disk.name.length > 63)
      add(field('name'), 'letters, digits, -, _ and . (at most 63), e.g. var-lib-etcd');
    if (Number.isNaN(disk.sizeGiB)) add(field('sizeGiB'), 'the size in GiB is required');
    else if (!(Number.isInteger(disk.sizeGiB) && disk.sizeGiB >= 1 && disk.sizeGiB <= 2 ** 31 - 1))
      add(field('sizeGiB'), 'a whole number of GiB, 1 or more');
    if (disk.mountPath && !(/^\/\S*$/.test(disk.mountPath) && disk.mountPath.length <= 128))
      add(field('mountPath'), 'an absolute path, e.g. /var/lib/etcd');
    if (!Number.isNaN(disk.unitNumber)) {
      if (!(Number.isInteger(disk.unitNumber) && disk.unitNumber >= 0 && disk.unitNumber <= 15))
        add(field('unitNumber'), 'a SCSI unit from 0 to 15');
      else if (disk.unitNumber === 7) add(field('unitNumber'), 'unit 7 is the SCSI controller’s');
    }
  });
  const duplicates = [
    ...duplicateProblems(
      disks,
      (d) => d.name,
      (j) => at(`disks.${j}.name`),
      (v) => `${v} is already a disk of this slot`,
    ),
    ...duplicateProblems(
      disks,
      (d) => d.mountPath,
      (j) => at(`disks.${j}.mountPath`),
      (v) => `another disk of this slot mounts at ${v}`,
    ),
    ...duplicateProblems(
      disks,
      (d) => (Number.isNaN(d.unitNumber) ? undefined : String(d.unitNumber)),
      (j) => at(`disks.${j}.unitNumber`),
      (v) => `another disk of this slot is SCSI unit ${v}`,
    ),
  ];
  for (const problem of duplicates) add(problem.field, problem.message);
}

/**
 * The pool's rules, each problem at its field (`slots.2.gateway`,
 * `slots.0.nics.1.networkName`, `slots.0.disks.0.sizeGiB`): a name, a
 * cluster, at least one slot, unique DNS-1123 hostnames; per NIC a network,
 * a host address with its prefix length, a gateway inside that network, at
 * most three DNS servers, and no address twice in the pool; per disk a name
 * unique in its slot, a size, an absolute mount path and a SCSI unit each
 * used once. Then whatever else the VSphereMachineConfigPool schema refuses.
 */
export function validatePool(draft: PoolDraft, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = creating ? credentialNameProblems(draft.name) : [];
  const add: Add = (field, message) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message });
  };
  if (!draft.clusterName) add('clusterName', 'the Cluster whose vCenter the slots are in is required');
  if (
    !Number.isNaN(draft.releaseDelayHours) &&
    !(Number.isInteger(draft.releaseDelayHours) && draft.releaseDelayHours >= 0)
  )
    add('releaseDelayHours', 'a whole number of hours, 0 or more (empty: 24)');
  if (draft.slots.length === 0) add('slots', 'a pool needs at least one slot');
  const seen = new Set<string>();
  /** Who has each address already: a node's two NICs, or two nodes, cannot share one. */
  const addresses = new Map<string, string>();
  const claim = (ip: string, field: string, owner: string) => {
    const address = ip.split('/')[0] ?? ip;
    if (!ip || parseIpv4(address) === undefined) return;
    const holder = addresses.get(address);
    if (holder) add(field, `${address} is already the address of ${holder}`);
    else addresses.set(address, owner);
  };
  draft.slots.forEach((slot, i) => {
    const at = (field: string) => `slots.${i}.${field}`;
    if (!slot.hostname) add(at('hostname'), 'the hostname is required');
    else if (!DNS1123_SUBDOMAIN.test(slot.hostname) || slot.hostname.length > 253)
      add(at('hostname'), 'lowercase letters, digits and hyphens in dot-separated labels (DNS-1123)');
    else if (seen.has(slot.hostname)) add(at('hostname'), `${slot.hostname} is already a slot of this pool`);
    seen.add(slot.hostname);
    const node = slot.hostname || `slot ${i + 1}`;
    nicProblems(
      slot,
      at,
      {
        network: 'choose the network of the node’s first NIC',
        gatewayNeedsIp: 'a gateway needs the slot’s address',
      },
      add,
    );
    claim(slot.ip, at('ip'), `${node}’s first NIC`);
    if (slot.nics.length > MAX_ADDITIONAL_NICS)
      add(at('nics'), `at most ${MAX_ADDITIONAL_NICS} further NICs per slot`);
    slot.nics.forEach((nic, j) => {
      const nicAt = (field: string) => at(`nics.${j}.${field}`);
      nicProblems(
        nic,
        nicAt,
        { network: 'choose the network of this NIC', gatewayNeedsIp: 'a gateway needs this NIC’s address' },
        add,
      );
      if (nic.deviceName && !(DEVICE_NAME.test(nic.deviceName) && nic.deviceName.length <= 15))
        add(nicAt('deviceName'), 'a Linux interface name of at most 15 characters, e.g. eth1 or ens224');
      claim(nic.ip, nicAt('ip'), `${node}’s NIC ${j + 2}`);
    });
    for (const problem of duplicateProblems(
      slot.nics,
      (nic) => nic.deviceName,
      (j) => at(`nics.${j}.deviceName`),
      (name) => `another NIC of this slot is ${name}`,
    ))
      add(problem.field, problem.message);
    diskProblems(slot.disks, at, add);
  });
  if (problems.length > 0) return problems;
  const parsed = VSphereMachineConfigPoolSpec.safeParse(poolSpecOf(draft));
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      add(formFieldOf(issue.path.join('.')) || '(form)', issue.message);
  return problems;
}

/** The form's field for a path of the schema: configs.N.network.primary.X is slots.N.X, and so on. */
function formFieldOf(path: string): string {
  return path
    .replace(/^configs\.(\d+)\.network\.primary\./, 'slots.$1.')
    .replace(/^configs\.(\d+)\.network\.additional/, 'slots.$1.nics')
    .replace(/^configs\.(\d+)\.persistentDisks/, 'slots.$1.disks')
    .replace(/^configs/, 'slots');
}

/** Where a persistent disk is in its lifecycle, as the pool's status tells it. */
export interface DiskLifecycle {
  /** `New` (not made yet), `InUse`, `Released`, `Kept`, `Reclaiming`, `ReclaimFailed`. */
  state: 'New' | 'InUse' | 'Released' | 'Kept' | 'Reclaiming' | 'ReclaimFailed';
  text: string;
}

/**
 * A stored disk's lifecycle (InUse -> Released -> reused by the next machine
 * taking the slot, or reclaimed): from its written volume path and its slot's
 * status. Shown read-only next to the disk; the controllers alone move it.
 */
export function diskLifecycle(disk: SlotDisk, slot: SlotStatus | undefined): DiskLifecycle {
  if (!disk.volumePath && !disk.diskUUID)
    return { state: 'New', text: 'Not made yet: made when a machine first takes the slot' };
  const reclaim = slot?.reclaimStatus;
  if (reclaim?.volumePath && reclaim.volumePath === disk.volumePath) {
    if (reclaim.state === 'Running')
      return { state: 'Reclaiming', text: 'Reclaiming: vCenter is deleting it' };
    if (reclaim.state === 'Failed')
      return {
        state: 'ReclaimFailed',
        text: `Reclaim failed${reclaim.lastError ? `: ${reclaim.lastError}` : ''}${reclaim.retryAfter ? ` (retried after ${reclaim.retryAfter})` : ''}`,
      };
  }
  const reuse = disk.wipeFilesystem ? 'wiped on its first boot' : 'with its data';
  if (slot?.state === 'InUse')
    return { state: 'InUse', text: `InUse by ${slot.machineRef?.name ?? 'a machine'}` };
  if (slot?.state === 'Released')
    return {
      state: 'Released',
      text: `Released${slot.lastReleasedTime ? ` at ${slot.lastReleasedTime}` : ''}: the next machine taking the slot reattaches it ${reuse}, unless it is reclaimed`,
    };
  return { state: 'Kept', text: `Kept: the next machine taking the slot reattaches it ${reuse}` };
}
