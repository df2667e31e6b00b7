import { DcsError, ErrorCode } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import type { VmRecord, VolumeRecord } from '../model/records.js';

/** The VM named by a path id; 404 when it does not exist. */
export function requireVm(platform: Platform, id: string | undefined): VmRecord {
  const vm = id === undefined ? undefined : platform.vm(id);
  if (!vm) throw DcsError.notFound(`VM ${id}`);
  return vm;
}

/** A VM that may be changed: not a template, not being created or deleted. */
export function requireChangeableVm(platform: Platform, id: string | undefined): VmRecord {
  const vm = requireVm(platform, id);
  if (vm.isTemplate) throw DcsError.wrongState(`${vm.name} is a template`);
  if (vm.deleting) throw DcsError.wrongState(`VM ${vm.name} is being deleted`);
  if (vm.status === 'creating') throw DcsError.wrongState(`VM ${vm.name} is still being created`);
  return vm;
}

/** 404 with the volume code Huawei's Cinder driver reads as "already gone". */
export function requireVolume(volume: VolumeRecord | undefined, named: string): VolumeRecord {
  if (!volume) throw new DcsError(404, ErrorCode.volumeNotFound, `volume ${named} does not exist`);
  return volume;
}
