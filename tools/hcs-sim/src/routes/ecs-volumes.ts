import { z } from 'zod';
import { HcsError } from '../model/hcs-error.js';
import { newUuid } from '../model/ids.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { jobAnswer, type SimContext } from './context.js';
import { deviceName } from './ecs-servers.js';

const attachSchema = z.object({
  volumeAttachment: z.looseObject({ volumeId: z.string().min(1), device: z.string().optional() }),
});

/** Most disks one server takes (system disk included), as ECS limits attachments. */
const MAX_DEVICES = 24;

/** Attaching and detaching EVS volumes through ECS, both as jobs. */
export function ecsVolumeRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  const serverOf = (id: string) => {
    const server = cloud.servers.get(id);
    if (!server) throw new HcsError(404, 'Ecs.0114', `Instance[${id}] could not be found.`);
    if (server.status === 'BUILD' || server.taskState === 'deleting')
      throw new HcsError(
        409,
        'Ecs.0005',
        `Invalid parameter server_id: server ${id} is ${server.taskState || server.status}`,
      );
    return server;
  };
  return [
    {
      method: 'POST',
      pattern: '/v1/:project/cloudservers/:server/attachvolume',
      service: 'ecs',
      operation: 'ecs.attachVolume',
      handle: ({ params, body }) => {
        const server = serverOf(params.server ?? '');
        const { volumeId, device } = parseBody(attachSchema, body, 'Ecs.0005').volumeAttachment;
        const volume = cloud.volumes.get(volumeId);
        if (!volume)
          throw new HcsError(
            400,
            'Ecs.0005',
            `Invalid parameter volumeAttachment.volumeId: volume ${volumeId} does not exist`,
          );
        if (volume.status !== 'available')
          throw new HcsError(
            400,
            'Ecs.0017',
            `The status of the selected disk (${volume.status}) does not meet the attachment requirements on the ECS.`,
          );
        if (volume.availabilityZone !== server.availabilityZone)
          throw new HcsError(
            400,
            'Ecs.0005',
            `Invalid parameter volumeAttachment.volumeId: volume is in ${volume.availabilityZone}, server in ${server.availabilityZone}`,
          );
        const used = new Set(
          [...cloud.volumes.values()]
            .filter((v) => v.attachment?.serverId === server.id)
            .map((v) => v.attachment?.device),
        );
        if (used.size >= MAX_DEVICES)
          throw new HcsError(
            400,
            'Ecs.0042',
            'The number of attached data disks exceeds the maximum allowed limit.',
          );
        if (device !== undefined && used.has(device))
          throw new HcsError(
            400,
            'Ecs.0005',
            `Invalid parameter volumeAttachment.device: ${device} is in use`,
          );
        let index = 1;
        while (used.has(deviceName(index))) index += 1;
        volume.status = 'attaching';
        volume.attachment = {
          serverId: server.id,
          device: device ?? deviceName(index),
          attachmentId: newUuid(),
        };
        const job = ctx.jobs.start('attachVolume', {
          entities: { server_id: server.id, volume_id: volume.id },
          complete: () => {
            volume.status = 'in-use';
          },
          rollback: () => {
            volume.status = 'available';
            volume.attachment = undefined;
          },
        });
        return jobAnswer(job);
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/:project/cloudservers/:server/detachvolume/:volume',
      service: 'ecs',
      operation: 'ecs.detachVolume',
      handle: ({ params }) => {
        const server = serverOf(params.server ?? '');
        const volume = cloud.volumes.get(params.volume ?? '');
        if (!volume || volume.attachment?.serverId !== server.id)
          throw new HcsError(
            400,
            'Ecs.0005',
            `Invalid parameter volume_id: volume ${params.volume} is not attached to server ${server.id}`,
          );
        if (volume.bootable)
          throw new HcsError(
            400,
            'Ecs.0005',
            'Invalid parameter volume_id: the system disk cannot be detached',
          );
        if (volume.status !== 'in-use')
          throw new HcsError(
            409,
            'Ecs.0005',
            `Invalid parameter volume_id: volume ${volume.id} is ${volume.status}`,
          );
        volume.status = 'detaching';
        const job = ctx.jobs.start('detachVolume', {
          entities: { server_id: server.id, volume_id: volume.id },
          complete: () => {
            volume.status = 'available';
            volume.attachment = undefined;
          },
          rollback: () => {
            volume.status = 'in-use';
          },
        });
        return jobAnswer(job);
      },
    },
  ];
}
