import { z } from 'zod';
import { DcsError, ErrorCode } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import type { VmRecord } from '../model/records.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { type SimContext, taskAnswer } from './context.js';
import { requireChangeableVm, requireVm } from './lookup.js';

const stopBody = z.object({ mode: z.enum(['safe', 'force']).default('safe') });

/**
 * Start, stop and delete. Starting a running VM or stopping a stopped one answers a task that
 * simply succeeds, so a client retrying after a lost answer is not punished.
 */
export function vmPowerRoutes(ctx: SimContext): Route[] {
  const { platform, tasks } = ctx;
  /** The VM the task was for is still there (not deleted meanwhile). */
  const stillThere = (vm: VmRecord) => {
    if (platform.vm(vm.id) !== vm) throw DcsError.notFound(`VM ${vm.name}`);
  };
  return [
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/start',
      handle: ({ params }) => {
        const vm = requireChangeableVm(platform, params.vm);
        if (vm.status === 'stopping') throw DcsError.wrongState(`VM ${vm.name} is stopping`);
        const task = tasks.start('StartVm', vm.urn, () => {
          stillThere(vm);
          if (vm.status === 'stopped') vm.status = 'running';
        });
        return taskAnswer(task);
      },
    },
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/stop',
      handle: ({ params, body }) => {
        const vm = requireChangeableVm(platform, params.vm);
        parseBody(stopBody, body);
        if (vm.status === 'running') vm.status = 'stopping';
        const task = tasks.start('StopVm', vm.urn, () => {
          stillThere(vm);
          vm.status = 'stopped';
        });
        return taskAnswer(task);
      },
    },
    {
      method: 'DELETE',
      pattern: '/service/sites/:site/vms/:vm',
      handle: ({ params, query }) => {
        const vm = requireVm(platform, params.vm);
        if (vm.isTemplate) throw DcsError.wrongState(`${vm.name} is a template`);
        const reserve = query.get('isReserveDisks') ?? '0';
        if (reserve !== '0' && reserve !== '1') throw DcsError.invalid('isReserveDisks', 'must be 0 or 1');
        if (ctx.faults().stoppedOnlyDelete && vm.status !== 'stopped')
          throw new DcsError(
            409,
            ErrorCode.stoppedOnlyDelete,
            `the site only deletes stopped VMs; ${vm.name} is ${vm.status}`,
          );
        vm.deleting = true;
        // A second delete while the first runs succeeds too: the VM is gone either way.
        const task = tasks.start('DeleteVm', vm.urn, () => {
          if (platform.vm(vm.id) === vm) removeVm(ctx, vm, reserve === '1');
        });
        return taskAnswer(task);
      },
    },
  ];
}

/**
 * Removes a VM: its own disks are deleted (kept, detached, with isReserveDisks=1); attached pool
 * volumes are detached and survive; it leaves its DRS rules, and a clone stuck on it fails.
 */
function removeVm(ctx: SimContext, vm: VmRecord, reserveDisks: boolean): void {
  const platform: Platform = ctx.platform;
  platform.vms.delete(vm.id);
  for (const volume of [...platform.volumes.values()]) {
    if (volume.pendingVmUrn === vm.urn) volume.pendingVmUrn = undefined;
    if (volume.vmUrn !== vm.urn) continue;
    if (volume.ownerVmUrn === vm.urn && !reserveDisks) {
      platform.volumes.delete(volume.id);
      continue;
    }
    volume.vmUrn = undefined;
    volume.sequenceNum = undefined;
    volume.ownerVmUrn = undefined;
    volume.operation = undefined;
  }
  for (const rule of platform.drsRules) rule.vms = rule.vms.filter((urn) => urn !== vm.urn);
  ctx.tasks.abandonStuck(vm.urn, `VM ${vm.name} was deleted before its clone finished`);
}
