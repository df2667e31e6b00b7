import { z } from 'zod';
import { DcsError } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import type { VmRecord, VolumeRecord } from '../model/records.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { type SimContext, taskAnswer } from './context.js';
import { requireChangeableVm, requireVolume } from './lookup.js';

const attachVolumeBody = z.object({
  volUrn: z.string().min(1),
  sequenceNum: z.number().int().positive().optional(),
  pciType: z.enum(['VIRTIO', 'SCSI', 'IDE']).optional(),
});
const detachVolumeBody = z.object({ volUrn: z.string().min(1) });
/** Modelled: no public source shows the real attachCdrom body. */
const attachCdromBody = z.object({ cdromFile: z.string().min(1), datastoreUrn: z.string().optional() });

/** The first free slot from 2 up; 1 is the system disk. */
function freeSlot(used: Set<number>): number {
  let slot = 2;
  while (used.has(slot)) slot += 1;
  return slot;
}

/** Slots a VM's disks take, counting attaches still under way. */
function usedSlots(platform: Platform, vm: VmRecord): Set<number> {
  const used = new Set<number>();
  for (const volume of platform.volumes.values())
    if ((volume.vmUrn === vm.urn || volume.pendingVmUrn === vm.urn) && volume.sequenceNum !== undefined)
      used.add(volume.sequenceNum);
  return used;
}

/** Attaching and detaching pool volumes and the CD-ROM. */
export function vmDeviceRoutes(ctx: SimContext): Route[] {
  const { platform, tasks } = ctx;
  const volumeFor = (urn: string): VolumeRecord => requireVolume(platform.volumeByUrn(urn), urn);
  return [
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/attachvol',
      handle: ({ params, body }) => {
        const vm = requireChangeableVm(platform, params.vm);
        const request = parseBody(attachVolumeBody, body);
        const volume = volumeFor(request.volUrn);
        if (volume.operation !== undefined || volume.vmUrn !== undefined)
          throw DcsError.busy(`volume ${volume.name}`);
        const used = usedSlots(platform, vm);
        if (request.sequenceNum !== undefined && used.has(request.sequenceNum))
          throw DcsError.wrongState(`VM ${vm.name} already has a disk at sequenceNum ${request.sequenceNum}`);
        volume.operation = 'attaching';
        volume.pendingVmUrn = vm.urn;
        volume.sequenceNum = request.sequenceNum ?? freeSlot(used);
        volume.pciType = request.pciType;
        const task = tasks.start('AttachVolume', vm.urn, () => {
          const attached = platform.vm(vm.id) === vm && volume.pendingVmUrn === vm.urn;
          volume.operation = undefined;
          volume.pendingVmUrn = undefined;
          if (!attached) {
            volume.sequenceNum = undefined;
            volume.pciType = undefined;
            throw DcsError.notFound(`VM ${vm.name}`);
          }
          volume.vmUrn = vm.urn;
        });
        return taskAnswer(task);
      },
    },
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/detachvol',
      handle: ({ params, body }) => {
        const vm = requireChangeableVm(platform, params.vm);
        const volume = volumeFor(parseBody(detachVolumeBody, body).volUrn);
        if (volume.vmUrn !== vm.urn)
          throw DcsError.wrongState(`volume ${volume.name} is not attached to ${vm.name}`);
        if (volume.operation !== undefined) throw DcsError.busy(`volume ${volume.name}`);
        volume.operation = 'detaching';
        const task = tasks.start('DetachVolume', vm.urn, () => {
          volume.operation = undefined;
          if (volume.vmUrn !== vm.urn) return;
          volume.vmUrn = undefined;
          volume.sequenceNum = undefined;
          volume.pciType = undefined;
          // A detached disk is a pool volume from now on: deleting the VM no longer takes it along.
          volume.ownerVmUrn = undefined;
        });
        return taskAnswer(task);
      },
    },
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/attachCdrom',
      handle: ({ params, body }) => {
        const vm = requireChangeableVm(platform, params.vm);
        const request = parseBody(attachCdromBody, body);
        const upload = [...platform.uploads.values()].find(
          (u) =>
            u.filePath === request.cdromFile &&
            (request.datastoreUrn === undefined || u.datastoreUrn === request.datastoreUrn),
        );
        if (!upload) throw DcsError.notFound(`file ${request.cdromFile}`);
        if (!upload.complete) throw DcsError.wrongState(`the upload of ${upload.filePath} is not complete`);
        if (vm.cdromFile !== undefined && vm.cdromFile !== upload.filePath)
          throw DcsError.wrongState(`the CD-ROM of ${vm.name} already holds ${vm.cdromFile}`);
        const task = tasks.start('AttachCdrom', vm.urn, () => {
          if (platform.vm(vm.id) !== vm) throw DcsError.notFound(`VM ${vm.name}`);
          if (platform.uploads.get(upload.id) !== upload) throw DcsError.notFound(`file ${upload.filePath}`);
          vm.cdromFile = upload.filePath;
        });
        return taskAnswer(task);
      },
    },
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/detachCdrom',
      handle: ({ params }) => {
        const vm = requireChangeableVm(platform, params.vm);
        const task = tasks.start('DetachCdrom', vm.urn, () => {
          vm.cdromFile = undefined;
        });
        return taskAnswer(task);
      },
    },
  ];
}
