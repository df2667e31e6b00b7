import { z } from 'zod';
import { HcsError } from '../model/hcs-error.js';
import { newUuid } from '../model/ids.js';
import { jobView } from '../model/jobs.js';
import { flavorView, serverGroupView } from '../model/wire-views.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import type { SimContext } from './context.js';

const groupSchema = z.object({
  server_group: z.object({
    name: z.string().min(1).max(255),
    policies: z.array(z.enum(['anti-affinity', 'soft-anti-affinity'])).length(1),
  }),
});

/** ECS flavors, limits, key pairs, availability zones, server groups and the job API. */
export function ecsCatalogRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  return [
    {
      method: 'GET',
      pattern: '/v1/:project/cloudservers/flavors',
      service: 'ecs',
      operation: 'ecs.listFlavors',
      handle: () => ({ body: { flavors: cloud.inventory.flavors.map((f) => flavorView(cloud, f)) } }),
    },
    {
      method: 'GET',
      pattern: '/v1/:project/cloudservers/limits',
      service: 'ecs',
      operation: 'ecs.showLimits',
      handle: () => {
        const used = cloud.usage();
        const q = cloud.quotas;
        return {
          body: {
            absolute: {
              maxTotalInstances: q.instances,
              totalInstancesUsed: used.instances,
              maxTotalCores: q.cores,
              totalCoresUsed: used.cores,
              maxTotalRAMSize: q.ramMiB,
              totalRAMUsed: used.ramMiB,
              maxServerGroups: q.serverGroups,
              totalServerGroupsUsed: used.serverGroups,
              maxServerGroupMembers: q.serverGroupMembers,
              maxTotalKeypairs: 100,
              maxSecurityGroups: 100,
            },
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v2.1/:project/os-keypairs',
      service: 'ecs',
      operation: 'ecs.listKeypairs',
      handle: () => ({
        body: {
          keypairs: cloud.inventory.keyPairs.map((k) => ({
            keypair: { name: k.name, public_key: k.publicKey, fingerprint: `SHA256:${k.name}` },
          })),
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/v2.1/:project/os-availability-zone',
      service: 'ecs',
      operation: 'ecs.listAvailabilityZones',
      handle: () => ({
        body: {
          availabilityZoneInfo: cloud.inventory.availabilityZones.map((z) => ({
            zoneName: z.name,
            zoneState: { available: true },
            hosts: null,
          })),
        },
      }),
    },
    {
      method: 'POST',
      pattern: '/v1/:project/cloudservers/os-server-groups',
      service: 'ecs',
      operation: 'ecs.createServerGroup',
      handle: ({ body }) => {
        const { server_group } = parseBody(groupSchema, body, 'Ecs.0005');
        if (cloud.serverGroups.size + 1 > cloud.quotas.serverGroups)
          throw new HcsError(
            400,
            'Ecs.0001',
            `Insufficient ECS group quota (server groups: ${cloud.serverGroups.size} of ${cloud.quotas.serverGroups} used). Contact customer service to increase quota.`,
          );
        const group = {
          id: newUuid(),
          name: server_group.name,
          policies: server_group.policies,
          members: [],
        };
        cloud.serverGroups.set(group.id, group);
        return { body: { server_group: serverGroupView(group) } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/cloudservers/os-server-groups',
      service: 'ecs',
      operation: 'ecs.listServerGroups',
      handle: () => ({ body: { server_groups: [...cloud.serverGroups.values()].map(serverGroupView) } }),
    },
    {
      method: 'GET',
      pattern: '/v1/:project/cloudservers/os-server-groups/:group',
      service: 'ecs',
      operation: 'ecs.showServerGroup',
      handle: ({ params }) => {
        const group = cloud.serverGroups.get(params.group ?? '');
        if (!group) throw new HcsError(404, 'Ecs.0005', `Server group ${params.group} could not be found.`);
        return { body: { server_group: serverGroupView(group) } };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/:project/cloudservers/os-server-groups/:group',
      service: 'ecs',
      operation: 'ecs.deleteServerGroup',
      handle: ({ params }) => {
        const group = cloud.serverGroups.get(params.group ?? '');
        if (!group) throw new HcsError(404, 'Ecs.0005', `Server group ${params.group} could not be found.`);
        cloud.serverGroups.delete(group.id);
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/jobs/:job',
      service: 'ecs',
      operation: 'ecs.showJob',
      handle: ({ params }) => {
        const job = ctx.jobs.get(params.job ?? '');
        if (!job)
          throw new HcsError(404, 'Ecs.0005', `Invalid parameter job_id: job ${params.job} does not exist`);
        return { body: jobView(job) };
      },
    },
  ];
}
