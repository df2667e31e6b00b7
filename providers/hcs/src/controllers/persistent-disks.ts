import { done, falseCondition, requeue, type Step } from '@immutable-infra/core';
import {
  createOnce,
  type DeclaredDisk,
  detachPersistentDisksStep,
  guestDiskDevice,
  holdsPersistentDisk as holdsDisk,
  nextAttachAction,
  type ObservedVolume,
  observeVolumes,
  type PersistentDiskPhase,
} from '@immutable-infra/provider-kit';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsServer, HcsVolume } from '../cloud/hcs-types.js';
import { blocked, MACHINE_READY, type MachineRun, POLL_MS, serverOf } from './machine-run.js';
import { OWNER_KEY, persistentVolumeName } from './names.js';
import type { PoolConfigEntry } from './pool-claims.js';

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

/** A machine run whose pool entry is known: the disk steps have something to do. */
type DiskRun = MachineRun & { poolName: string; entry: PoolConfigEntry };

const hasEntry = (run: MachineRun): run is DiskRun => Boolean(run.entry && run.poolName);
const serverId = (run: MachineRun) => (serverOf(run) as HcsServer).id;
const dataVolumesOf = (run: MachineRun) => run.ctx.object.spec.dataVolumes ?? [];

/** The guest device of template data volume `index`: ECS attaches every volume on virtio, the system disk first (`/dev/vda`). */
export const dataVolumeDevice = (index: number): string => guestDiskDevice('VIRTIO', 1 + index);

/** The guest device of persistent disk `slot`: after the system disk and the template's data disks. */
export function persistentDiskDevice(dataVolumeCount: number, slot: number): string {
  return dataVolumeDevice(dataVolumeCount + slot);
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
export function observedVolumes(
  cloud: HcsCloud,
  disks: readonly DeclaredDisk[],
): Promise<Map<string, EvsVolume>> {
  return observeVolumes(
    disks,
    async (disk) => (await cloud.findVolumesByName(disk.name))[0],
    (volume): EvsVolume => ({
      id: volume.id,
      phase: PHASES[volume.status] ?? 'Error',
      attachedTo: volume.attachments[0]?.server_id,
      platformState: volume.status,
      volume,
    }),
  );
}

/** The entry's declared disks and their volumes. */
async function disksOf(run: DiskRun) {
  const disks = declaredDisks(run.poolName, run.entry);
  return { disks, volumes: await observedVolumes(run.cloud, disks) };
}

/** A persistent disk that cannot be used as it is: someone has to look. */
function diskProblem(run: MachineRun, message: string) {
  return blocked(run, 'PersistentDiskProblem', message, 30_000, false);
}

/**
 * Makes every persistent disk of the entry exist in the server's zone, created once under its
 * deterministic name (a crash between the create call and anything else finds it by that name);
 * waits only when a disk cannot be used: in error, or in another zone.
 */
export const createPersistentDisks: Step<MachineRun> = {
  name: 'CreatePersistentDisks',
  when: (run) => run.servers.length === 0 && hasEntry(run),
  async run(run) {
    const { poolName, entry } = run as DiskRun;
    const { disks, volumes } = await disksOf(run as DiskRun);
    for (const disk of disks) {
      const volume = volumes.get(disk.name)?.volume;
      const declared = entry.persistentDisks?.find((d) => d.slot === disk.slot);
      if (!volume && declared) {
        // The server does not need it yet: attaching waits until it is available.
        const what = `persistent disk ${disk.name}`;
        const thing = { key: `volume/${disk.name}`, what, listingLagMs: run.listingLagMs };
        const asked = await createOnce(run.ctx, thing, () =>
          run.cloud.createVolume({
            name: disk.name,
            size: declared.size,
            volume_type: declared.type,
            availability_zone: run.zone,
            metadata: {
              [OWNER_KEY]: `hcsmachineconfigpool/${poolName}`,
              hostname: entry.hostname,
              slot: String(disk.slot),
            },
          }),
        );
        if (!asked.sent) return asked.wait;
      } else if (volume?.status === 'error')
        return diskProblem(run, `persistent disk ${disk.name} is in error on HCS`);
      else if (volume && volume.availability_zone !== run.zone)
        return diskProblem(
          run,
          `persistent disk ${disk.name} is in ${volume.availability_zone}, the server in ${run.zone}`,
        );
    }
    return done();
  },
};

/**
 * Attaches the entry's persistent disks to the server, one change per run; waits while one is still
 * on the old server. A disk whose mount path the server still has as a template data volume (a
 * server from before the pool declared it) is left to the migration when that server is replaced.
 */
export const attachPersistentDisks: Step<MachineRun> = {
  name: 'AttachPersistentDisks',
  when: hasEntry,
  async run(run) {
    const { entry } = run as DiskRun;
    const dataVolumes = dataVolumesOf(run);
    const migrating = new Set(
      (entry.persistentDisks ?? [])
        .filter((d) => d.mountPath && dataVolumes.some((v) => v.mountPath === d.mountPath))
        .map((d) => d.slot),
    );
    const { disks, volumes } = await disksOf(run as DiskRun);
    const next = nextAttachAction(
      disks.filter((disk) => !migrating.has(disk.slot)),
      volumes,
      serverId(run),
    );
    if (next.action === 'none') return done();
    let message: string;
    if (next.action === 'attach') {
      const device = persistentDiskDevice(dataVolumes.length, next.disk.slot);
      await run.cloud.attachVolume(serverId(run), next.volumeId, device);
      message = `attaching persistent disk ${next.disk.name}`;
    } else if (next.action === 'create') message = `persistent disk ${next.disk.name} is missing`;
    else message = next.action === 'wait' ? next.message : next.action;
    run.ctx.setCondition(falseCondition(MACHINE_READY, 'AttachingPersistentDisks', message));
    return requeue(POLL_MS, message);
  },
};

/** Whether the server carries one of the entry's persistent disks. */
export async function holdsPersistentDisk(run: MachineRun): Promise<boolean> {
  if (!hasEntry(run)) return false;
  const { disks, volumes } = await disksOf(run);
  return holdsDisk(disks, volumes, serverId(run));
}

/** Takes the entry's persistent disks off a server before it is deleted, so they outlive it. */
export const detachPersistentDisks = detachPersistentDisksStep<MachineRun>({
  when: (run) => run.servers.length > 0 && hasEntry(run),
  disksOf: (run) => disksOf(run as DiskRun),
  machineId: serverId,
  async detach(run, disk, volumeId) {
    await run.cloud.detachVolume(serverId(run), volumeId);
    return requeue(POLL_MS, `detaching persistent disk ${disk.name}`);
  },
  pollAfterMs: POLL_MS,
});

/**
 * The documented migration from template data volumes to pool-managed persistent disks: when the
 * entry declares a persistent disk that does not exist yet and the old server carries a template
 * data volume with the same mount path, that volume is claimed (renamed to the disk's
 * deterministic name) before the server goes, so it is detached and kept instead of deleted.
 * A size or type that does not match the declaration is refused, never claimed.
 */
export const migrateDataVolumes: Step<MachineRun> = {
  name: 'MigrateDataVolumes',
  when: (run) => run.servers.length > 0 && hasEntry(run),
  async run(run) {
    const { poolName, entry } = run as DiskRun;
    const dataVolumes = dataVolumesOf(run);
    for (const disk of entry.persistentDisks ?? []) {
      const index = dataVolumes.findIndex((v) => disk.mountPath && v.mountPath === disk.mountPath);
      if (index < 0) continue;
      const name = persistentVolumeName(poolName, entry.hostname, disk.slot);
      if ((await run.cloud.findVolumesByName(name)).length > 0) continue;
      const attached = (serverOf(run) as HcsServer)['os-extended-volumes:volumes_attached'].find(
        (v) => v.device === dataVolumeDevice(index),
      );
      if (!attached) continue;
      const volume = await run.cloud.getVolume(attached.id);
      if (volume.size !== disk.size || volume.volume_type !== disk.type)
        return blocked(
          run,
          'PersistentDiskProblem',
          `the data volume at ${disk.mountPath} (${volume.size} GB ${volume.volume_type}) does not match persistent disk slot ${disk.slot} of ${entry.hostname} (${disk.size} GB ${disk.type})`,
          30_000,
        );
      await run.cloud.renameVolume(volume.id, name);
    }
    return done();
  },
};
