import { done, requeue, type Step, type StepResult } from '@immutable-infra/core';
import type { Claimant } from '../pools/claimable-pool.js';

/** The phases both DCS and HCS pools report for a persistent disk. */
export type PersistentDiskPhase =
  | 'Creating'
  | 'Available'
  | 'Attaching'
  | 'Attached'
  | 'Detaching'
  | 'Deleting'
  | 'Error';

/** One persistent disk a pool entry declares, under its deterministic volume name. */
export interface DeclaredDisk {
  /** The pool entry's key (its IP on DCS, its hostname on HCS). */
  entryKey: string;
  slot: number;
  /** The platform volume's name, derived from pool, entry and slot, so it is found after any crash. */
  name: string;
}

/** What the platform says about the volume of a declared disk. */
export interface ObservedVolume {
  /** The platform's id (a DCS volume URN, an EVS volume id). */
  id: string;
  phase: PersistentDiskPhase;
  /** The VM or server it is attached to. */
  attachedTo?: string | undefined;
  /** The platform's own state word, for the error text (`error_extending`, say). */
  platformState?: string | undefined;
  /**
   * Why the volume does not fit its declaration (its size or datastore): the documented strict
   * claim match. The record is `Error` with this as `lastError`, and no machine attaches it until
   * the declaration is corrected.
   */
  mismatch?: string | undefined;
}

/** One record of a pool's `status.persistentDiskStatus`, before the provider renames its fields. */
export interface PersistentDiskRecord {
  entryKey: string;
  slot: number;
  name: string;
  volumeId?: string;
  phase?: PersistentDiskPhase;
  attachedTo?: string;
  ownerName?: string;
  ownerUid?: string;
  lastError?: string;
  /** RFC 3339 without fractions; kept from the previous record while the phase is unchanged. */
  lastTransitionTime?: string;
}

export interface PersistentDiskRecordsInput {
  disks: readonly DeclaredDisk[];
  /** The volume of each declared disk by name; a missing name means the volume does not exist (yet). */
  volumes: ReadonlyMap<string, ObservedVolume>;
  /** Who holds each entry (from the pool's claims). */
  ownerOf(entryKey: string): Claimant | undefined;
  previous: readonly Pick<PersistentDiskRecord, 'entryKey' | 'slot' | 'phase' | 'lastTransitionTime'>[];
  now: Date;
}

/**
 * The persistent-disk status of a pool: one record per declared (entry, slot) with its volume,
 * phase, where it is attached and who holds the entry. The transition time moves only when the
 * phase does, so a periodic refresh does not rewrite the status for nothing.
 */
export function persistentDiskRecords(input: PersistentDiskRecordsInput): PersistentDiskRecord[] {
  const now = input.now.toISOString().replace(/\.\d+Z$/, 'Z');
  return input.disks.map((disk) => {
    const volume = input.volumes.get(disk.name);
    const owner = input.ownerOf(disk.entryKey);
    const before = input.previous.find((r) => r.entryKey === disk.entryKey && r.slot === disk.slot);
    const record: PersistentDiskRecord = { entryKey: disk.entryKey, slot: disk.slot, name: disk.name };
    if (volume) {
      record.volumeId = volume.id;
      record.phase = volume.mismatch ? 'Error' : volume.phase;
      if (volume.attachedTo) record.attachedTo = volume.attachedTo;
      if (volume.mismatch) record.lastError = volume.mismatch;
      else if (volume.phase === 'Error')
        record.lastError = `volume ${disk.name} is ${volume.platformState ?? 'in error'} on the platform`;
      record.lastTransitionTime =
        before?.phase === record.phase && before.lastTransitionTime ? before.lastTransitionTime : now;
    }
    if (owner) {
      record.ownerName = owner.name;
      if (owner.uid) record.ownerUid = owner.uid;
    }
    return record;
  });
}

/** The fields of a status record every provider names the same way (see `persistentDiskStatusFields`). */
export interface PersistentDiskStatusFields {
  slot: number;
  name: string;
  phase?: PersistentDiskPhase;
  ownerMachineName?: string;
  ownerMachineUID?: string;
  lastError?: string;
  lastTransitionTime?: string;
}

/** A record's shared status fields; the provider adds its entry key and its platform's names of the volume. */
export function persistentDiskStatusOf(record: PersistentDiskRecord): PersistentDiskStatusFields {
  return {
    slot: record.slot,
    name: record.name,
    ...(record.phase ? { phase: record.phase } : {}),
    ...(record.ownerName ? { ownerMachineName: record.ownerName } : {}),
    ...(record.ownerUid ? { ownerMachineUID: record.ownerUid } : {}),
    ...(record.lastError ? { lastError: record.lastError } : {}),
    ...(record.lastTransitionTime ? { lastTransitionTime: record.lastTransitionTime } : {}),
  };
}

/** The stored status records as `persistentDiskRecords` reads them back: entry, slot, phase and since when. */
export function previousDiskRecords<
  Stored extends {
    slot: number;
    phase?: PersistentDiskPhase | undefined;
    lastTransitionTime?: string | undefined;
  },
>(
  stored: readonly Stored[] | undefined,
  entryKeyOf: (record: Stored) => string,
): PersistentDiskRecordsInput['previous'] {
  return (stored ?? []).map((record) => ({
    entryKey: entryKeyOf(record),
    slot: record.slot,
    ...(record.phase ? { phase: record.phase } : {}),
    ...(record.lastTransitionTime ? { lastTransitionTime: record.lastTransitionTime } : {}),
  }));
}

/** What to do next to get an entry's disks onto a machine: one platform change per reconcile. */
export type DiskAction =
  | { action: 'none' }
  | { action: 'create'; disk: DeclaredDisk }
  | { action: 'attach'; disk: DeclaredDisk; volumeId: string }
  | { action: 'detach'; disk: DeclaredDisk; volumeId: string }
  /** `problem`: no wait fixes it on its own (a volume in error); report it, do not only requeue. */
  | { action: 'wait'; disk: DeclaredDisk; message: string; problem: boolean };

/** A disk that is not ready yet; `problem` when no wait fixes it on its own. */
function waitOn(disk: DeclaredDisk, message: string, problem = false): DiskAction {
  return { action: 'wait', disk, message, problem };
}

/**
 * The next step to have every disk of the entry attached to `machineId`: create a missing volume,
 * wait while one is busy or still on the previous machine (its deletion detaches it), attach an
 * available one; `none` when all are in place.
 */
export function nextAttachAction(
  disks: readonly DeclaredDisk[],
  volumes: ReadonlyMap<string, ObservedVolume>,
  machineId: string,
): DiskAction {
  for (const disk of disks) {
    const volume = volumes.get(disk.name);
    if (!volume) return { action: 'create', disk };
    if (volume.attachedTo === machineId && volume.phase === 'Attached') continue;
    // Taking a volume that does not match its declaration could put the wrong data under the path.
    if (volume.mismatch) return waitOn(disk, volume.mismatch, true);
    if (volume.phase === 'Error')
      return waitOn(disk, `persistent disk ${disk.name} is in error on the platform`, true);
    if (volume.attachedTo && volume.attachedTo !== machineId)
      return waitOn(disk, `persistent disk ${disk.name} is still attached to ${volume.attachedTo}`);
    if (volume.phase !== 'Available')
      return waitOn(disk, `persistent disk ${disk.name} is ${volume.phase.toLowerCase()}`);
    return { action: 'attach', disk, volumeId: volume.id };
  }
  return { action: 'none' };
}

/** The next step to take the entry's disks off `machineId` before it is deleted, so they outlive it. */
export function nextDetachAction(
  disks: readonly DeclaredDisk[],
  volumes: ReadonlyMap<string, ObservedVolume>,
  machineId: string,
): DiskAction {
  for (const disk of disks) {
    const volume = volumes.get(disk.name);
    if (!volume || volume.attachedTo !== machineId) continue;
    if (volume.phase !== 'Attached')
      return waitOn(disk, `persistent disk ${disk.name} is ${volume.phase.toLowerCase()}`);
    return { action: 'detach', disk, volumeId: volume.id };
  }
  return { action: 'none' };
}

/** Whether any of the entry's disks is on this machine (its deletion must detach first). */
export function holdsPersistentDisk(
  disks: readonly DeclaredDisk[],
  volumes: ReadonlyMap<string, ObservedVolume>,
  machineId: string,
): boolean {
  return disks.some((disk) => volumes.get(disk.name)?.attachedTo === machineId);
}

/**
 * The platform's volume of each declared disk that exists, by the disk's name: `find` looks one up
 * by that name (the deterministic name is how a volume is found after any crash), `observe` reads
 * it as the kit's {@link ObservedVolume}.
 */
export async function observeVolumes<Volume, Observed extends ObservedVolume>(
  disks: readonly DeclaredDisk[],
  find: (disk: DeclaredDisk) => Promise<Volume | undefined>,
  observe: (volume: Volume, disk: DeclaredDisk) => Observed | Promise<Observed>,
): Promise<Map<string, Observed>> {
  const volumes = new Map<string, Observed>();
  for (const disk of disks) {
    const volume = await find(disk);
    if (volume !== undefined) volumes.set(disk.name, await observe(volume, disk));
  }
  return volumes;
}

/** How a machine takes its entry's persistent disks off its VM or server before deleting it. */
export interface PersistentDiskDetaching<Run> {
  /** `DetachPersistentDisks` by default. */
  name?: string | undefined;
  when?(run: Run): boolean;
  /** The entry's declared disks and their volumes; undefined when the machine holds no entry with disks. */
  disksOf(
    run: Run,
  ): Promise<{ disks: readonly DeclaredDisk[]; volumes: ReadonlyMap<string, ObservedVolume> } | undefined>;
  /** The platform's id of the machine's VM or server, as volumes name what they are attached to. */
  machineId(run: Run): string;
  /** Detaches one volume: the task that does it, or the wait for it. */
  detach(run: Run, disk: DeclaredDisk, volumeId: string): Promise<StepResult>;
  /** How soon to look again at a disk that is busy. */
  pollAfterMs: number;
}

/**
 * The delete step that takes the entry's persistent disks off the machine, one per run, so they
 * outlive it (deleting a VM deletes every disk on it); waits while one is busy, done once none is on it.
 */
export function detachPersistentDisksStep<Run>(detaching: PersistentDiskDetaching<Run>): Step<Run> {
  return {
    name: detaching.name ?? 'DetachPersistentDisks',
    ...(detaching.when ? { when: detaching.when } : {}),
    async run(run) {
      const held = await detaching.disksOf(run);
      if (!held) return done();
      const next = nextDetachAction(held.disks, held.volumes, detaching.machineId(run));
      if (next.action === 'detach') return detaching.detach(run, next.disk, next.volumeId);
      return next.action === 'wait' ? requeue(detaching.pollAfterMs, next.message) : done();
    },
  };
}
