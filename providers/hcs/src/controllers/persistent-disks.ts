import {
  type DeclaredDisk,
  holdsPersistentDisk as holdsDisk,
  nextAttachAction,
  nextDetachAction,
  type ObservedVolume,
  type PersistentDiskPhase,
} from '@immutable-infra/provider-kit';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsVolume } from '../cloud/hcs-types.js';
import { deviceName, OWNER_KEY, persistentVolumeName } from './names.js';
import type { PoolConfigEntry } from './pool-claims.js';

/** What the caller does next: nothing (all in place) or come back with this reason. */
export type DiskStep = { wait: false } | { wait: true; message: string; problem?: boolean };

const ready: DiskStep = { wait: false };

/** EVS volume states as the kit's phases. */
const PHASES: Record<string, PersistentDiskPhase> = {
  creating: 'Creating',
  available: 'Available',
  attaching: 'Attaching',
  'in-use': 'Attached',
  detaching: 'Detaching',
  deleting: 'Deleting',
  error: 'Error',
};

/** An EVS volume as the kit sees it, with the volume itself for HCS's own fields. */
export type EvsVolume = ObservedVolume & { volume: HcsVolume };

/** The guest device of persistent disk `slot`: after the system disk and the template's data disks. */
export function persistentDiskDevice(dataVolumeCount: number, slot: number): string {
  return deviceName(1 + dataVolumeCount + slot);
}

/** The entry's persistent disks under their deterministic EVS names. */
export function declaredDisks(poolName: string, entry: PoolConfigEntry): DeclaredDisk[] {
  return (entry.persistentDisks ?? []).map((disk) => ({
    entryKey: entry.hostname,
    slot: disk.slot,
    name: persistentVolumeName(poolName, entry.hostname, disk.slot),
  }));
}

/** The EVS volume of each declared disk that exists, by name. */
export async function observedVolumes(
  cloud: HcsCloud,
  disks: readonly DeclaredDisk[],
): Promise<Map<string, EvsVolume>> {
  const volumes = new Map<string, EvsVolume>();
  for (const disk of disks) {
    const volume = (await cloud.findVolumesByName(disk.name))[0];
    if (volume)
      volumes.set(disk.name, {
        id: volume.id,
        phase: PHASES[volume.status] ?? 'Error',
        attachedTo: volume.attachments[0]?.server_id,
        platformState: volume.status,
        volume,
      });
  }
  return volumes;
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
  const disks = declaredDisks(poolName, entry);
  const volumes = await observedVolumes(cloud, disks);
  for (const disk of disks) {
    const volume = volumes.get(disk.name)?.volume;
    const declared = entry.persistentDisks?.find((d) => d.slot === disk.slot);
    if (!volume && declared) {
      // The server does not need it yet: attaching waits until it is available.
      await cloud.createVolume({
        name: disk.name,
        size: declared.size,
        volume_type: declared.type,
        availability_zone: availabilityZone,
        metadata: {
          [OWNER_KEY]: `hcsmachineconfigpool/${poolName}`,
          hostname: entry.hostname,
          slot: String(disk.slot),
        },
      });
    } else if (volume?.status === 'error')
      return { wait: true, problem: true, message: `persistent disk ${disk.name} is in error on HCS` };
    else if (volume && volume.availability_zone !== availabilityZone)
      return {
        wait: true,
        problem: true,
        message: `persistent disk ${disk.name} is in ${volume.availability_zone}, the server in ${availabilityZone}`,
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
  const migrating = new Set(
    (entry.persistentDisks ?? [])
      .filter((d) => d.mountPath && dataVolumes.some((v) => v.mountPath === d.mountPath))
      .map((d) => d.slot),
  );
  const disks = declaredDisks(poolName, entry).filter((disk) => !migrating.has(disk.slot));
  const next = nextAttachAction(disks, await observedVolumes(cloud, disks), serverId);
  switch (next.action) {
    case 'none':
      return ready;
    case 'create':
      return { wait: true, message: `persistent disk ${next.disk.name} is missing` };
    case 'attach':
      await cloud.attachVolume(
        serverId,
        next.volumeId,
        persistentDiskDevice(dataVolumes.length, next.disk.slot),
      );
      return { wait: true, message: `attaching persistent disk ${next.disk.name}` };
    default:
      return { wait: true, message: next.action === 'wait' ? next.message : next.action };
  }
}

/** Whether any of the entry's persistent disks is on this server. */
export async function holdsPersistentDisk(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  serverId: string,
): Promise<boolean> {
  const disks = declaredDisks(poolName, entry);
  return holdsDisk(disks, await observedVolumes(cloud, disks), serverId);
}

/** Takes the entry's persistent disks off a server before it is deleted, so they outlive it. */
export async function detachPersistentDisks(
  cloud: HcsCloud,
  poolName: string,
  entry: PoolConfigEntry,
  serverId: string,
): Promise<DiskStep> {
  const disks = declaredDisks(poolName, entry);
  const next = nextDetachAction(disks, await observedVolumes(cloud, disks), serverId);
  if (next.action === 'detach') {
    await cloud.detachVolume(serverId, next.volumeId);
    return { wait: true, message: `detaching persistent disk ${next.disk.name}` };
  }
  return next.action === 'wait' ? { wait: true, message: next.message } : ready;
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
    if ((await cloud.findVolumesByName(name)).length > 0) continue;
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
