import { z } from 'zod';
import { HcsError } from '../model/hcs-error.js';
import { newUuid } from '../model/ids.js';
import type { VolumeRecord } from '../model/records.js';
import { volumeView } from '../model/wire-views.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { jobAnswer, now, readableById, type SimContext } from './context.js';

const createSchema = z.object({
  volume: z.looseObject({
    name: z.string().min(1).max(64),
    size: z.number().int().min(10).max(32_768),
    volume_type: z.string().min(1),
    availability_zone: z.string().min(1),
    count: z.number().int().min(1).max(100).default(1),
    metadata: z.record(z.string(), z.string()).default({}),
  }),
});

const updateSchema = z.object({
  volume: z
    .object({ name: z.string().min(1).max(64).optional(), description: z.string().max(85).optional() })
    .refine((v) => v.name !== undefined || v.description !== undefined, 'name or description is required'),
});

/** EVS volumes: create and delete as jobs, list and show. Error codes here are modelled (wire-contract.md). */
export function evsRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  const find = (id: string) => {
    const volume = cloud.volumes.get(id);
    if (!volume) throw new HcsError(404, 'EVS.1002', `The volume ${id} does not exist.`);
    return volume;
  };
  return [
    {
      method: 'POST',
      pattern: '/v2/:project/cloudvolumes',
      service: 'evs',
      operation: 'evs.createVolume',
      handle: ({ body }) => {
        const request = parseBody(createSchema, body, 'EVS.1001').volume;
        if (!cloud.inventory.volumeTypes.includes(request.volume_type))
          throw new HcsError(
            400,
            'EVS.1001',
            `Invalid parameter volume.volume_type: ${request.volume_type} does not exist`,
          );
        if (!cloud.availabilityZone(request.availability_zone))
          throw new HcsError(
            400,
            'EVS.1001',
            `Invalid parameter volume.availability_zone: ${request.availability_zone} does not exist`,
          );
        const used = cloud.usage();
        const n = request.count;
        if (
          used.volumes + n > cloud.quotas.volumes ||
          used.gigabytes + n * request.size > cloud.quotas.gigabytes
        )
          throw new HcsError(
            400,
            'EVS.1004',
            `Insufficient EVS disk quota: volumes ${used.volumes}+${n} of ${cloud.quotas.volumes}, gigabytes ${used.gigabytes}+${n * request.size} of ${cloud.quotas.gigabytes}.`,
          );
        const volumes: VolumeRecord[] = Array.from({ length: n }, (_, i) => ({
          id: newUuid(),
          name: n > 1 ? `${request.name}-${String(i + 1).padStart(4, '0')}` : request.name,
          sizeGiB: request.size,
          volumeType: request.volume_type,
          availabilityZone: request.availability_zone,
          status: 'creating',
          bootable: false,
          attachment: undefined,
          metadata: request.metadata,
          created: now(),
        }));
        for (const volume of volumes) {
          cloud.volumes.set(volume.id, volume);
          cloud.creates.volumes += 1;
          ctx.createLag.created(volume.id);
        }
        const job = ctx.jobs.start('createVolume', {
          entities: { volume_id: volumes[0]?.id },
          subJobs: volumes.map((v) => ({ type: 'createVolume', entities: { volume_id: v.id } })),
          complete: () => {
            for (const volume of volumes) volume.status = 'available';
          },
          rollback: () => {
            for (const volume of volumes) cloud.volumes.delete(volume.id);
          },
        });
        return jobAnswer(job, { volume_ids: volumes.map((v) => v.id) });
      },
    },
    {
      method: 'GET',
      pattern: '/v2/:project/cloudvolumes/detail',
      service: 'evs',
      operation: 'evs.listVolumes',
      handle: ({ query }) => {
        let volumes = [...cloud.volumes.values()].filter((v) => ctx.createLag.visible(v.id));
        const name = query.get('name');
        if (name) volumes = volumes.filter((v) => v.name === name);
        const status = query.get('status');
        if (status) volumes = volumes.filter((v) => v.status === status);
        return { body: { count: volumes.length, volumes: volumes.map((v) => volumeView(cloud, v)) } };
      },
    },
    {
      method: 'GET',
      pattern: '/v2/:project/cloudvolumes/:volume',
      service: 'evs',
      operation: 'evs.showVolume',
      handle: ({ params }) => {
        const volume = find(params.volume ?? '');
        // Hidden by the create lag: answered as a volume that does not exist.
        if (!readableById(ctx, volume.id))
          throw new HcsError(404, 'EVS.1002', `The volume ${volume.id} does not exist.`);
        return { body: { volume: volumeView(cloud, volume) } };
      },
    },
    {
      // Rename or re-describe a disk (synchronous; at least one of the two).
      method: 'PUT',
      pattern: '/v2/:project/cloudvolumes/:volume',
      service: 'evs',
      operation: 'evs.updateVolume',
      handle: ({ params, body }) => {
        const volume = find(params.volume ?? '');
        const { name, description } = parseBody(updateSchema, body, 'EVS.1001').volume;
        if (name !== undefined) volume.name = name;
        if (description !== undefined) volume.metadata = { ...volume.metadata, description };
        return { body: { volume: volumeView(cloud, volume) } };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v2/:project/cloudvolumes/:volume',
      service: 'evs',
      operation: 'evs.deleteVolume',
      handle: ({ params }) => {
        const volume = find(params.volume ?? '');
        if (volume.status !== 'available' && volume.status !== 'error')
          throw new HcsError(
            400,
            'EVS.1003',
            `The volume ${volume.id} is ${volume.status}; only available volumes can be deleted.`,
          );
        volume.status = 'deleting';
        const job = ctx.jobs.start('deleteVolume', {
          entities: { volume_id: volume.id },
          complete: () => {
            cloud.volumes.delete(volume.id);
          },
          rollback: () => {
            volume.status = 'available';
          },
        });
        return jobAnswer(job);
      },
    },
    {
      method: 'GET',
      pattern: '/v2/:project/types',
      service: 'evs',
      operation: 'evs.listVolumeTypes',
      handle: () => ({
        body: {
          volume_types: cloud.inventory.volumeTypes.map((name) => ({
            id: name,
            name,
            extra_specs: {},
            is_public: true,
          })),
        },
      }),
    },
  ];
}
