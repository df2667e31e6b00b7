import { z } from 'zod';
import type { Cloud } from '../model/cloud.js';
import { HcsError } from '../model/hcs-error.js';
import { newUuid } from '../model/ids.js';
import {
  healthMonitorView,
  listenerView,
  loadBalancerView,
  memberView,
  poolView,
} from '../model/wire-views.js';
import type { Route, RouteAnswer } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { now, readableById, type SimContext } from './context.js';

const INVALID = 'ELB.1001';
const NOT_FOUND = 'ELB.1002';
const IN_USE = 'ELB.1003';
const QUOTA = 'ELB.1004';

// HCS's ELB takes fixed backend-subnet addresses per listener layer (the
// `elb_virsubnet_l4_ips` / `elb_virsubnet_l7_ips` of its create and show bodies).
const virsubnetIps = z
  .array(z.object({ network_id: z.string().min(1), ips: z.array(z.string().min(1)).min(1) }))
  .max(64)
  .default([]);
const lbSchema = z.object({
  loadbalancer: z.looseObject({
    name: z.string().max(255).default(''),
    description: z.string().max(255).default(''),
    vpc_id: z.string().optional(),
    vip_subnet_cidr_id: z.string().min(1),
    vip_address: z.string().optional(),
    elb_virsubnet_ids: z.array(z.string()).default([]),
    elb_virsubnet_l4_ips: virsubnetIps,
    elb_virsubnet_l7_ips: virsubnetIps,
    availability_zone_list: z.array(z.string()).min(1),
  }),
});
const listenerSchema = z.object({
  listener: z.looseObject({
    name: z.string().max(255).default(''),
    protocol: z.enum(['TCP', 'UDP', 'HTTP', 'HTTPS']),
    protocol_port: z.number().int().min(1).max(65_535),
    loadbalancer_id: z.string().min(1),
    default_pool_id: z.string().optional(),
  }),
});
const poolSchema = z.object({
  pool: z.looseObject({
    name: z.string().max(255).default(''),
    protocol: z.enum(['TCP', 'UDP', 'HTTP', 'HTTPS']),
    lb_algorithm: z.enum(['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP']),
    loadbalancer_id: z.string().optional(),
    listener_id: z.string().optional(),
  }),
});
const memberSchema = z.object({
  member: z.looseObject({
    name: z.string().max(255).default(''),
    address: z.string().min(1),
    protocol_port: z.number().int().min(1).max(65_535),
    subnet_cidr_id: z.string().optional(),
    weight: z.number().int().min(0).max(100).default(1),
  }),
});
const monitorSchema = z.object({
  healthmonitor: z.looseObject({
    name: z.string().max(255).default(''),
    pool_id: z.string().min(1),
    type: z.enum(['TCP', 'UDP_CONNECT', 'HTTP', 'HTTPS']),
    delay: z.number().int().min(1).max(50),
    timeout: z.number().int().min(1).max(50),
    max_retries: z.number().int().min(1).max(10),
    monitor_port: z.number().int().min(1).max(65_535).optional(),
  }),
});

/**
 * ELB v3 (dedicated load balancers): load balancers, listeners, pools, members and health
 * monitors. Writes answer at once (201, 204 on delete); a new load balancer is PENDING_CREATE for
 * `jobSeconds`, then ACTIVE. Error codes are modelled (wire-contract.md).
 */
export function elbRoutes(ctx: SimContext): Route[] {
  const { cloud } = ctx;
  const base = '/v3/:project/elb';
  const quota = (used: number, limit: number, what: string) => {
    if (used + 1 > limit)
      throw new HcsError(403, QUOTA, `Quota exceeded for ${what}: ${used} of ${limit} used.`);
  };
  const ok = (status: number, body: Record<string, unknown>): RouteAnswer => ({
    status,
    body: { ...body, request_id: newUuid().replace(/-/g, '') },
  });
  return [
    {
      method: 'POST',
      pattern: `${base}/loadbalancers`,
      service: 'elb',
      operation: 'elb.createLoadBalancer',
      handle: ({ body }) => {
        const input = parseBody(lbSchema, body, INVALID).loadbalancer;
        const subnet = cloud.subnet(input.vip_subnet_cidr_id);
        if (!subnet || subnet.neutronSubnetId !== input.vip_subnet_cidr_id)
          throw new HcsError(
            400,
            INVALID,
            `Invalid parameter loadbalancer.vip_subnet_cidr_id: IPv4 subnet ${input.vip_subnet_cidr_id} does not exist`,
          );
        for (const network of input.elb_virsubnet_ids)
          if (!cloud.subnetByNetwork(network))
            throw new HcsError(
              400,
              INVALID,
              `Invalid parameter loadbalancer.elb_virsubnet_ids: network ${network} does not exist`,
            );
        for (const zone of input.availability_zone_list)
          if (!cloud.availabilityZone(zone))
            throw new HcsError(
              400,
              INVALID,
              `Invalid parameter loadbalancer.availability_zone_list: ${zone} does not exist`,
            );
        quota(cloud.loadBalancers.size, cloud.quotas.loadBalancers, 'loadbalancer');
        const pool = cloud.addressesOf(subnet.id);
        let vip = input.vip_address;
        if (vip !== undefined) {
          if (!pool.contains(vip))
            throw new HcsError(
              400,
              INVALID,
              `Invalid parameter loadbalancer.vip_address: ${vip} is not in subnet ${subnet.cidr}`,
            );
          if (!pool.isFree(vip)) throw new HcsError(409, IN_USE, `The IP address ${vip} is already in use.`);
        }
        // Every fixed address is checked before any is taken, so a refused request holds none.
        const fixed = fixedBackendAddresses(cloud, input, vip === undefined ? [] : [{ subnet, ip: vip }]);
        if (vip !== undefined) pool.take(vip);
        else {
          vip = pool.takeNext();
          if (vip === undefined)
            throw new HcsError(409, IN_USE, `Subnet ${subnet.id} has no free IP address.`);
        }
        for (const { subnet: owner, ip } of fixed) cloud.addressesOf(owner.id).take(ip);
        const lb = {
          id: newUuid(),
          name: input.name,
          description: input.description,
          vpcId: input.vpc_id ?? subnet.vpcId,
          vipSubnetCidrId: input.vip_subnet_cidr_id,
          vipAddress: vip,
          vipPortId: newUuid(),
          elbVirsubnetIds: input.elb_virsubnet_ids,
          elbVirsubnetL4Ips: input.elb_virsubnet_l4_ips,
          elbVirsubnetL7Ips: input.elb_virsubnet_l7_ips,
          availabilityZones: input.availability_zone_list,
          provisioningStatus: 'PENDING_CREATE' as 'PENDING_CREATE' | 'ACTIVE',
          created: now(),
        };
        cloud.loadBalancers.set(lb.id, lb);
        cloud.creates.loadBalancers += 1;
        ctx.createLag.created(lb.id);
        ctx.jobs.start('createLoadBalancer', {
          complete: () => {
            lb.provisioningStatus = 'ACTIVE';
          },
          rollback: () => {
            lb.provisioningStatus = 'ACTIVE';
          },
        });
        return ok(201, { loadbalancer: loadBalancerView(cloud, lb), loadbalancer_id: lb.id });
      },
    },
    listRoute(ctx, `${base}/loadbalancers`, 'elb.listLoadBalancers', 'loadbalancers', () =>
      [...cloud.loadBalancers.values()].map((lb) => loadBalancerView(cloud, lb)),
    ),
    showRoute(ctx, `${base}/loadbalancers/:id`, 'elb.showLoadBalancer', 'loadbalancer', (id) => {
      const lb = cloud.loadBalancers.get(id);
      return lb && loadBalancerView(cloud, lb);
    }),
    deleteRoute(`${base}/loadbalancers/:id`, 'elb.deleteLoadBalancer', 'loadbalancer', (id) => {
      const lb = cloud.loadBalancers.get(id);
      if (!lb) return false;
      if (
        [...cloud.listeners.values()].some((l) => l.loadbalancerId === id) ||
        [...cloud.pools.values()].some((p) => p.loadbalancerId === id)
      )
        throw new HcsError(
          409,
          IN_USE,
          `Load balancer ${id} still has listeners or pools; delete them first.`,
        );
      const subnet = cloud.subnet(lb.vipSubnetCidrId);
      if (subnet) cloud.addressesOf(subnet.id).release(lb.vipAddress);
      for (const entry of [...lb.elbVirsubnetL4Ips, ...lb.elbVirsubnetL7Ips]) {
        const owner = cloud.subnetByNetwork(entry.network_id);
        if (owner) for (const ip of entry.ips) cloud.addressesOf(owner.id).release(ip);
      }
      cloud.loadBalancers.delete(id);
      return true;
    }),

    {
      method: 'POST',
      pattern: `${base}/listeners`,
      service: 'elb',
      operation: 'elb.createListener',
      handle: ({ body }) => {
        const input = parseBody(listenerSchema, body, INVALID).listener;
        const lb = requireLb(cloud, input.loadbalancer_id, 'listener.loadbalancer_id');
        if (
          [...cloud.listeners.values()].some(
            (l) =>
              l.loadbalancerId === lb.id &&
              l.protocolPort === input.protocol_port &&
              l.protocol === input.protocol,
          )
        )
          throw new HcsError(
            409,
            IN_USE,
            `Load balancer ${lb.id} already has a ${input.protocol} listener on port ${input.protocol_port}.`,
          );
        if (input.default_pool_id !== undefined && !cloud.pools.has(input.default_pool_id))
          throw new HcsError(
            400,
            INVALID,
            `Invalid parameter listener.default_pool_id: pool ${input.default_pool_id} does not exist`,
          );
        quota(cloud.listeners.size, cloud.quotas.listeners, 'listener');
        const listener = {
          id: newUuid(),
          name: input.name,
          protocol: input.protocol,
          protocolPort: input.protocol_port,
          loadbalancerId: lb.id,
          defaultPoolId: input.default_pool_id,
          created: now(),
        };
        cloud.listeners.set(listener.id, listener);
        cloud.creates.listeners += 1;
        ctx.createLag.created(listener.id);
        return ok(201, { listener: listenerView(cloud, listener) });
      },
    },
    listRoute(ctx, `${base}/listeners`, 'elb.listListeners', 'listeners', (q) =>
      [...cloud.listeners.values()]
        .filter((l) => !q.get('loadbalancer_id') || l.loadbalancerId === q.get('loadbalancer_id'))
        .map((l) => listenerView(cloud, l)),
    ),
    showRoute(ctx, `${base}/listeners/:id`, 'elb.showListener', 'listener', (id) => {
      const l = cloud.listeners.get(id);
      return l && listenerView(cloud, l);
    }),
    deleteRoute(`${base}/listeners/:id`, 'elb.deleteListener', 'listener', (id) => {
      if (!cloud.listeners.has(id)) return false;
      if ([...cloud.pools.values()].some((p) => p.listenerId === id))
        throw new HcsError(409, IN_USE, `Listener ${id} still has a pool; delete it first.`);
      cloud.listeners.delete(id);
      return true;
    }),

    {
      method: 'POST',
      pattern: `${base}/pools`,
      service: 'elb',
      operation: 'elb.createPool',
      handle: ({ body }) => {
        const input = parseBody(poolSchema, body, INVALID).pool;
        const listener = input.listener_id === undefined ? undefined : cloud.listeners.get(input.listener_id);
        if (input.listener_id !== undefined && !listener)
          throw new HcsError(
            400,
            INVALID,
            `Invalid parameter pool.listener_id: listener ${input.listener_id} does not exist`,
          );
        const lbId = input.loadbalancer_id ?? listener?.loadbalancerId;
        if (lbId === undefined)
          throw new HcsError(
            400,
            INVALID,
            'Invalid parameter pool: loadbalancer_id or listener_id is required',
          );
        const lb = requireLb(cloud, lbId, 'pool.loadbalancer_id');
        if (listener && [...cloud.pools.values()].some((p) => p.listenerId === listener.id))
          throw new HcsError(409, IN_USE, `Listener ${listener.id} already has a pool.`);
        quota(cloud.pools.size, cloud.quotas.pools, 'pool');
        const pool = {
          id: newUuid(),
          name: input.name,
          protocol: input.protocol,
          lbAlgorithm: input.lb_algorithm,
          loadbalancerId: lb.id,
          listenerId: listener?.id,
          created: now(),
        };
        cloud.pools.set(pool.id, pool);
        cloud.creates.pools += 1;
        ctx.createLag.created(pool.id);
        if (listener) listener.defaultPoolId = pool.id;
        return ok(201, { pool: poolView(cloud, pool) });
      },
    },
    listRoute(ctx, `${base}/pools`, 'elb.listPools', 'pools', (q) =>
      [...cloud.pools.values()]
        .filter((p) => !q.get('loadbalancer_id') || p.loadbalancerId === q.get('loadbalancer_id'))
        .map((p) => poolView(cloud, p)),
    ),
    showRoute(ctx, `${base}/pools/:id`, 'elb.showPool', 'pool', (id) => {
      const p = cloud.pools.get(id);
      return p && poolView(cloud, p);
    }),
    deleteRoute(`${base}/pools/:id`, 'elb.deletePool', 'pool', (id) => {
      const pool = cloud.pools.get(id);
      if (!pool) return false;
      if (cloud.membersOf(id).length > 0 || [...cloud.healthMonitors.values()].some((m) => m.poolId === id))
        throw new HcsError(
          409,
          IN_USE,
          `Pool ${id} still has members or a health monitor; delete them first.`,
        );
      for (const listener of cloud.listeners.values())
        if (listener.defaultPoolId === id) listener.defaultPoolId = undefined;
      cloud.pools.delete(id);
      return true;
    }),

    {
      method: 'POST',
      pattern: `${base}/pools/:pool/members`,
      service: 'elb',
      operation: 'elb.createMember',
      handle: ({ params, body }) => {
        const pool = cloud.pools.get(params.pool ?? '');
        if (!pool) throw new HcsError(404, NOT_FOUND, `Pool ${params.pool} does not exist.`);
        const input = parseBody(memberSchema, body, INVALID).member;
        if (input.subnet_cidr_id !== undefined) {
          const subnet = cloud.subnet(input.subnet_cidr_id);
          if (!subnet)
            throw new HcsError(
              400,
              INVALID,
              `Invalid parameter member.subnet_cidr_id: subnet ${input.subnet_cidr_id} does not exist`,
            );
          if (!cloud.addressesOf(subnet.id).contains(input.address))
            throw new HcsError(
              400,
              INVALID,
              `Invalid parameter member.address: ${input.address} is not in subnet ${subnet.cidr}`,
            );
        }
        if (
          cloud
            .membersOf(pool.id)
            .some((m) => m.address === input.address && m.protocolPort === input.protocol_port)
        )
          throw new HcsError(
            409,
            IN_USE,
            `Pool ${pool.id} already has member ${input.address}:${input.protocol_port}.`,
          );
        quota(cloud.members.size, cloud.quotas.members, 'member');
        const member = {
          id: newUuid(),
          poolId: pool.id,
          name: input.name,
          address: input.address,
          protocolPort: input.protocol_port,
          subnetCidrId: input.subnet_cidr_id,
          weight: input.weight,
          created: now(),
        };
        cloud.members.set(member.id, member);
        cloud.creates.members += 1;
        ctx.createLag.created(member.id);
        return ok(201, { member: memberView(cloud, member) });
      },
    },
    {
      method: 'GET',
      pattern: `${base}/pools/:pool/members`,
      service: 'elb',
      operation: 'elb.listMembers',
      handle: ({ params }) => {
        if (!cloud.pools.has(params.pool ?? ''))
          throw new HcsError(404, NOT_FOUND, `Pool ${params.pool} does not exist.`);
        const members = cloud
          .membersOf(params.pool ?? '')
          .filter((m) => ctx.createLag.visible(m.id))
          .map((m) => memberView(cloud, m));
        return ok(200, { members, page_info: { current_page_size: members.length } });
      },
    },
    {
      method: 'DELETE',
      pattern: `${base}/pools/:pool/members/:member`,
      service: 'elb',
      operation: 'elb.deleteMember',
      handle: ({ params }) => {
        const member = cloud.members.get(params.member ?? '');
        if (!member || member.poolId !== params.pool)
          throw new HcsError(
            404,
            NOT_FOUND,
            `Member ${params.member} of pool ${params.pool} does not exist.`,
          );
        cloud.members.delete(member.id);
        return { status: 204, body: undefined };
      },
    },

    {
      method: 'POST',
      pattern: `${base}/healthmonitors`,
      service: 'elb',
      operation: 'elb.createHealthMonitor',
      handle: ({ body }) => {
        const input = parseBody(monitorSchema, body, INVALID).healthmonitor;
        if (!cloud.pools.has(input.pool_id))
          throw new HcsError(
            400,
            INVALID,
            `Invalid parameter healthmonitor.pool_id: pool ${input.pool_id} does not exist`,
          );
        if ([...cloud.healthMonitors.values()].some((m) => m.poolId === input.pool_id))
          throw new HcsError(409, IN_USE, `Pool ${input.pool_id} already has a health monitor.`);
        if (input.timeout > input.delay)
          throw new HcsError(
            400,
            INVALID,
            'Invalid parameter healthmonitor.timeout: must not be greater than delay',
          );
        quota(cloud.healthMonitors.size, cloud.quotas.healthMonitors, 'healthmonitor');
        const monitor = {
          id: newUuid(),
          name: input.name,
          poolId: input.pool_id,
          type: input.type,
          delay: input.delay,
          timeout: input.timeout,
          maxRetries: input.max_retries,
          monitorPort: input.monitor_port,
          created: now(),
        };
        cloud.healthMonitors.set(monitor.id, monitor);
        return ok(201, { healthmonitor: healthMonitorView(cloud, monitor) });
      },
    },
    listRoute(ctx, `${base}/healthmonitors`, 'elb.listHealthMonitors', 'healthmonitors', () =>
      [...cloud.healthMonitors.values()].map((m) => healthMonitorView(cloud, m)),
    ),
    showRoute(ctx, `${base}/healthmonitors/:id`, 'elb.showHealthMonitor', 'healthmonitor', (id) => {
      const m = cloud.healthMonitors.get(id);
      return m && healthMonitorView(cloud, m);
    }),
    deleteRoute(`${base}/healthmonitors/:id`, 'elb.deleteHealthMonitor', 'healthmonitor', (id) =>
      cloud.healthMonitors.delete(id),
    ),
  ];
}

function requireLb(cloud: Cloud, id: string, field: string) {
  const lb = cloud.loadBalancers.get(id);
  if (!lb) throw new HcsError(400, INVALID, `Invalid parameter ${field}: load balancer ${id} does not exist`);
  return lb;
}

/** A list filtered by `id` and `name` query parameters (repeatable, as ELB v3 takes them). */
function listRoute(
  ctx: SimContext,
  pattern: string,
  operation: string,
  key: string,
  items: (query: URLSearchParams) => { id: string; name: string }[],
): Route {
  return {
    method: 'GET',
    pattern,
    service: 'elb',
    operation,
    handle: ({ query }) => {
      const ids = query.getAll('id');
      const names = query.getAll('name');
      const found = items(query).filter(
        (i) =>
          ctx.createLag.visible(i.id) &&
          (ids.length === 0 || ids.includes(i.id)) &&
          (names.length === 0 || names.includes(i.name)),
      );
      return {
        body: {
          [key]: found,
          page_info: { current_page_size: found.length },
          request_id: newUuid().replace(/-/g, ''),
        },
      };
    },
  };
}

function showRoute(
  ctx: SimContext,
  pattern: string,
  operation: string,
  key: string,
  find: (id: string) => unknown,
): Route {
  return {
    method: 'GET',
    pattern,
    service: 'elb',
    operation,
    handle: ({ params }) => {
      const id = params.id ?? '';
      const item = readableById(ctx, id) ? find(id) : undefined;
      if (!item) throw new HcsError(404, NOT_FOUND, `The ${key} ${params.id} does not exist.`);
      return { body: { [key]: item, request_id: newUuid().replace(/-/g, '') } };
    },
  };
}

function deleteRoute(
  pattern: string,
  operation: string,
  key: string,
  remove: (id: string) => boolean,
): Route {
  return {
    method: 'DELETE',
    pattern,
    service: 'elb',
    operation,
    handle: ({ params }) => {
      if (!remove(params.id ?? ''))
        throw new HcsError(404, NOT_FOUND, `The ${key} ${params.id} does not exist.`);
      return { status: 204, body: undefined };
    },
  };
}

type LoadBalancerInput = z.infer<typeof lbSchema>['loadbalancer'];
type Subnet = NonNullable<ReturnType<Cloud['subnet']>>;

/** The fixed L4/L7 backend addresses of a create request, each checked against its subnet and every other claim. */
function fixedBackendAddresses(
  cloud: Cloud,
  input: LoadBalancerInput,
  claimed: { subnet: Subnet; ip: string }[],
): { subnet: Subnet; ip: string }[] {
  const claims = [...claimed];
  const fixed: { subnet: Subnet; ip: string }[] = [];
  const layers = [
    ['elb_virsubnet_l4_ips', input.elb_virsubnet_l4_ips],
    ['elb_virsubnet_l7_ips', input.elb_virsubnet_l7_ips],
  ] as const;
  for (const [field, entries] of layers)
    for (const [index, entry] of entries.entries()) {
      const subnet = cloud.subnetByNetwork(entry.network_id);
      if (!subnet)
        throw new HcsError(
          400,
          INVALID,
          `Invalid parameter loadbalancer.${field}[${index}].network_id: network ${entry.network_id} does not exist`,
        );
      const addresses = cloud.addressesOf(subnet.id);
      for (const ip of entry.ips) {
        if (!addresses.contains(ip))
          throw new HcsError(
            400,
            INVALID,
            `Invalid parameter loadbalancer.${field}[${index}].ips: ${ip} is not in subnet ${subnet.cidr}`,
          );
        if (!addresses.isFree(ip) || claims.some((c) => c.subnet.id === subnet.id && c.ip === ip))
          throw new HcsError(409, IN_USE, `The IP address ${ip} is already in use.`);
        claims.push({ subnet, ip });
        fixed.push({ subnet, ip });
      }
    }
  return fixed;
}
