import { describe, expect, it } from 'vitest';
import { diskBus, guestDiskDevice, guestDiskDeviceAt } from '../src/index.js';

describe('guestDiskDevice', () => {
  it('names a disk by its bus and rank, past z as the kernel does', () => {
    expect(guestDiskDevice(undefined, 0)).toBe('/dev/vda');
    expect(guestDiskDevice('virtio', 1)).toBe('/dev/vdb');
    expect(guestDiskDevice('SCSI', 2)).toBe('/dev/sdc');
    expect(guestDiskDevice('ide', 0)).toBe('/dev/hda');
    expect(guestDiskDevice('VIRTIO', 25)).toBe('/dev/vdz');
    expect(guestDiskDevice('VIRTIO', 26)).toBe('/dev/vdaa');
    expect(guestDiskDevice('VIRTIO', 27)).toBe('/dev/vdab');
    expect(guestDiskDevice('VIRTIO', 26 + 26 * 26)).toBe('/dev/vdaaa');
  });

  it('takes an unknown bus for virtio', () => {
    expect(diskBus(undefined)).toBe('VIRTIO');
    expect(guestDiskDevice('NVME', 1)).toBe('/dev/vdb');
  });
});

describe('guestDiskDeviceAt', () => {
  const onVm = [
    { position: 1 },
    { position: 2, bus: 'SCSI' },
    { position: 3, bus: 'virtio' },
    { position: 5 },
  ];

  it('ranks the disk among those on its own bus', () => {
    expect(guestDiskDeviceAt(1, undefined, onVm)).toBe('/dev/vda');
    expect(guestDiskDeviceAt(3, 'VIRTIO', onVm)).toBe('/dev/vdb');
    expect(guestDiskDeviceAt(5, undefined, onVm)).toBe('/dev/vdc');
    expect(guestDiskDeviceAt(2, 'scsi', onVm)).toBe('/dev/sda');
  });

  it('counts a disk the VM does not list yet where it will sit', () => {
    expect(guestDiskDeviceAt(4, undefined, onVm)).toBe('/dev/vdc');
    expect(guestDiskDeviceAt(9, 'SCSI', onVm)).toBe('/dev/sdb');
    expect(guestDiskDeviceAt(1, undefined, [])).toBe('/dev/vda');
  });
});
