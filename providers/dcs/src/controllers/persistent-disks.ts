import { createHash } from 'node:crypto';
import type { DeclaredDisk, ObservedVolume } from '@immutable-infra/provider-kit';
import type { DcsCloud } from '../cloud/dcs-client.js';
import type { DcsVolume } from '../cloud/dcs-types.js';
import type { PoolEntry } from './pool-claims.js';

/**
 * The sequence number of a persistent disk on the VM: right after the template's disks (the system
 * volume is 1, the template's data disks 2, 3, ...), so slot 0 of a template with two data disks is 4.
 * It is the documentation's claim formula read backwards (slot = sequenceNum - 1 - data disks - 1),
 * which is how a disk a legacy template made at the tail of an old VM is found again in its slot.
 */
export function persistentDiskSequence(
  spec: {
    vmConfig?:
      | {
          dcsMachineDiskSpec?:
            | readonly { systemVolume?: boolean | undefined; [field: string]: unknown }[]
            | undefined;
        }
      | undefined;
  },
  slot: number,
): number {
  const templateDataDisks = (spec.vmConfig?.dcsMachineDiskSpec ?? []).filter(
    (disk) => !disk.systemVolume,
  ).length;
  return 1 + templateDataDisks + 1 + slot;
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
export async function observedVolumes(
  cloud: DcsCloud,
  disks: readonly DeclaredDisk[],
  entries: readonly PoolEntry[],
): Promise<Map<string, DcsObservedVolume>> {
  const volumes = new Map<string, DcsObservedVolume>();
  for (const disk of disks) {
    const volume = await cloud.findVolumeByName(disk.name);
    if (!volume) continue;
    const declared = entries
      .find((entry) => entry.ip === disk.entryKey)
      ?.persistentDisk?.find((candidate) => candidate.slot === disk.slot);
    const mismatch = declared && (await declarationMismatch(cloud, disk, declared, volume));
    volumes.set(disk.name, {
      id: volume.urn,
      phase: volume.vmUrn ? 'Attached' : 'Available',
      ...(volume.vmUrn ? { attachedTo: volume.vmUrn } : {}),
      ...(mismatch ? { mismatch } : {}),
      volume,
    });
  }
  return volumes;
}

/**
 * The documentation's strict claim match: a volume is taken only with the size and the datastore
 * its declaration names (a datastore cluster picks its member, so only the size counts there).
 * Says what differs, for `lastError`; undefined when the volume fits.
 */
async function declarationMismatch(
  cloud: DcsCloud,
  disk: DeclaredDisk,
  declared: NonNullable<PoolEntry['persistentDisk']>[number],
  volume: DcsVolume,
): Promise<string | undefined> {
  const where = `persistent disk ${disk.entryKey}/${disk.slot} (volume ${disk.name})`;
  if (volume.quantityGB !== undefined && Number(volume.quantityGB) !== declared.quantityGB)
    return `${where}: quantityGB is ${declared.quantityGB} but the volume has ${volume.quantityGB} GB; correct quantityGB to match it`;
  if (declared.datastoreName && volume.datastoreUrn) {
    const datastore = await cloud.resolveDatastore(declared.datastoreName);
    if (datastore.urn !== volume.datastoreUrn)
      return `${where}: datastoreName is ${declared.datastoreName} but the volume is on ${volume.datastoreUrn}; correct datastoreName to match it`;
  }
  return undefined;
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
  });
}
