import { tolerating } from '@immutable-infra/provider-kit';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsLoadBalancer, HcsMember } from '../cloud/hcs-types.js';
import type { ClusterNetwork } from './cluster-network.js';
import { listenerName, loadBalancerName } from './names.js';

export const API_SERVER_PORT = 6443;

type LoadBalancerStatus = NonNullable<NonNullable<HCSClusterObject['status']>['loadBalancer']>;

/** A control plane machine the pool should hold, by HCSMachine name. */
export interface WantedMember {
  machineName: string;
  address: string;
}

export type LoadBalancerProgress =
  | { state: 'ready'; status: LoadBalancerStatus; endpointHost: string }
  | { state: 'waiting'; status: LoadBalancerStatus; message: string };

/**
 * Brings the cluster's ELB one step closer: the load balancer (created with its deterministic
 * name, found again by it after any crash), then a TCP listener on 6443, its pool, a TCP health
 * monitor. Each call does at most what is missing and says what it waits for.
 */
export async function ensureLoadBalancer(
  cloud: HcsCloud,
  cluster: Pick<HCSClusterObject, 'metadata' | 'spec'>,
  clusterName: string,
  network: ClusterNetwork,
  recorded: LoadBalancerStatus | undefined,
): Promise<LoadBalancerProgress> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const name = loadBalancerName(namespace, clusterName);
  const spec = cluster.spec.controlPlaneLoadBalancer ?? {};
  let lb: HcsLoadBalancer | undefined = (await cloud.findLoadBalancers(name))[0];
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
    lb = await cloud.createLoadBalancer({
      name,
      description: `control plane of cluster ${namespace}/${clusterName} (immutable-infra)`,
      vpc_id: network.vpc.id,
      vip_subnet_cidr_id: vipSubnet.neutron_subnet_id,
      ...(spec.vipAddress ? { vip_address: spec.vipAddress } : {}),
      ...(virtualSubnets.length > 0 ? { elb_virsubnet_ids: virtualSubnets } : {}),
      ...(l4.length > 0 ? { elb_virsubnet_l4_ips: l4 } : {}),
      ...(l7.length > 0 ? { elb_virsubnet_l7_ips: l7 } : {}),
      availability_zone_list: zones.slice(0, 1),
    });
  }
  const status: LoadBalancerStatus = {
    ...recorded,
    id: lb.id,
    vipAddress: lb.vip_address,
    vipPortId: lb.vip_port_id,
  };
  if (lb.provisioning_status !== 'ACTIVE')
    return { state: 'waiting', status, message: `ELB ${name} is ${lb.provisioning_status}` };

  const partName = listenerName(namespace, clusterName, API_SERVER_PORT);
  let listener = (await cloud.listListeners(lb.id)).find(
    (l) => l.protocol === 'TCP' && l.protocol_port === API_SERVER_PORT,
  );
  listener ??= await cloud.createListener({
    name: partName,
    protocol: 'TCP',
    protocol_port: API_SERVER_PORT,
    loadbalancer_id: lb.id,
  });
  status.listenerId = listener.id;
  let pool = (await cloud.listPools(lb.id)).find((p) => p.listeners.some((l) => l.id === listener.id));
  pool ??= await cloud.createPool({
    name: partName,
    protocol: 'TCP',
    lb_algorithm: 'ROUND_ROBIN',
    listener_id: listener.id,
  });
  status.poolId = pool.id;
  if (!pool.healthmonitor_id) {
    const monitor = await cloud.createHealthMonitor({
      name: partName,
      pool_id: pool.id,
      type: 'TCP',
      delay: 5,
      timeout: 3,
      max_retries: 3,
    });
    status.healthMonitorId = monitor.id;
  } else status.healthMonitorId = pool.healthmonitor_id;
  return { state: 'ready', status, endpointHost: spec.vipDomainName ?? lb.vip_address };
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
 * Makes the pool's members exactly the wanted control plane machines: adds the missing, removes
 * members whose machine is gone or whose address changed. Members are named after their HCSMachine.
 */
export async function syncMembers(
  cloud: HcsCloud,
  poolId: string,
  wanted: readonly WantedMember[],
): Promise<HcsMember[]> {
  const current = await cloud.listMembers(poolId);
  for (const member of current) {
    const keep = wanted.some((w) => w.machineName === member.name && w.address === member.address);
    if (!keep) await removeMember(cloud, poolId, member.id);
  }
  for (const w of wanted) {
    if (current.some((m) => m.name === w.machineName && m.address === w.address)) continue;
    await addMember(cloud, poolId, w);
  }
  return cloud.listMembers(poolId);
}

/** Adds one machine to the pool; a member that is already there (another writer was first) is fine. */
export async function addMember(cloud: HcsCloud, poolId: string, member: WantedMember): Promise<void> {
  const wanted = { name: member.machineName, address: member.address, protocol_port: API_SERVER_PORT };
  await tolerating(cloud.createMember(poolId, wanted), 'Conflict');
}

/** Removes a member; one that is gone already is fine. */
const removeMember = (cloud: HcsCloud, poolId: string, memberId: string) =>
  tolerating(cloud.deleteMember(poolId, memberId), 'NotFound');

/** Takes one machine's members out of the pool (before its server goes). */
export async function removeMachineMembers(
  cloud: HcsCloud,
  poolId: string,
  machineName: string,
): Promise<void> {
  const members = (await tolerating(cloud.listMembers(poolId), 'NotFound')) ?? [];
  for (const member of members) if (member.name === machineName) await removeMember(cloud, poolId, member.id);
}

/**
 * Removes the cluster's ELB in the order that never strands a part: members, health monitor,
 * pool, listener, load balancer. Finds everything by the deterministic name, so parts whose ids
 * never reached status are found too. True once nothing is left.
 */
export async function removeLoadBalancer(
  cloud: HcsCloud,
  namespace: string,
  clusterName: string,
  recordedId: string | undefined,
): Promise<boolean> {
  const byName = await cloud.findLoadBalancers(loadBalancerName(namespace, clusterName));
  const ids = new Set(byName.map((lb) => lb.id));
  if (recordedId && !ids.has(recordedId)) {
    const recorded = await tolerating(cloud.getLoadBalancer(recordedId), 'NotFound');
    if (recorded) ids.add(recorded.id);
  }
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
  return (await cloud.findLoadBalancers(loadBalancerName(namespace, clusterName))).length === 0;
}
