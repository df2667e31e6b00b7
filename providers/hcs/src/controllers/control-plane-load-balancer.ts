import { done, falseCondition, requeue, type Step, trueCondition } from '@immutable-infra/core';
import {
  clusterNameOf,
  createOnce,
  foundOrCreatedOnce,
  mayBeUnlisted,
  RecordedFactChecks,
  sameMembers,
  syncRecordedMembers,
  tolerating,
  type WantedMember,
  wantedControlPlaneMembers,
} from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsLoadBalancer } from '../cloud/hcs-types.js';
import type { ClusterNetwork } from './cluster-network.js';
import { type ClusterRun, LOAD_BALANCER_READY, namespaceOf } from './cluster-run.js';
import { listenerName, loadBalancerName } from './names.js';

export const API_SERVER_PORT = 6443;

/**
 * How long recorded ELB parts and members are trusted without listing them again. A cluster is
 * reconciled on every change of its machines: listing the ELB, listener, pool and members each time
 * spent the platform's request budget (issue 23). Ids recorded in status are trusted as recorded
 * task and server references are; a NotFound from a call that uses them, or this recheck every few
 * minutes, looks again, and drift made outside the provider (a member removed by hand) is
 * corrected then.
 */
export const LOAD_BALANCER_RECHECK_MS = 5 * 60_000;

/** What the cluster reconcile trusts, under `<HCSCluster UID>/parts` and `/members`, while it was seen recently. */
export type LoadBalancerChecks = RecordedFactChecks;
export const newLoadBalancerChecks = (recheckMs = LOAD_BALANCER_RECHECK_MS): LoadBalancerChecks =>
  new RecordedFactChecks(recheckMs);

const uidOf = (run: ClusterRun) => run.ctx.object.metadata.uid ?? run.ctx.object.metadata.name;

type LoadBalancerStatus = NonNullable<NonNullable<HCSClusterObject['status']>['loadBalancer']>;

/**
 * Brings the cluster's ELB one step closer: the load balancer (created with its deterministic
 * name, found again by it after any crash), then a TCP listener on 6443, its pool, a TCP health
 * monitor. Each run does at most what is missing and says what it waits for.
 */
export const ensureLoadBalancer: Step<ClusterRun> = {
  name: 'EnsureLoadBalancer',
  async run(run) {
    const { ctx } = run;
    const status = await ensureParts(run, run.network as ClusterNetwork);
    ctx.status.loadBalancer = status.status;
    if ('waiting' in status) {
      ctx.setCondition(falseCondition(LOAD_BALANCER_READY, 'Provisioning', status.waiting));
      return requeue(1_000, status.waiting);
    }
    run.endpointHost = status.endpointHost;
    return done();
  },
};

async function ensureParts(
  run: ClusterRun,
  network: ClusterNetwork,
): Promise<{ status: LoadBalancerStatus } & ({ waiting: string } | { endpointHost: string })> {
  const { ctx } = run;
  const spec = ctx.object.spec.controlPlaneLoadBalancer ?? {};
  const known: LoadBalancerStatus = { ...(ctx.status.loadBalancer ?? ctx.object.status?.loadBalancer) };
  // Every part recorded and seen recently: nothing to ask the platform.
  const complete = known.id && known.vipAddress && known.listenerId && known.poolId && known.healthMonitorId;
  if (complete && run.loadBalancerChecks.isFresh(`${uidOf(run)}/parts`))
    return { status: known, endpointHost: spec.vipDomainName ?? (known.vipAddress as string) };
  const found = await findParts(run, network, known);
  if ('endpointHost' in found) run.loadBalancerChecks.seen(`${uidOf(run)}/parts`);
  return found;
}

async function findParts(
  { ctx, cloud, listingLagMs }: ClusterRun,
  network: ClusterNetwork,
  known: LoadBalancerStatus,
): Promise<{ status: LoadBalancerStatus } & ({ waiting: string } | { endpointHost: string })> {
  const namespace = namespaceOf(ctx);
  const clusterName = ctx.cluster.metadata.name;
  const name = loadBalancerName(namespace, clusterName);
  const spec = ctx.object.spec.controlPlaneLoadBalancer ?? {};
  // Each part is asked for once per listing lag: a lost answer never makes a second ELB or listener.
  const part = (key: string, what: string) => ({ key, what, listingLagMs });
  // By its recorded id first (one GET); by name when none is recorded or it is gone.
  let lb: HcsLoadBalancer | undefined = known.id
    ? await tolerating(cloud.getLoadBalancer(known.id), 'NotFound')
    : undefined;
  lb ??= (await cloud.findLoadBalancers(name))[0];
  if (!lb) {
    const vipSubnet = pickSubnet(network, spec.vipSubnetId, spec.vipSubnetName);
    const virtualSubnets = [...(spec.elbVirsubnetL4Ips ?? []), ...(spec.elbVirsubnetL7Ips ?? [])]
      .map((entry) => pickSubnet(network, undefined, entry.subnetName).neutron_network_id)
      .filter((id, index, all) => all.indexOf(id) === index);
    // Entries without ips only name a backend subnet; HCS then picks the addresses itself.
    const fixedIps = (entries: typeof spec.elbVirsubnetL4Ips) =>
      (entries ?? []).flatMap((entry) =>
        entry.ips
          ? [
              {
                network_id: pickSubnet(network, undefined, entry.subnetName).neutron_network_id,
                ips: entry.ips,
              },
            ]
          : [],
      );
    const l4 = fixedIps(spec.elbVirsubnetL4Ips);
    const l7 = fixedIps(spec.elbVirsubnetL7Ips);
    const zones = await cloud.listAvailabilityZones();
    const asked = await createOnce(ctx, part('loadBalancer', `ELB ${name}`), () =>
      cloud.createLoadBalancer({
        name,
        description: `control plane of cluster ${namespace}/${clusterName} (immutable-infra)`,
        vpc_id: network.vpc.id,
        vip_subnet_cidr_id: vipSubnet.neutron_subnet_id,
        ...(spec.vipAddress ? { vip_address: spec.vipAddress } : {}),
        ...(virtualSubnets.length > 0 ? { elb_virsubnet_ids: virtualSubnets } : {}),
        ...(l4.length > 0 ? { elb_virsubnet_l4_ips: l4 } : {}),
        ...(l7.length > 0 ? { elb_virsubnet_l7_ips: l7 } : {}),
        availability_zone_list: zones.slice(0, 1),
      }),
    );
    if (!asked.sent) return { status: known, waiting: asked.message };
    lb = asked.result;
  }
  const status: LoadBalancerStatus = {
    ...known,
    id: lb.id,
    vipAddress: lb.vip_address,
    vipPortId: lb.vip_port_id,
  };
  if (lb.provisioning_status !== 'ACTIVE')
    return { status, waiting: `ELB ${name} is ${lb.provisioning_status}` };

  const partName = listenerName(namespace, clusterName, API_SERVER_PORT);
  const loadBalancerId = lb.id;
  const listener = await foundOrCreatedOnce(
    ctx,
    part('listener', `listener ${partName}`),
    (await cloud.listListeners(loadBalancerId)).find(
      (l) => l.protocol === 'TCP' && l.protocol_port === API_SERVER_PORT,
    ),
    () =>
      cloud.createListener({
        name: partName,
        protocol: 'TCP',
        protocol_port: API_SERVER_PORT,
        loadbalancer_id: loadBalancerId,
      }),
  );
  if (!listener.ready) return { status, waiting: listener.message };
  const listenerId = listener.thing.id;
  status.listenerId = listenerId;
  const pool = await foundOrCreatedOnce(
    ctx,
    part('pool', `pool ${partName}`),
    (await cloud.listPools(loadBalancerId)).find((p) => p.listeners.some((l) => l.id === listenerId)),
    () =>
      cloud.createPool({
        name: partName,
        protocol: 'TCP',
        lb_algorithm: 'ROUND_ROBIN',
        listener_id: listenerId,
      }),
  );
  if (!pool.ready) return { status, waiting: pool.message };
  const poolId = pool.thing.id;
  status.poolId = poolId;
  const monitorId = pool.thing.healthmonitor_id;
  const monitor = await foundOrCreatedOnce<{ id: string }>(
    ctx,
    part('healthMonitor', `health monitor ${partName}`),
    monitorId ? { id: monitorId } : undefined,
    () =>
      cloud.createHealthMonitor({
        name: partName,
        pool_id: poolId,
        type: 'TCP',
        delay: 5,
        timeout: 3,
        max_retries: 3,
      }),
  );
  if (!monitor.ready) return { status, waiting: monitor.message };
  status.healthMonitorId = monitor.thing.id;
  return { status, endpointHost: spec.vipDomainName ?? lb.vip_address };
}

function pickSubnet(network: ClusterNetwork, id: string | undefined, name: string | undefined) {
  const subnet = id
    ? network.subnets.find((s) => s.id === id || s.neutron_subnet_id === id)
    : name
      ? network.subnets.find((s) => s.name === name)
      : network.subnets[0];
  if (!subnet)
    throw new Error(`controlPlaneLoadBalancer: subnet ${id ?? name} is not one of spec.network.subnets`);
  return subnet;
}

/**
 * Makes the pool's members exactly the wanted control plane machines (not being deleted, address
 * known): adds the missing, removes members whose machine is gone or whose address changed.
 * Members are named after their HCSMachine.
 */
export const syncLoadBalancerMembers: Step<ClusterRun> = {
  name: 'SyncLoadBalancerMembers',
  async run(run) {
    const { ctx, cloud, endpointHost, loadBalancerChecks } = run;
    const status = ctx.status.loadBalancer as LoadBalancerStatus;
    const poolId = status.poolId as string;
    const wanted = await wantedControlPlaneMembers(
      ctx.kube,
      { apiVersion: HCS_API_VERSION, kind: 'HCSMachine' },
      { namespace: namespaceOf(ctx), cluster: ctx.cluster.metadata.name },
    );
    const recorded = status.members ?? [];
    // The control plane as recorded and the pool seen recently: no listing (see LOAD_BALANCER_RECHECK_MS).
    if (!(sameMembers(wanted, recorded) && loadBalancerChecks.isFresh(`${uidOf(run)}/members`))) {
      const synced = await tolerating(syncPool(cloud, poolId, wanted), 'NotFound');
      if (!synced) {
        // The next reconcile lists the ELB's parts again and finds (or makes) the pool.
        loadBalancerChecks.forgetUnder(uidOf(run));
        return requeue(1_000, `pool ${poolId} of the control plane ELB is gone; looking for it again`);
      }
      ctx.status.loadBalancer = { ...status, members: synced.members };
      // A pool that needed changes is listed once more by the next reconcile, to see them.
      if (synced.unchanged) loadBalancerChecks.seen(`${uidOf(run)}/members`);
    }
    const count = ctx.status.loadBalancer?.members?.length ?? 0;
    const message = `${endpointHost}:${API_SERVER_PORT}, ${count} control plane members`;
    ctx.setCondition(trueCondition(LOAD_BALANCER_READY, 'Active', message));
    return done();
  },
};

/**
 * Lists the pool's members once and makes them the wanted ones; answers the members as they are
 * now (ids of the kept and the added) without listing again.
 */
const syncPool = async (cloud: HcsCloud, poolId: string, wanted: readonly WantedMember[]) =>
  syncRecordedMembers({
    wanted,
    current: await cloud.listMembers(poolId),
    add: (member) => addMember(cloud, poolId, member),
    remove: (member) => removeMember(cloud, poolId, member.id),
  });

/** Adds one machine to the pool; a member that is already there (another writer was first) is fine. */
export async function addMember(cloud: HcsCloud, poolId: string, member: WantedMember) {
  const wanted = { name: member.machineName, address: member.address, protocol_port: API_SERVER_PORT };
  return tolerating(cloud.createMember(poolId, wanted), 'Conflict');
}

/** Removes a member; one that is gone already is fine. */
const removeMember = (cloud: HcsCloud, poolId: string, memberId: string) =>
  tolerating(cloud.deleteMember(poolId, memberId), 'NotFound');

/**
 * Takes one machine's members out of the pool (before its server goes): those named after the
 * machine AND at one of its server's addresses. The name alone is not enough: a new machine of the
 * same name has members of that name too, at its own server's address.
 */
export async function removeMachineMembers(
  cloud: HcsCloud,
  poolId: string,
  machine: { machineName: string; addresses: readonly string[] },
): Promise<void> {
  const members = (await tolerating(cloud.listMembers(poolId), 'NotFound')) ?? [];
  for (const member of members)
    if (member.name === machine.machineName && machine.addresses.includes(member.address))
      await removeMember(cloud, poolId, member.id);
}

/**
 * Removes the cluster's ELB in the order that never strands a part: members, health monitor,
 * pool, listener, load balancer. Finds everything by the deterministic name, so parts whose ids
 * never reached status are found too; done once nothing is left.
 */
export const deleteLoadBalancer: Step<ClusterRun> = {
  name: 'DeleteLoadBalancer',
  async run({ ctx, cloud, listingLagMs }) {
    // The Cluster is gone already when the whole namespace is being deleted.
    const name = loadBalancerName(namespaceOf(ctx), clusterNameOf(ctx.object, ctx.cluster));
    const ids = new Set((await cloud.findLoadBalancers(name)).map((lb) => lb.id));
    const recordedId = ctx.object.status?.loadBalancer?.id;
    if (recordedId && !ids.has(recordedId)) {
      const recorded = await tolerating(cloud.getLoadBalancer(recordedId), 'NotFound');
      if (recorded) ids.add(recorded.id);
    }
    // An ELB asked for a moment ago may not be listed yet: left now, it would be an orphan.
    if (ids.size === 0 && mayBeUnlisted(ctx, 'loadBalancer', listingLagMs))
      return requeue(1_000, `ELB ${name} was asked for recently and is not listed yet`);
    for (const id of ids) {
      const pools = await cloud.listPools(id);
      const monitors = await cloud.listHealthMonitors();
      for (const pool of pools) {
        for (const member of await cloud.listMembers(pool.id)) await removeMember(cloud, pool.id, member.id);
        for (const monitor of monitors.filter((m) => m.pools.some((p) => p.id === pool.id)))
          await tolerating(cloud.deleteHealthMonitor(monitor.id), 'NotFound');
        await tolerating(cloud.deletePool(pool.id), 'NotFound');
      }
      for (const listener of await cloud.listListeners(id))
        await tolerating(cloud.deleteListener(listener.id), 'NotFound');
      await tolerating(cloud.deleteLoadBalancer(id), 'NotFound');
    }
    if ((await cloud.findLoadBalancers(name)).length > 0)
      return requeue(1_000, 'removing the control plane ELB');
    delete ctx.status.loadBalancer;
    return done();
  },
};
