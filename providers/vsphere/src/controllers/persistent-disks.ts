import type { GuestDisk } from '@immutable-infra/provider-kit';
import type { AttachedDisk } from '../cloud/vsphere-client.js';
import type { ConfigSlot } from './config-pool-claims.js';

type SlotDisk = NonNullable<ConfigSlot['persistentDisks']>[number];

/**
 * The folder persistent disks live in on their datastore, one subfolder per namespace, pool and
 * slot: a slot's disks are found by their path, whichever VM had them last.
 */
export const PERSISTENT_FOLDER = 'iinfra-persistent';

/** A slot's disk as the machine puts it on its VM. */
export interface PlannedDisk {
  disk: SlotDisk;
  /** `[datastore-cp] iinfra-persistent/<namespace>/<pool>/<hostname>/<disk>.vmdk`, or the recorded `volumePath`. */
  path: string;
  directory: string;
  unitNumber: number;
}

const SCSI_CONTROLLER_UNIT = 7;

/**
 * Where each of a slot's persistent disks is and which SCSI unit it takes: the disk's own
 * `unitNumber`, else the next unit from 1 that neither the VM's other disks nor another persistent
 * disk use (never 7, the controller's own), so the disks keep their order from VM to VM.
 */
export function plannedDisks(
  where: { namespace: string; pool: string; slot: ConfigSlot; defaultDatastore: string | undefined },
  occupiedUnits: ReadonlySet<number>,
): PlannedDisk[] {
  const disks = where.slot.persistentDisks ?? [];
  const taken = new Set([
    ...occupiedUnits,
    ...disks.flatMap((d) => (d.unitNumber === undefined ? [] : [d.unitNumber])),
  ]);
  let next = 1;
  return disks.map((disk) => {
    let unitNumber = disk.unitNumber;
    if (unitNumber === undefined) {
      while (next === SCSI_CONTROLLER_UNIT || taken.has(next)) next++;
      unitNumber = next++;
    }
    const datastore = disk.datastore ?? where.defaultDatastore ?? '';
    const directory = `[${datastore}] ${PERSISTENT_FOLDER}/${where.namespace}/${where.pool}/${where.slot.hostname}`;
    return { disk, path: disk.volumePath ?? `${directory}/${disk.name}.vmdk`, directory, unitNumber };
  });
}

/** Whether a VM's disk is a slot's persistent disk (it must be taken off before the VM is destroyed). */
export function isPersistentDisk(disk: AttachedDisk, planned: readonly PlannedDisk[]): boolean {
  return disk.fileName.includes(`] ${PERSISTENT_FOLDER}/`) || planned.some((p) => p.path === disk.fileName);
}

/**
 * How the guest finds, formats and mounts the attached disks: by the WWN Linux makes of the disk's
 * UUID (disk.EnableUUID is set on every VM), formatted only when blank unless `wipeFilesystem`.
 */
export function guestDisks(planned: readonly PlannedDisk[], attached: readonly AttachedDisk[]): GuestDisk[] {
  return planned.flatMap(({ disk, path }) => {
    const onVm = attached.find((a) => a.fileName === path);
    if (!onVm?.uuid || !disk.mountPath) return [];
    return [
      {
        device: `/dev/disk/by-id/wwn-0x${onVm.uuid.replace(/-/g, '').toLowerCase()}`,
        mountPath: disk.mountPath,
        format: disk.fsFormat ?? 'ext4',
        mountOptions: disk.mountOptions ?? [],
        wipe: disk.wipeFilesystem === true,
      },
    ];
  });
}
