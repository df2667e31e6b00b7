import type { ResolvedQuotas, SiteInventory } from './inventory.js';
import type {
  HealthMonitorRecord,
  ListenerRecord,
  LoadBalancerRecord,
  MemberRecord,
  PoolRecord,
  ServerGroupRecord,
  ServerRecord,
  VolumeRecord,
} from './records.js';
import { SubnetAddresses } from './subnet-addresses.js';

export type Subnet = SiteInventory['vpcs'][number]['subnets'][number] & { vpcId: string };

/** What a project uses of each quota. */
export interface QuotaUsage {
  instances: number;
  cores: number;
  ramMiB: number;
  serverGroups: number;
  volumes: number;
  gigabytes: number;
  loadBalancers: number;
  listeners: number;
  pools: number;
  members: number;
  healthMonitors: number;
}

/**
 * Resources the create calls made since start-up, per kind (a server's own disks are not counted
 * as volumes): lets a test count creates, not only see what exists now.
 */
export interface CreateCounts {
  servers: number;
  volumes: number;
  loadBalancers: number;
  listeners: number;
  pools: number;
  members: number;
}

/** Everything that exists in the simulated region: the inventory plus what clients created. */
export class Cloud {
  readonly creates: CreateCounts = {
    servers: 0,
    volumes: 0,
    loadBalancers: 0,
    listeners: 0,
    pools: 0,
    members: 0,
  };
  readonly servers = new Map<string, ServerRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly serverGroups = new Map<string, ServerGroupRecord>();
  readonly loadBalancers = new Map<string, LoadBalancerRecord>();
  readonly listeners = new Map<string, ListenerRecord>();
  readonly pools = new Map<string, PoolRecord>();
  readonly members = new Map<string, MemberRecord>();
  readonly healthMonitors = new Map<string, HealthMonitorRecord>();
  private readonly addresses = new Map<string, SubnetAddresses>();
  quotas: ResolvedQuotas;

  constructor(readonly inventory: SiteInventory) {
    this.quotas = { ...inventory.quotas };
    for (const subnet of this.subnets())
      this.addresses.set(subnet.id, new SubnetAddresses(subnet.cidr, subnet.gatewayIp));
  }

  get projectId(): string {
    return this.inventory.projectId;
  }

  subnets(): Subnet[] {
    return this.inventory.vpcs.flatMap((vpc) => vpc.subnets.map((s) => ({ ...s, vpcId: vpc.id })));
  }

  /** A subnet by its VPC subnet id or by its Neutron subnet id (ELB v3 uses the latter). */
  subnet(id: string): Subnet | undefined {
    return this.subnets().find((s) => s.id === id || s.neutronSubnetId === id);
  }

  /** A subnet by its Neutron network id (ELB v3 `elb_virsubnet_ids`). */
  subnetByNetwork(networkId: string): Subnet | undefined {
    return this.subnets().find((s) => s.neutronNetworkId === networkId);
  }

  addressesOf(subnetId: string): SubnetAddresses {
    const pool = this.addresses.get(subnetId);
    if (!pool) throw new Error(`no address pool for subnet ${subnetId}`);
    return pool;
  }

  flavor(idOrName: string) {
    return this.inventory.flavors.find((f) => f.id === idOrName);
  }

  image(id: string) {
    return this.inventory.images.find((i) => i.id === id);
  }

  vpc(id: string) {
    return this.inventory.vpcs.find((v) => v.id === id);
  }

  availabilityZone(name: string) {
    return this.inventory.availabilityZones.find((z) => z.name === name);
  }

  usage(): QuotaUsage {
    let cores = 0;
    let ramMiB = 0;
    for (const server of this.servers.values()) {
      const flavor = this.flavor(server.flavorId);
      cores += flavor?.vcpus ?? 0;
      ramMiB += flavor?.ramMiB ?? 0;
    }
    return {
      instances: this.servers.size,
      cores,
      ramMiB,
      serverGroups: this.serverGroups.size,
      volumes: this.volumes.size,
      gigabytes: [...this.volumes.values()].reduce((sum, v) => sum + v.sizeGiB, 0),
      loadBalancers: this.loadBalancers.size,
      listeners: this.listeners.size,
      pools: this.pools.size,
      members: this.members.size,
      healthMonitors: this.healthMonitors.size,
    };
  }

  /**
   * A host for a server in its zone. Hosts are `<zone>-host-<n>`; an `anti-affinity` group never
   * puts two members on one host (undefined when no host is left), `soft-anti-affinity` spreads
   * members but falls back to the least used host.
   */
  placeServer(server: ServerRecord): string | undefined {
    const zone = this.availabilityZone(server.availabilityZone);
    const hosts = Array.from(
      { length: zone?.hosts ?? 1 },
      (_, i) => `${server.availabilityZone}-host-${i + 1}`,
    );
    const group = server.serverGroupId ? this.serverGroups.get(server.serverGroupId) : undefined;
    const load = (host: string, ids: Iterable<string>) =>
      [...ids].filter((id) => id !== server.id && this.servers.get(id)?.host === host).length;
    const allIds = [...this.servers.keys()];
    if (!group) return hosts.reduce((best, h) => (load(h, allIds) < load(best, allIds) ? h : best));
    const taken = (h: string) => load(h, group.members);
    const free = hosts.filter((h) => taken(h) === 0);
    if (free.length > 0) return free.reduce((best, h) => (load(h, allIds) < load(best, allIds) ? h : best));
    if (group.policies.includes('anti-affinity')) return undefined;
    return hosts.reduce((best, h) => (taken(h) < taken(best) ? h : best));
  }

  /** Members of a pool in creation order. */
  membersOf(poolId: string): MemberRecord[] {
    return [...this.members.values()].filter((m) => m.poolId === poolId);
  }

  /** The server whose NIC has this address, if any (a member is ONLINE when one is ACTIVE). */
  serverWithAddress(ip: string): ServerRecord | undefined {
    return [...this.servers.values()].find((s) => s.nics.some((n) => n.ip === ip));
  }
}
