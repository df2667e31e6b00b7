import { z } from 'zod';
import { DcsError } from '../model/dcs-error.js';
import { volumeView } from '../model/wire-views.js';
import { byName, paginate } from '../server/pagination.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { readableById, type SimContext, taskAnswer } from './context.js';
import { requireVolume } from './lookup.js';

const createVolumeBody = z.object({
  name: z.string().min(1).max(256),
  quantityGB: z.number().int().positive().optional(),
  quantityGb: z.number().int().positive().optional(),
  datastoreUrn: z.string().min(1),
  isThin: z.boolean().optional(),
  type: z.enum(['normal', 'share']).optional(),
  indepDisk: z.boolean().optional(),
  persistentDisk: z.boolean().optional(),
});

/**
 * `PUT <volume uri>`, FusionCompute's "modify volume" (the eSDK's ModifyVolumeReq): each field
 * changes only when sent. Answered at once, without a task, as the eSDK reads it.
 */
const modifyVolumeBody = z
  .object({
    name: z.string().min(1).max(256).optional(),
    indepDisk: z.boolean().optional(),
    persistentDisk: z.boolean().optional(),
    type: z.enum(['normal', 'share']).optional(),
  })
  .strict();

/** Pool volumes: created by name on a datastore (or datastore cluster), listed, deleted when free. */
export function volumeRoutes(ctx: SimContext): Route[] {
  const { platform, tasks } = ctx;
  const volumeById = (id: string | undefined) =>
    requireVolume(id === undefined ? undefined : platform.volumes.get(id), id ?? '');
  return [
    {
      method: 'POST',
      pattern: '/service/sites/:site/volumes',
      handle: ({ body }) => {
        const request = parseBody(createVolumeBody, body);
        const quantityGB = request.quantityGB ?? request.quantityGb;
        if (quantityGB === undefined) throw DcsError.invalid('quantityGB', 'is required');
        const datastore = platform.placeOn(request.datastoreUrn);
        if (!datastore)
          throw DcsError.invalid('datastoreUrn', `${request.datastoreUrn} is not a datastore of this site`);
        const volume = platform.newVolume({
          name: request.name,
          quantityGB,
          datastoreUrn: platform.address.urnOf('datastores', datastore.id),
          isThin: request.isThin ?? true,
          type: request.type ?? 'normal',
          indepDisk: request.indepDisk ?? false,
          persistentDisk: request.persistentDisk ?? true,
          vmUrn: undefined,
          pendingVmUrn: undefined,
          sequenceNum: undefined,
          ownerVmUrn: undefined,
          fromInventory: false,
          operation: 'creating',
        });
        platform.creates.volumes += 1;
        platform.volumeCreateBodies.push({ ...(body as Record<string, unknown>) });
        ctx.createLag.created(volume.urn);
        const task = tasks.start('CreateVolume', volume.urn, () => {
          volume.operation = undefined;
        });
        return taskAnswer(task, volume);
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/volumes',
      handle: ({ query }) => {
        const listable = [...platform.volumes.values()].filter((v) => ctx.createLag.visible(v.urn));
        const { total, page } = paginate(byName(listable, query), query);
        return { body: { total, volumes: page.map(volumeView) } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/volumes/:volume',
      handle: ({ params }) => {
        const volume = volumeById(params.volume);
        // Hidden by the create lag: answered as a volume that does not exist.
        if (!readableById(ctx, volume.urn)) requireVolume(undefined, volume.id);
        return { body: volumeView(volume) };
      },
    },
    {
      method: 'PUT',
      pattern: '/service/sites/:site/volumes/:volume',
      handle: ({ params, body }) => {
        const volume = volumeById(params.volume);
        const request = parseBody(modifyVolumeBody, body);
        if (volume.operation !== undefined) throw DcsError.busy(`volume ${volume.name}`);
        if (request.type === 'normal' && volume.type === 'share')
          throw DcsError.invalid('type', 'a shared volume cannot be made normal again');
        platform.volumeModifyBodies.push({
          volumeUrn: volume.urn,
          body: { ...(body as Record<string, unknown>) },
        });
        if (request.name !== undefined) volume.name = request.name;
        if (request.type === 'share' && volume.type === 'normal') {
          // As FusionCompute does: a normal volume made shared becomes independent and persistent.
          volume.type = 'share';
          volume.indepDisk = true;
          volume.persistentDisk = true;
        }
        if (request.indepDisk !== undefined) volume.indepDisk = request.indepDisk;
        if (request.persistentDisk !== undefined) volume.persistentDisk = request.persistentDisk;
        return { body: {} };
      },
    },
    {
      method: 'DELETE',
      pattern: '/service/sites/:site/volumes/:volume',
      handle: ({ params }) => {
        const volume = volumeById(params.volume);
        if (volume.vmUrn !== undefined || volume.operation !== undefined)
          throw DcsError.busy(`volume ${volume.name}`);
        volume.operation = 'deleting';
        const task = tasks.start('DeleteVolume', volume.urn, () => {
          platform.volumes.delete(volume.id);
        });
        return taskAnswer(task);
      },
    },
  ];
}
