import { z } from 'zod';
import { HcsError } from '../model/hcs-error.js';
import { newUuid } from '../model/ids.js';
import type { ServerRecord, VolumeRecord } from '../model/records.js';
import { serverView } from '../model/wire-views.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { jobAnswer, now, readableById, type SimContext } from './context.js';

const createSchema = z.object({
  server: z.looseObject({
    name: z.string().min(1).max(64),
    imageRef: z.string().min(1),
    flavorRef: z.string().min(1),
    vpcid: z.string().min(1),
    nics: z
      .array(z.object({ subnet_id: z.string().min(1), ip_address: z.string().optional() }))
      .min(1)
      .max(12),
    root_volume: z.object({
      volumetype: z.string().min(1),
      size: z.number().int().min(1).max(1024).optional(),
    }),
    data_volumes: z
      .array(z.looseObject({ volumetype: z.string().min(1), size: z.number().int().min(10).max(32_768) }))
      .max(23)
      .default([]),
    availability_zone: z.string().optional(),
    security_groups: z.array(z.object({ id: z.string().min(1) })).default([]),
    key_name: z.string().optional(),
    user_data: z.string().max(43_690).optional(),
    count: z.number().int().min(1).max(100).default(1),
    metadata: z.record(z.string(), z.string()).default({}),
    server_tags: z.array(z.object({ key: z.string().min(1), value: z.string().default('') })).default([]),
    'os:scheduler_hints': z.object({ group: z.string().optional() }).optional(),
  }),
});

const deleteSchema = z.object({
  servers: z
    .array(z.object({ id: z.string().min(1) }))
    .min(1)
    .max(1000),
  delete_volume: z.boolean().default(false),
  delete_publicip: z.boolean().default(false),
});

const actionSchema = z.union([
  z.object({
    'os-stop': z.object({
      servers: z
        .array(z.object({ id: z.string().min(1) }))
        .min(1)
        .max(1000),
      type: z.enum(['SOFT', 'HARD']).default('SOFT'),
    }),
  }),
  z.object({
    'os-start': z.object({
      servers: z
        .array(z.object({ id: z.string().min(1) }))
        .min(1)
        .max(1000),
    }),
  }),
]);

const ecsError = (status: number, code: string, message: string) => new HcsError(status, code, message);

/** ECS servers: create (job), list with details, show, batch delete (job). */
export function ecsServerRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  const create: Route['handle'] = ({ body }) => {
    const servers = reserveServers(ctx, parseBody(createSchema, body, 'Ecs.0005').server);
    const job = ctx.jobs.start('createServer', {
      subJobs: servers.map((s) => ({ type: 'createSingleServer', entities: { server_id: s.id } })),
      complete: () => {
        for (const server of servers) {
          const host = cloud.placeServer(server);
          if (!host)
            throw ecsError(
              500,
              'Ecs.0000',
              `No valid host was found: server group ${server.serverGroupId} (anti-affinity) has a member on every host`,
            );
          server.host = host;
        }
        for (const server of servers) {
          server.status = 'ACTIVE';
          server.updated = now();
          for (const volume of cloud.volumes.values())
            if (volume.attachment?.serverId === server.id) volume.status = 'in-use';
        }
      },
      rollback: () => {
        for (const server of servers) removeServer(ctx, server, true);
      },
    });
    return jobAnswer(job, { serverIds: servers.map((s) => s.id) });
  };
  return [
    // v1 is the pay-per-use create; the vendor SDK's createServers uses v1.1 (same body, same job).
    {
      method: 'POST',
      pattern: '/v1/:project/cloudservers',
      service: 'ecs',
      operation: 'ecs.createServers',
      handle: create,
    },
    {
      method: 'POST',
      pattern: '/v1.1/:project/cloudservers',
      service: 'ecs',
      operation: 'ecs.createServers',
      handle: create,
    },
    {
      method: 'GET',
      pattern: '/v1/:project/cloudservers/detail',
      service: 'ecs',
      operation: 'ecs.listServers',
      handle: ({ query }) => {
        let servers = [...cloud.servers.values()].filter((s) => ctx.createLag.visible(s.id));
        const name = query.get('name');
        if (name) {
          // ECS matches `name` as a pattern; a plain name therefore also finds longer names.
          const pattern = safeRegExp(name);
          servers = servers.filter((s) => pattern.test(s.name));
        }
        const status = query.get('status');
        if (status) servers = servers.filter((s) => s.status === status);
        const tags = query.get('tags');
        if (tags) servers = servers.filter((s) => tags.split(',').every((t) => s.tags.includes(t)));
        const limit = Number(query.get('limit') ?? '25');
        const offset = Number(query.get('offset') ?? '1');
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw ecsError(400, 'Ecs.0005', 'Invalid parameter limit: must be 1 to 1000');
        if (!Number.isInteger(offset) || offset < 1)
          throw ecsError(400, 'Ecs.0005', 'Invalid parameter offset: must be at least 1');
        const page = servers.slice((offset - 1) * limit, offset * limit);
        return { body: { count: servers.length, servers: page.map((s) => serverView(cloud, s)) } };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/:project/cloudservers/delete',
      service: 'ecs',
      operation: 'ecs.deleteServers',
      handle: ({ body }) => {
        const request = parseBody(deleteSchema, body, 'Ecs.0005');
        const servers = request.servers.map(({ id }) => {
          const server = cloud.servers.get(id);
          if (!server) throw ecsError(404, 'Ecs.0114', `Instance[${id}] could not be found.`);
          return server;
        });
        for (const server of servers) server.taskState = 'deleting';
        const job = ctx.jobs.start('deleteServer', {
          subJobs: servers.map((s) => ({ type: 'deleteSingleServer', entities: { server_id: s.id } })),
          complete: () => {
            for (const server of servers)
              if (cloud.servers.has(server.id)) removeServer(ctx, server, request.delete_volume);
          },
          rollback: () => {
            for (const server of servers) server.taskState = '';
          },
        });
        return jobAnswer(job);
      },
    },
    {
      // Batch stop (`os-stop`) and start (`os-start`), each a job: ACTIVE -> SHUTOFF and back.
      method: 'POST',
      pattern: '/v1/:project/cloudservers/action',
      service: 'ecs',
      operation: 'ecs.serverAction',
      handle: ({ body }) => {
        const request = parseBody(actionSchema, body, 'Ecs.0005');
        const stop = 'os-stop' in request;
        const ids = stop ? request['os-stop'].servers : request['os-start'].servers;
        const servers = ids.map(({ id }) => {
          const server = cloud.servers.get(id);
          if (!server) throw ecsError(404, 'Ecs.0114', `Instance[${id}] could not be found.`);
          if (server.status === 'BUILD' || server.taskState === 'deleting')
            throw ecsError(
              409,
              'Ecs.0005',
              `Invalid parameter server_id: server ${id} is ${server.taskState || server.status}`,
            );
          return server;
        });
        for (const server of servers) server.taskState = stop ? 'powering-off' : 'powering-on';
        const job = ctx.jobs.start(stop ? 'stopServer' : 'startServer', {
          subJobs: servers.map((s) => ({
            type: stop ? 'stopSingleServer' : 'startSingleServer',
            entities: { server_id: s.id },
          })),
          complete: () => {
            for (const server of servers) {
              server.taskState = '';
              if (cloud.servers.has(server.id)) {
                server.status = stop ? 'SHUTOFF' : 'ACTIVE';
                server.updated = now();
              }
            }
          },
          rollback: () => {
            for (const server of servers) server.taskState = '';
          },
        });
        return jobAnswer(job);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/:project/cloudservers/:server',
      service: 'ecs',
      operation: 'ecs.showServer',
      handle: ({ params }) => {
        const server = cloud.servers.get(params.server ?? '');
        if (!server || !readableById(ctx, server.id))
          throw ecsError(404, 'Ecs.0114', `Instance[${params.server}] could not be found.`);
        return { body: { server: serverView(cloud, server) } };
      },
    },
  ];
}

type CreateRequest = z.output<typeof createSchema>['server'];

/**
 * Checks a create request against the region and reserves what it needs at once (servers in
 * BUILD, addresses, volumes, group membership), so quotas and addresses count from acceptance.
 */
function reserveServers(ctx: SimContext, request: CreateRequest): ServerRecord[] {
  const { cloud } = ctx;
  const flavor = cloud.flavor(request.flavorRef);
  if (!flavor) throw ecsError(400, 'Ecs.0029', `The flavor ${request.flavorRef} does not exist.`);
  const image = cloud.image(request.imageRef);
  if (!image) throw ecsError(400, 'Ecs.0031', `The image ${request.imageRef} does not exist.`);
  const zone = request.availability_zone ?? cloud.inventory.availabilityZones[0]?.name ?? '';
  if (!cloud.availabilityZone(zone))
    throw ecsError(400, 'Ecs.0005', `Invalid parameter availability_zone: ${zone} does not exist`);
  const vpc = cloud.vpc(request.vpcid);
  if (!vpc)
    throw ecsError(
      400,
      'Ecs.0014',
      `Incorrect VPC, subnet, or security group parameter values: VPC ${request.vpcid} does not exist.`,
    );
  for (const nic of request.nics) {
    const subnet = cloud.subnet(nic.subnet_id);
    if (!subnet || subnet.id !== nic.subnet_id)
      throw ecsError(400, 'Ecs.0038', `The subnet ${nic.subnet_id} does not exist.`);
    if (subnet.vpcId !== vpc.id)
      throw ecsError(
        400,
        'Ecs.0014',
        `Incorrect VPC, subnet, or security group parameter values: subnet ${nic.subnet_id} is not in VPC ${vpc.id}.`,
      );
    if (nic.ip_address !== undefined) {
      if (request.count > 1)
        throw ecsError(400, 'Ecs.0005', 'Invalid parameter nics.ip_address: a fixed address needs count 1');
      const pool = cloud.addressesOf(subnet.id);
      if (!pool.contains(nic.ip_address))
        throw ecsError(
          400,
          'Ecs.0039',
          `The specified IP address ${nic.ip_address} does not belong to the subnet ${subnet.id}.`,
        );
      if (!pool.isFree(nic.ip_address))
        throw ecsError(400, 'Ecs.0010', `The private IP address ${nic.ip_address} is already being used.`);
    }
  }
  for (const group of request.security_groups)
    if (!vpc.securityGroups.some((g) => g.id === group.id))
      throw ecsError(
        400,
        'Ecs.0014',
        `Incorrect VPC, subnet, or security group parameter values: security group ${group.id} is not in VPC ${vpc.id}.`,
      );
  for (const type of [request.root_volume.volumetype, ...request.data_volumes.map((d) => d.volumetype)])
    if (!cloud.inventory.volumeTypes.includes(type))
      throw ecsError(400, 'Ecs.0043', `The disk type ${type} does not exist.`);
  const rootSize = request.root_volume.size ?? image.minDiskGiB;
  if (rootSize < image.minDiskGiB)
    throw ecsError(
      400,
      'Ecs.0005',
      `Invalid parameter root_volume.size: the image needs at least ${image.minDiskGiB} GB`,
    );
  if (request.key_name !== undefined && !cloud.inventory.keyPairs.some((k) => k.name === request.key_name))
    throw ecsError(
      400,
      'Ecs.0005',
      `Invalid parameter key_name: key pair ${request.key_name} does not exist`,
    );
  if (request.user_data !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(request.user_data))
    throw ecsError(400, 'Ecs.0005', 'Invalid parameter user_data: must be Base64-encoded');
  const groupId = request['os:scheduler_hints']?.group;
  const group = groupId === undefined ? undefined : cloud.serverGroups.get(groupId);
  if (groupId !== undefined && !group)
    throw ecsError(
      400,
      'Ecs.0005',
      `Invalid parameter os:scheduler_hints.group: server group ${groupId} does not exist`,
    );

  const used = cloud.usage();
  const limits = cloud.quotas;
  const n = request.count;
  const check = (over: boolean, what: string, code = 'Ecs.0001') => {
    if (over)
      throw ecsError(400, code, `Insufficient ${what} quota. Contact customer service to increase quota.`);
  };
  check(
    used.instances + n > limits.instances,
    `ECS (instances: ${used.instances} of ${limits.instances} used, ${n} asked)`,
  );
  check(
    used.cores + n * flavor.vcpus > limits.cores,
    `ECS (cores: ${used.cores} of ${limits.cores} used, ${n * flavor.vcpus} asked)`,
  );
  check(
    used.ramMiB + n * flavor.ramMiB > limits.ramMiB,
    `ECS (RAM MiB: ${used.ramMiB} of ${limits.ramMiB} used, ${n * flavor.ramMiB} asked)`,
  );
  const volumeCount = n * (1 + request.data_volumes.length);
  const gigabytes = n * (rootSize + request.data_volumes.reduce((s, d) => s + d.size, 0));
  check(
    used.volumes + volumeCount > limits.volumes,
    `EVS disk (volumes: ${used.volumes} of ${limits.volumes} used)`,
    'Ecs.0021',
  );
  check(
    used.gigabytes + gigabytes > limits.gigabytes,
    `EVS disk (gigabytes: ${used.gigabytes} of ${limits.gigabytes} used)`,
    'Ecs.0021',
  );
  if (group)
    check(
      group.members.length + n > limits.serverGroupMembers,
      `ECS group (members: ${group.members.length} of ${limits.serverGroupMembers})`,
      'Ecs.0022',
    );
  for (const nic of request.nics)
    if (nic.ip_address === undefined && cloud.addressesOf(nic.subnet_id).freeCount() < n)
      throw ecsError(400, 'Ecs.0012', `The subnet ${nic.subnet_id} does not contain enough IP addresses.`);

  const servers: ServerRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    const stamp = now();
    const nics = request.nics.map((nic) => {
      const pool = cloud.addressesOf(nic.subnet_id);
      let ip = nic.ip_address;
      if (ip === undefined) ip = pool.takeNext();
      else pool.take(ip);
      if (ip === undefined)
        throw ecsError(400, 'Ecs.0012', `The subnet ${nic.subnet_id} does not contain enough IP addresses.`);
      return { subnetId: nic.subnet_id, ip, portId: newUuid(), mac: macAddress() };
    });
    const server: ServerRecord = {
      id: newUuid(),
      name: n > 1 ? `${request.name}-${String(i + 1).padStart(4, '0')}` : request.name,
      status: 'BUILD',
      taskState: '',
      flavorId: flavor.id,
      imageId: image.id,
      availabilityZone: zone,
      host: undefined,
      vpcId: vpc.id,
      nics,
      securityGroupIds: request.security_groups.map((g) => g.id),
      keyName: request.key_name,
      userData: request.user_data,
      metadata: request.metadata,
      tags: request.server_tags.map((t) => (t.value ? `${t.key}=${t.value}` : t.key)),
      serverGroupId: groupId,
      created: stamp,
      updated: stamp,
    };
    cloud.servers.set(server.id, server);
    cloud.creates.servers += 1;
    ctx.createLag.created(server.id);
    group?.members.push(server.id);
    const disks = [{ volumetype: request.root_volume.volumetype, size: rootSize }, ...request.data_volumes];
    disks.forEach((disk, index) => {
      const volume: VolumeRecord = {
        id: newUuid(),
        name:
          index === 0
            ? `${server.name}-volume-0000`
            : `${server.name}-volume-${String(index).padStart(4, '0')}`,
        sizeGiB: disk.size,
        volumeType: disk.volumetype,
        availabilityZone: zone,
        status: 'creating',
        bootable: index === 0,
        attachment: { serverId: server.id, device: deviceName(index), attachmentId: newUuid() },
        metadata: {},
        created: stamp,
      };
      cloud.volumes.set(volume.id, volume);
      ctx.createLag.created(volume.id);
    });
    servers.push(server);
  }
  return servers;
}

/**
 * Removes a server with its addresses and group membership. The system disk always goes; other
 * attached volumes are deleted with `deleteVolumes`, otherwise detached and left available.
 */
export function removeServer(ctx: SimContext, server: ServerRecord, deleteVolumes: boolean): void {
  const { cloud } = ctx;
  for (const volume of [...cloud.volumes.values()]) {
    if (volume.attachment?.serverId !== server.id) continue;
    if (volume.bootable || deleteVolumes) cloud.volumes.delete(volume.id);
    else {
      volume.attachment = undefined;
      volume.status = 'available';
    }
  }
  for (const nic of server.nics) cloud.addressesOf(nic.subnetId).release(nic.ip);
  for (const group of cloud.serverGroups.values())
    group.members = group.members.filter((id) => id !== server.id);
  cloud.servers.delete(server.id);
}

export function deviceName(index: number): string {
  return `/dev/vd${String.fromCharCode('a'.charCodeAt(0) + index)}`;
}

function macAddress(): string {
  const bytes = newUuid().replace(/-/g, '').slice(0, 6);
  return `fa:16:3e:${bytes.slice(0, 2)}:${bytes.slice(2, 4)}:${bytes.slice(4, 6)}`;
}

function safeRegExp(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch {
    return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}
