/**
 * The names a Linux guest gives the disks of a VM: one prefix per bus (`vd` for virtio, `sd` for
 * SCSI, `hd` for IDE) and letters by the disk's rank among the disks on that bus (a ... z, aa ...).
 * A provider that knows where a disk sits on the VM (its slot or sequence number) but not the
 * device the guest sees derives it here, so the Ignition or cloud-init it writes mounts the right disk.
 */

const BUS_PREFIX: Record<string, string> = { VIRTIO: 'vd', SCSI: 'sd', IDE: 'hd' };

/** The bus a disk declares, upper-case; virtio when it declares none. */
export const diskBus = (bus: string | undefined): string => (bus ?? 'VIRTIO').toUpperCase();

/** `/dev/<prefix><letters>` of the disk at `index` (0-based) among the disks on `bus` (virtio when unknown). */
export function guestDiskDevice(bus: string | undefined, index: number): string {
  const prefix = BUS_PREFIX[diskBus(bus)] ?? 'vd';
  let letters = '';
  for (let n = index; n >= 0; n = Math.floor(n / 26) - 1)
    letters = String.fromCharCode(97 + (n % 26)) + letters;
  return `/dev/${prefix}${letters}`;
}

/** A disk on the VM: where it sits (slot, sequence number) and the bus it is attached on. */
export interface PlacedDisk {
  /** The slot or sequence number the platform gives the disk on the VM. */
  position: number;
  /** `VIRTIO`, `SCSI` or `IDE` in any case; virtio when unset. */
  bus?: string | undefined;
}

/**
 * The device of the disk at `position` on `bus`: the guest names the disks of one bus in the order
 * of their positions, so its rank among `onVm` (the disks the VM has, on any bus) plus itself decides.
 */
export function guestDiskDeviceAt(
  position: number,
  bus: string | undefined,
  onVm: readonly PlacedDisk[],
): string {
  const wanted = diskBus(bus);
  const positions = new Set(onVm.filter((disk) => diskBus(disk.bus) === wanted).map((disk) => disk.position));
  positions.add(position);
  return guestDiskDevice(wanted, [...positions].sort((a, b) => a - b).indexOf(position));
}
