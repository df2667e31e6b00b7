import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsVolume } from '../cloud/hcs-types.js';
import { deviceName, OWNER_KEY, persistentVolumeName } from './names.js';
import type { PoolConfigEntry } from './pool-claims.js';

/** What the caller does next: nothing (all in place) or come back with this reason. */
export type DiskStep = { wait: false } | { wait: true; message: string; problem?: boolean };

const ready: DiskStep = { wait: false };

/** The guest device of persistent disk `slot`: after the system disk and the template's data disks. */
export function persistentDiskDevice(dataVolumeCount: number, slot: number): string {
  return deviceName(1 + dataVolumeCount + slot);
}

async function volumeOf(cloud: HcsCloud, name: string): Promise<HcsVolume | undefined> {
  return (await cloud.findVolumesByName(name))[0];
}

/**
 * Makes every persistent disk of the entry exist in the server's zone, created once under its
 * deterministic name (a crash between the create call and anything else finds it by that name);
 * waits only when a disk cannot be used: in error, or in another zone.
 */
export async function ensurePersistentVolumes(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  availabilityZone: string,
): Promise<DiskStep> {
  for (const disk of entry.persistentDisks ?? []) {
    const name = persistentVolumeName(poolName, entry.hostname, disk.slot);
    const volume = await volumeOf(cloud, name);
    if (!volume) {
      await cloud.createVolume({
        name,
        size: disk.size,
        volume_type: disk.type,
        availability_zone: availabilityZone,
        metadata: {
          [OWNER_KEY]: `hcsmachineconfigpool/${poolName}`,
          hostname: entry.hostname,
          slot: String(disk.slot),
        },
      });
      // The server does not need it yet: attaching waits until it is available.
      continue;
    }
    if (volume.status === 'error')
      return { wait: true, problem: true, message: `persistent disk ${name} is in error on HCS` };
    if (volume.availability_zone !== availabilityZone)
      return {
        wait: true,
        problem: true,
        message: `persistent disk ${name} is in ${volume.availability_zone}, the server in ${availabilityZone}`,
      };
  }
  return ready;
}

/**
 * Attaches the entry's persistent disks to the server, one change per call; waits while one is still
 * on the old server. A disk whose mount path the server still has as a template data volume (a
 * server from before the pool declared it) is left to the migration when that server is replaced.
 */
export async function attachPersistentDisks(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  serverId: string,
  dataVolumes: readonly { mountPath?: string | undefined }[],
): Promise<DiskStep> {
  const dataVolumeCount = dataVolumes.length;
  for (const disk of entry.persistentDisks ?? []) {
    if (disk.mountPath && dataVolumes.some((v) => v.mountPath === disk.mountPath)) continue;
    const name = persistentVolumeName(poolName, entry.hostname, disk.slot);
    const volume = await volumeOf(cloud, name);
    if (!volume) return { wait: true, message: `persistent disk ${name} is missing` };
    const holder = volume.attachments[0]?.server_id;
    if (holder === serverId && volume.status === 'in-use') continue;
    if (holder && holder !== serverId)
      return { wait: true, message: `persistent disk ${name} is still attached to server ${holder}` };
    if (volume.status !== 'available')
      return { wait: true, message: `persistent disk ${name} is ${volume.status}` };
    await cloud.attachVolume(serverId, volume.id, persistentDiskDevice(dataVolumeCount, disk.slot));
    return { wait: true, message: `attaching persistent disk ${name}` };
  }
  return ready;
}

/** Whether any of the entry's persistent disks is on this server. */
export async function holdsPersistentDisk(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  serverId: string,
): Promise<boolean> {
  for (const disk of entry.persistentDisks ?? []) {
    const volume = await volumeOf(cloud, persistentVolumeName(poolName, entry.hostname, disk.slot));
    if (volume?.attachments.some((a) => a.server_id === serverId)) return true;
  }
  return false;
}

/** Takes the entry's persistent disks off a server before it is deleted, so they outlive it. */
export async function detachPersistentDisks(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  serverId: string,
): Promise<DiskStep> {
  for (const disk of entry.persistentDisks ?? []) {
    const name = persistentVolumeName(poolName, entry.hostname, disk.slot);
    const volume = await volumeOf(cloud, name);
    if (!volume || volume.attachments[0]?.server_id !== serverId) continue;
    if (volume.status !== 'in-use')
      return { wait: true, message: `persistent disk ${name} is ${volume.status}` };
    await cloud.detachVolume(serverId, volume.id);
    return { wait: true, message: `detaching persistent disk ${name}` };
  }
  return ready;
}

/**
 * The documented migration from template data volumes to pool-managed persistent disks: when the
 * entry declares a persistent disk that does not exist yet and the old server carries a template
 * data volume with the same mount path, that volume is claimed (renamed to the disk's
 * deterministic name) before the server goes, so it is detached and kept instead of deleted.
 * A size or type that does not match the declaration is refused, never claimed.
 */
export async function claimMigratedDataVolumes(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  server: { id: string; 'os-extended-volumes:volumes_attached': { id: string; device: string }[] },
  dataVolumes: readonly { mountPath?: string | undefined; size: number; type: string }[],
): Promise<DiskStep> {
  for (const disk of entry.persistentDisks ?? []) {
    if (!disk.mountPath) continue;
    const index = dataVolumes.findIndex((v) => v.mountPath === disk.mountPath);
    if (index < 0) continue;
    const name = persistentVolumeName(poolName, entry.hostname, disk.slot);
    if (await volumeOf(cloud, name)) continue;
    const device = deviceName(1 + index);
    const attached = server['os-extended-volumes:volumes_attached'].find((v) => v.device === device);
    if (!attached) continue;
    const volume = await cloud.getVolume(attached.id);
    if (volume.size !== disk.size || volume.volume_type !== disk.type)
      return {
        wait: true,
        problem: true,
        message: `the data volume at ${disk.mountPath} (${volume.size} GB ${volume.volume_type}) does not match persistent disk slot ${disk.slot} of ${entry.hostname} (${disk.size} GB ${disk.type})`,
      };
    await cloud.renameVolume(volume.id, name);
  }
  return ready;
}
