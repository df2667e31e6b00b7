import { DcsError } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import type { VmRecord } from '../model/records.js';
import { vmView } from '../model/wire-views.js';
import { byName, paginate } from '../server/pagination.js';
import type { Route } from '../server/router.js';
import { readableById, type SimContext } from './context.js';
import { requireVm } from './lookup.js';

/** Listing and reading VMs and templates. */
export function vmRoutes(ctx: SimContext): Route[] {
  const { platform } = ctx;
  return [
    {
      method: 'GET',
      pattern: '/service/sites/:site/vms',
      handle: ({ query }) => {
        const filters = vmFilters(platform, query);
        const listable = [...platform.vms.values()].filter((vm) => ctx.createLag.visible(vm.urn));
        const vms = byName(listable, query).filter((vm) => filters.every((keep) => keep(vm)));
        const { total, page } = paginate(vms, query);
        return { body: { total, vms: page.map((vm) => vmView(platform, vm)) } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/vms/:vm',
      handle: ({ params }) => {
        const vm = requireVm(platform, params.vm);
        if (!readableById(ctx, vm.urn)) throw DcsError.notFound(`VM ${params.vm}`);
        return { body: vmView(platform, vm) };
      },
    },
  ];
}

/**
 * The list filters besides `name`: `isTemplate` (without it, VMs and templates are both listed),
 * `group`, `status` and `scope` (a cluster or host URN).
 */
function vmFilters(platform: Platform, query: URLSearchParams): ((vm: VmRecord) => boolean)[] {
  const filters: ((vm: VmRecord) => boolean)[] = [];
  const isTemplate = query.get('isTemplate');
  if (isTemplate !== null) {
    if (isTemplate !== 'true' && isTemplate !== 'false')
      throw DcsError.invalid('isTemplate', 'must be true or false');
    filters.push((vm) => vm.isTemplate === (isTemplate === 'true'));
  }
  const group = query.get('group');
  if (group !== null) filters.push((vm) => vm.group === group);
  const status = query.get('status');
  if (status !== null) filters.push((vm) => vm.status === status);
  const scope = query.get('scope');
  if (scope !== null) {
    if (platform.cluster(scope)) filters.push((vm) => vm.location === scope);
    else if (platform.host(scope)) filters.push((vm) => vm.hostUrn === scope);
    else throw DcsError.invalid('scope', `${scope} is not a cluster or host of this site`);
  }
  return filters;
}
