import { createHash } from 'node:crypto';
import type { KubeClient } from '@immutable-infra/core';
import {
  clonedFromTemplate,
  type DeclaredDisk,
  type ObservedVolume,
  observeVolumes,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSMachineTemplateObject } from '../api/dcs-machine-template.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import type { DcsVm, DcsVmDisk, DcsVolume } from '../cloud/dcs-types.js';
import type { PoolEntry } from './pool-claims.js';

/** What decides where persistent disks sit on a VM: the data disks of a machine template's disk list. */
export interface DiskLayout {
  vmConfig?:
    | {
        dcsMachineDiskSpec?:
          | readonly { systemVolume?: boolean | undefined; [field: string]: unknown }[]
          | undefined;
      }
    | undefined;
}

/**
 * The sequence number of a persistent disk on the VM: right after the template's disks (the system
 * volume is 1, the template's data disks 2, 3, ...), so slot 0 of a template with two data disks is 4.
 * It is the documentation's claim formula read backwards (slot = sequenceNum - 1 - data disks - 1),
 * which is how a disk a legacy template made at the tail of an old VM is found again in its slot.
 */
export function persistentDiskSequence(spec: DiskLayout, slot: number): number {
  return 1 + templateDataDisks(spec) + 1 + slot;
}

const templateDataDisks = (spec: DiskLayout) =>
  (spec.vmConfig?.dcsMachineDiskSpec ?? []).filter((disk) => !disk.systemVolume).length;

/**
 * The layout a machine's persistent disks follow: its DCSMachineTemplate as it is now, else its own
 * spec. The documented migration edits the template in place (same name) so that it no longer lists
 * the disks the pool takes over, and counts the data disks of that new template in its claim formula;
 * a machine cloned before the edit still carries the old list in its spec, so only the template
 * says where that machine's legacy disks are to be claimed.
 */
export async function diskLayoutOf(
  kube: KubeClient,
  machine: {
    metadata: { namespace?: string | undefined; annotations?: Record<string, string> | undefined };
    spec: DiskLayout;
  },
): Promise<DiskLayout> {
  const template = await clonedFromTemplate<DCSMachineTemplateObject>(kube, machine, {
    apiVersion: DCS_API_VERSION,
    kind: 'DCSMachineTemplate',
  });
  return template?.spec.template.spec ?? machine.spec;
}

/** One declared disk the documented migration takes from a legacy VM, or why it cannot. */
export type LegacyDisk =
  | { disk: DeclaredDisk; sequenceNum: number; volumeUrn: string; problem?: undefined }
  | { disk: DeclaredDisk; sequenceNum: number; volumeUrn?: string | undefined; problem: string };

/**
 * The documented migration of a cluster made before persistent disks: a declared disk with no volume
 * of its name yet is the disk the entry's VM already has at the disk's sequence number (its VM
 * template's, or a volume attached by hand), to be claimed, never created anew. Applies only to a
 * legacy VM, one with a disk past its template's that no declared disk owns: a VM this provider
 * cloned for the entry has only the template's disks and the entry's named volumes, so its missing
 * volumes are created as usual. A disk that is not there, or differs from its declaration (the
 * strict claim match: size, datastore or datastore cluster, bus), is a problem naming what differs.
 */
export async function legacyDisks(
  cloud: DcsCloud,
  entry: PoolEntry,
  disks: readonly DeclaredDisk[],
  named: ReadonlyMap<string, ObservedVolume>,
  vm: DcsVm,
  layout: DiskLayout,
): Promise<LegacyDisk[]> {
  const owned = new Set([...named.values()].map((volume) => volume.id));
  const vmDisks = (vm.vmConfig?.disks ?? []).filter((disk) => disk.sequenceNum !== undefined);
  const first = persistentDiskSequence(layout, 0);
  const tail = vmDisks
    .filter((disk) => Number(disk.sequenceNum) >= first && !(disk.volumeUrn && owned.has(disk.volumeUrn)))
    .sort((a, b) => Number(a.sequenceNum) - Number(b.sequenceNum));
  if (tail.length === 0) return [];
  const found: LegacyDisk[] = [];
  for (const disk of disks) {
    if (named.has(disk.name)) continue;
    const declared = entry.persistentDisk?.find((candidate) => candidate.slot === disk.slot);
    if (!declared) continue;
    const sequenceNum = persistentDiskSequence(layout, disk.slot);
    const where = `persistent disk ${disk.entryKey}/${disk.slot} (sequenceNum ${sequenceNum} on VM ${vm.name})`;
    const onVm = tail.find((candidate) => Number(candidate.sequenceNum) === sequenceNum);
    if (!onVm?.volumeUrn) {
      const taken = vmDisks.find((candidate) => Number(candidate.sequenceNum) === sequenceNum)?.volumeUrn;
      const other = taken && [...named].find(([, volume]) => volume.id === taken)?.[0];
      const there = other
        ? `the disk there is already volume ${other} of another declared slot`
        : 'the VM has no disk to claim there';
      found.push({
        disk,
        sequenceNum,
        problem: `${where}: ${there}; its disks past the template's ${templateDataDisks(layout)} data disks are at sequenceNum ${tail.map((d) => d.sequenceNum).join(', ')}; correct slot (slot = sequenceNum - 1 - template data disks - 1)`,
      });
      continue;
    }
    const problem = await claimMismatch(cloud, where, declared, 'disk', onVm);
    found.push(
      problem
        ? { disk, sequenceNum, volumeUrn: onVm.volumeUrn, problem }
        : { disk, sequenceNum, volumeUrn: onVm.volumeUrn },
    );
  }
  return found;
}

type DeclaredPersistentDisk = NonNullable<PoolEntry['persistentDisk']>[number];

/**
 * The documentation's strict claim match: a disk (`noun` says which, a legacy VM's disk or a named
 * volume) is taken only with the size and on the datastore (or one of the datastore cluster's) its
 * declaration names, and, for a disk still on a VM, on the declared bus. Says what differs, for
 * `lastError` or the machine; undefined when the disk fits.
 */
async function claimMismatch(
  cloud: DcsCloud,
  where: string,
  declared: DeclaredPersistentDisk,
  noun: 'disk' | 'volume',
  found: Pick<DcsVmDisk, 'quantityGB' | 'datastoreUrn' | 'pciType'>,
): Promise<string | undefined> {
  if (found.quantityGB !== undefined && Number(found.quantityGB) !== declared.quantityGB)
    return `${where}: quantityGB is ${declared.quantityGB} but the ${noun} has ${found.quantityGB} GB; correct quantityGB to match it`;
  const storage = await storageMismatch(cloud, declared, found.datastoreUrn);
  if (storage) return `${where}: ${storage}`;
  if (noun === 'volume') return undefined;
  // The replacement VM gets the disk on the declared bus (VIRTIO when unset): another bus than the
  // old VM's would show the guest another device.
  const bus = (found.pciType ?? 'VIRTIO').toUpperCase();
  const wanted = (declared.pciType ?? 'VIRTIO').toUpperCase();
  if (bus !== wanted)
    return `${where}: pciType is ${declared.pciType ?? 'not set (VIRTIO)'} but the disk is attached on ${bus}; declare pciType: ${bus}`;
  return undefined;
}

/** Whether a volume sits where its declaration says: on its datastore, or on one of its datastore cluster's. */
async function storageMismatch(
  cloud: DcsCloud,
  declared: DeclaredPersistentDisk,
  datastoreUrn: string | undefined,
): Promise<string | undefined> {
  if (!datastoreUrn) return undefined;
  if (declared.datastoreName) {
    const datastore = await cloud.resolveDatastore(declared.datastoreName);
    if (datastore.urn !== datastoreUrn)
      return `datastoreName is ${declared.datastoreName} but the volume is on ${datastoreUrn}; correct datastoreName to match it`;
  } else if (declared.datastoreClusterName) {
    const members = await cloud.datastoreClusterMembers(declared.datastoreClusterName);
    if (!members.includes(datastoreUrn))
      return `datastoreClusterName is ${declared.datastoreClusterName} but the volume is on ${datastoreUrn}, which is not one of its datastores; correct datastoreClusterName to match it`;
  }
  return undefined;
}

/**
 * A stock volume (a VM template's disk, not independent of snapshots, or not persistent) that the
 * documented migration converts to an independent shared one once it is off the old VM. Only what DCS
 * says counts: a VRM that does not report the fields is left alone.
 */
export function needsConversion(volume: Pick<DcsVolume, 'indepDisk' | 'persistentDisk'>): boolean {
  return volume.indepDisk === false || volume.persistentDisk === false;
}

/**
 * The DCS volume name of a pool entry's disk: `{pool}-{sha256(ip/slot)[:8]}`.
 * Deterministic, so the volume is found by name after any crash and a
 * replacement machine on the same entry finds the same volume.
 */
export function persistentVolumeName(poolName: string, ip: string, slot: number): string {
  const digest = createHash('sha256').update(`${ip}/${slot}`).digest('hex').slice(0, 8);
  return `${poolName}-${digest}`;
}

/** The disks a pool entry declares, keyed by the entry's IP. */
export function declaredDisks(poolName: string, entry: PoolEntry): DeclaredDisk[] {
  return (entry.persistentDisk ?? []).map((disk) => ({
    entryKey: entry.ip,
    slot: disk.slot,
    name: persistentVolumeName(poolName, entry.ip, disk.slot),
  }));
}

/** A DCS volume as the kit sees it: DCS says where a volume sits only by its `vmUrn`. */
export type DcsObservedVolume = ObservedVolume & { volume: DcsVolume };

/** The existing volumes of these disks, by volume name, each held to its entry's declaration. */
export function observedVolumes(
  cloud: DcsCloud,
  disks: readonly DeclaredDisk[],
  entries: readonly PoolEntry[],
): Promise<Map<string, DcsObservedVolume>> {
  return observeVolumes(
    disks,
    (disk) => cloud.findVolumeByName(disk.name),
    async (volume, disk) => {
      const declared = entries
        .find((entry) => entry.ip === disk.entryKey)
        ?.persistentDisk?.find((candidate) => candidate.slot === disk.slot);
      const where = `persistent disk ${disk.entryKey}/${disk.slot} (volume ${disk.name})`;
      const mismatch = declared && (await claimMismatch(cloud, where, declared, 'volume', volume));
      return {
        id: volume.urn,
        phase: volume.vmUrn ? 'Attached' : 'Available',
        ...(volume.vmUrn ? { attachedTo: volume.vmUrn } : {}),
        ...(mismatch ? { mismatch } : {}),
        volume,
      };
    },
  );
}

/** Creates the volume of one declared disk on its datastore (or its datastore cluster's emptiest one). */
export async function createPersistentVolume(
  cloud: DcsCloud,
  entry: PoolEntry,
  disk: DeclaredDisk,
): Promise<{ taskUri: string }> {
  const declared = (entry.persistentDisk ?? []).find((candidate) => candidate.slot === disk.slot);
  if (!declared) throw new Error(`pool entry ${entry.ip} declares no persistent disk in slot ${disk.slot}`);
  const datastore = declared.datastoreName
    ? await cloud.resolveDatastore(declared.datastoreName)
    : await cloud.resolveDatastoreCluster(declared.datastoreClusterName ?? '');
  return cloud.createVolume({
    name: disk.name,
    quantityGB: declared.quantityGB,
    datastoreUrn: datastore.urn,
    ...(declared.isThin !== undefined ? { isThin: declared.isThin } : {}),
    // What the documentation says new pool volumes are: independent persistent normal volumes,
    // which need no conversion when they move to a replacement VM.
    type: 'normal',
    indepDisk: true,
    persistentDisk: true,
  });
}
