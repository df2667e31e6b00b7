import { createHash } from 'node:crypto';
import type { PlatformCallRecorder } from '@immutable-infra/core';
import type { LookupCache } from '@immutable-infra/provider-kit';
import type { HcsService } from './hcs-endpoints.js';
import type { HcsRequest, HcsResponse, ObjectRequest, ObsBucketRef } from './hcs-http.js';
import type {
  HcsCreateLoadBalancerRequest,
  HcsCreateServerRequest,
  HcsCreateVolumeRequest,
  HcsFlavor,
  HcsHealthMonitor,
  HcsImage,
  HcsJob,
  HcsListener,
  HcsLoadBalancer,
  HcsMember,
  HcsPool,
  HcsProject,
  HcsSecurityGroup,
  HcsServer,
  HcsServerGroup,
  HcsSubnet,
  HcsVolume,
  HcsVpc,
} from './hcs-types.js';

/** Sends a request of one project: an HcsHttp, or a pooled account's. */
export interface HcsSender {
  readonly projectId: string;
  request(spec: HcsRequest): Promise<HcsResponse>;
  /** OBS calls, signed with the same access key (OBS's own signature). */
  objectRequest(spec: ObjectRequest): Promise<{ status: number; headers: Record<string, string> }>;
  presignedObjectUrl(target: ObsBucketRef, key: string, expiresAt: Date): Promise<string> | string;
}

export interface HcsClientOptions {
  /** Counts and times every call for the host's metrics. */
  recorder?: PlatformCallRecorder | undefined;
  signal?: AbortSignal | undefined;
  /**
   * The account's short-lived cache of inventory lookups (images, flavors, zones, a cluster's
   * network by its names), shared by every reconcile on the account; none: every lookup is a call.
   */
  lookups?: LookupCache | undefined;
}

/** An operation's name: the service it goes to, then the call (`elb.listPools`). */
type Operation = `${HcsService}.${string}`;
type Query = HcsRequest['query'];

const passthrough: PlatformCallRecorder = { record: (_operation, call) => call() };

/** The regex ECS's `name` filter takes for exactly this name. */
function exactName(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/**
 * The HCS APIs the provider uses, one entry per call, over one signed transport. Long changes
 * (server create and delete, volume create, delete, attach and detach) answer a job id that the
 * caller records and checks with `getJob`; nothing here waits on the cloud.
 */
export class HcsClient {
  private readonly recorder: PlatformCallRecorder;

  constructor(
    private readonly http: HcsSender,
    private readonly options: HcsClientOptions = {},
  ) {
    this.recorder = options.recorder ?? passthrough;
  }

  private get project(): string {
    return this.http.projectId;
  }

  /**
   * `load` through the account's lookup cache under `key` (within this project), when there is
   * one: found things are kept for a short while, a miss (undefined) is asked again next time.
   */
  lookedUp<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const lookups = this.options.lookups;
    return lookups ? lookups.get(`${this.project}/${key}`, load) : load();
  }

  /** A list through the cache, kept only when not empty. */
  private async cachedList<T>(key: string, load: () => Promise<T[]>): Promise<T[]> {
    return (
      (await this.lookedUp(key, async () => {
        const items = await load();
        return items.length > 0 ? items : undefined;
      })) ?? []
    );
  }

  /** Calls the service the operation names and returns the answer's body. */
  private async send<T>(
    operation: Operation,
    method: HcsRequest['method'],
    path: string,
    body?: unknown,
    query?: Query,
  ): Promise<T> {
    const service = operation.slice(0, operation.indexOf('.')) as HcsService;
    const response = await this.recorder.record(operation, () =>
      this.http.request({ service, method, path, body, query, signal: this.options.signal }),
    );
    return response.body as T;
  }

  /** What a GET answers under `field` (HCS wraps every list and object in one). */
  private async read<T>(operation: Operation, path: string, field: string, query?: Query): Promise<T> {
    return (await this.send<Record<string, T>>(operation, 'GET', path, undefined, query))[field] as T;
  }

  /** A POST or PUT of `resource` wrapped under `field`, and what it answers under the same field. */
  private async write<T>(
    operation: Operation,
    path: string,
    field: string,
    resource: unknown,
    method: 'POST' | 'PUT' = 'POST',
  ): Promise<T> {
    return (await this.send<Record<string, T>>(operation, method, path, { [field]: resource }))[field] as T;
  }

  /** The listed items named exactly `name` (list filters match more: a prefix, or a pattern). */
  private async named<T extends { name: string }>(
    operation: Operation,
    path: string,
    field: string,
    name: string,
    query: Query = { name },
  ): Promise<T[]> {
    return (await this.read<T[]>(operation, path, field, query)).filter((item) => item.name === name);
  }

  /** A change ECS or EVS answers with a job id. */
  private async job(
    operation: Operation,
    method: HcsRequest['method'],
    path: string,
    body?: unknown,
  ): Promise<{ jobId: string }> {
    return { jobId: (await this.send<{ job_id: string }>(operation, method, path, body)).job_id };
  }

  /** A create ECS or EVS answers with a job id and the new resources' ids under `idsField`. */
  private async created(operation: Operation, path: string, body: unknown, idsField: string) {
    const answer = await this.send<Record<string, unknown>>(operation, 'POST', path, body);
    return { jobId: answer.job_id as string, ids: (answer[idsField] as string[] | undefined) ?? [] };
  }

  private async remove(operation: Operation, path: string): Promise<void> {
    await this.send(operation, 'DELETE', path);
  }

  private ecs(path: string): string {
    return `/v1/${this.project}/cloudservers${path}`;
  }

  private evs(path: string): string {
    return `/v2/${this.project}/cloudvolumes${path}`;
  }

  private elb(path: string): string {
    return `/v3/${this.project}/elb${path}`;
  }

  // OBS objects (the bootstrap data of machines, when the HCSCluster names a bucket)
  private object(operation: `obs.${string}`, spec: Omit<ObjectRequest, 'signal'>) {
    return this.recorder.record(operation, () =>
      this.http.objectRequest({ ...spec, signal: this.options.signal }),
    );
  }
  putObject = async (target: ObsBucketRef, key: string, content: string, contentType: string) => {
    const data = Buffer.from(content, 'utf8');
    await this.object('obs.putObject', {
      target,
      method: 'PUT',
      key,
      bytes: { data, contentType },
      // OBS refuses a body that arrived other than it was sent (BadDigest).
      headers: { 'content-md5': createHash('md5').update(data).digest('base64') },
    });
  };
  /** Whether the object exists; a missing object or bucket is a NotFound failure. */
  headObject = async (target: ObsBucketRef, key: string) => {
    await this.object('obs.headObject', { target, method: 'HEAD', key });
  };
  /** Deleting an object that is not there succeeds, as OBS answers it. */
  deleteObject = async (target: ObsBucketRef, key: string) => {
    await this.object('obs.deleteObject', { target, method: 'DELETE', key });
  };
  /** A GET URL that needs no credentials until `expiresAt`; as secret as the object. */
  presignedObjectUrl = async (target: ObsBucketRef, key: string, expiresAt: Date) =>
    this.http.presignedObjectUrl(target, key, expiresAt);

  // IAM: the projects the access key may use; a wrong key fails here with 401.
  listAuthProjects = () => this.read<HcsProject[]>('iam.listAuthProjects', '/v3/auth/projects', 'projects');

  // VPC
  listVpcs = () => this.read<HcsVpc[]>('vpc.listVpcs', `/v1/${this.project}/vpcs`, 'vpcs');
  listSubnets = (vpcId: string) =>
    this.read<HcsSubnet[]>('vpc.listSubnets', `/v1/${this.project}/subnets`, 'subnets', { vpc_id: vpcId });
  listSecurityGroups = (vpcId: string) =>
    this.read<HcsSecurityGroup[]>(
      'vpc.listSecurityGroups',
      `/v1/${this.project}/security-groups`,
      'security_groups',
      { vpc_id: vpcId },
    );

  // IMS and ECS catalog
  findImage = (name: string) =>
    this.lookedUp(
      `image/${name}`,
      async () => (await this.named<HcsImage>('ims.listImages', '/v2/cloudimages', 'images', name))[0],
    );
  /** Every image the project may boot (the machine template form's list). */
  listImages = () => this.read<HcsImage[]>('ims.listImages', '/v2/cloudimages', 'images');
  listFlavors = () =>
    this.cachedList('flavors', () =>
      this.read<HcsFlavor[]>('ecs.listFlavors', this.ecs('/flavors'), 'flavors'),
    );
  listAvailabilityZones = () =>
    this.cachedList('zones', async () => {
      const path = `/v2.1/${this.project}/os-availability-zone`;
      const zones = await this.read<{ zoneName: string; zoneState: { available: boolean } }[]>(
        'ecs.listAvailabilityZones',
        path,
        'availabilityZoneInfo',
      );
      return zones.filter((zone) => zone.zoneState.available).map((zone) => zone.zoneName);
    });

  /** The key pairs servers can be given (`keyPairName`). */
  listKeyPairs = async () =>
    (
      await this.read<{ keypair: { name: string } }[]>(
        'ecs.listKeypairs',
        `/v2.1/${this.project}/os-keypairs`,
        'keypairs',
      )
    ).map((entry) => entry.keypair.name);

  // ECS servers and jobs
  /** Servers with exactly this name (ECS matches `name` as a pattern, so it is anchored here). */
  findServersByName = (name: string) =>
    this.named<HcsServer>('ecs.listServers', this.ecs('/detail'), 'servers', name, {
      name: exactName(name),
      limit: 1000,
    });
  getServer = (id: string) => this.read<HcsServer>('ecs.showServer', this.ecs(`/${id}`), 'server');
  createServer = async (server: HcsCreateServerRequest) => {
    const { jobId, ids } = await this.created('ecs.createServers', this.ecs(''), { server }, 'serverIds');
    return { jobId, serverIds: ids };
  };
  /** Deletes servers with the volumes still attached (persistent disks are detached first). */
  deleteServers = (ids: string[], deleteVolumes: boolean) =>
    this.job('ecs.deleteServers', 'POST', this.ecs('/delete'), {
      servers: ids.map((id) => ({ id })),
      delete_volume: deleteVolumes,
      delete_publicip: false,
    });
  /** Stops servers (`SOFT`: the guest shuts down cleanly). */
  stopServers = (ids: string[], type: 'SOFT' | 'HARD' = 'SOFT') =>
    this.job('ecs.stopServers', 'POST', this.ecs('/action'), {
      'os-stop': { type, servers: ids.map((id) => ({ id })) },
    });
  attachVolume = (serverId: string, volumeId: string, device?: string) =>
    this.job('ecs.attachVolume', 'POST', this.ecs(`/${serverId}/attachvolume`), {
      volumeAttachment: { volumeId, ...(device ? { device } : {}) },
    });
  detachVolume = (serverId: string, volumeId: string) =>
    this.job('ecs.detachVolume', 'DELETE', this.ecs(`/${serverId}/detachvolume/${volumeId}`));
  /** An ECS or EVS job (`GET /v1/{project}/jobs/{id}`). */
  getJob = (id: string) =>
    this.send<HcsJob>('ecs.showJob', 'GET', `/v1/${this.project}/jobs/${encodeURIComponent(id)}`);

  // ECS server groups
  listServerGroups = () =>
    this.read<HcsServerGroup[]>('ecs.listServerGroups', this.ecs('/os-server-groups'), 'server_groups');
  createServerGroup = (name: string, policy: string) =>
    this.write<HcsServerGroup>('ecs.createServerGroup', this.ecs('/os-server-groups'), 'server_group', {
      name,
      policies: [policy],
    });
  deleteServerGroup = (id: string) =>
    this.remove('ecs.deleteServerGroup', this.ecs(`/os-server-groups/${id}`));

  // EVS
  findVolumesByName = (name: string) =>
    this.named<HcsVolume>('evs.listVolumes', this.evs('/detail'), 'volumes', name);
  /** The disk types of the region (`rootVolume.type`, `dataVolumes[].type`, persistent disks). */
  listVolumeTypes = async () =>
    (
      await this.read<{ name: string }[]>('evs.listVolumeTypes', `/v2/${this.project}/types`, 'volume_types')
    ).map((type) => type.name);
  getVolume = (id: string) => this.read<HcsVolume>('evs.showVolume', this.evs(`/${id}`), 'volume');
  createVolume = async (volume: HcsCreateVolumeRequest) => {
    const { jobId, ids } = await this.created('evs.createVolume', this.evs(''), { volume }, 'volume_ids');
    return { jobId, volumeIds: ids };
  };
  /** Renames a disk (synchronous). */
  renameVolume = (id: string, name: string) =>
    this.write<HcsVolume>('evs.updateVolume', this.evs(`/${id}`), 'volume', { name }, 'PUT');
  deleteVolume = (id: string) => this.job('evs.deleteVolume', 'DELETE', this.evs(`/${id}`));

  // ELB v3
  findLoadBalancers = (name: string) =>
    this.named<HcsLoadBalancer>('elb.listLoadBalancers', this.elb('/loadbalancers'), 'loadbalancers', name);
  getLoadBalancer = (id: string) =>
    this.read<HcsLoadBalancer>('elb.showLoadBalancer', this.elb(`/loadbalancers/${id}`), 'loadbalancer');
  createLoadBalancer = (loadbalancer: HcsCreateLoadBalancerRequest) =>
    this.write<HcsLoadBalancer>(
      'elb.createLoadBalancer',
      this.elb('/loadbalancers'),
      'loadbalancer',
      loadbalancer,
    );
  deleteLoadBalancer = (id: string) =>
    this.remove('elb.deleteLoadBalancer', this.elb(`/loadbalancers/${id}`));
  listListeners = (loadBalancerId: string) =>
    this.read<HcsListener[]>('elb.listListeners', this.elb('/listeners'), 'listeners', {
      loadbalancer_id: loadBalancerId,
    });
  createListener = (listener: {
    name: string;
    protocol: 'TCP';
    protocol_port: number;
    loadbalancer_id: string;
  }) => this.write<HcsListener>('elb.createListener', this.elb('/listeners'), 'listener', listener);
  deleteListener = (id: string) => this.remove('elb.deleteListener', this.elb(`/listeners/${id}`));
  listPools = (loadBalancerId: string) =>
    this.read<HcsPool[]>('elb.listPools', this.elb('/pools'), 'pools', { loadbalancer_id: loadBalancerId });
  createPool = (pool: {
    name: string;
    protocol: 'TCP';
    lb_algorithm: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP';
    listener_id: string;
  }) => this.write<HcsPool>('elb.createPool', this.elb('/pools'), 'pool', pool);
  deletePool = (id: string) => this.remove('elb.deletePool', this.elb(`/pools/${id}`));
  listMembers = (poolId: string) =>
    this.read<HcsMember[]>('elb.listMembers', this.elb(`/pools/${poolId}/members`), 'members');
  createMember = (
    poolId: string,
    member: { name: string; address: string; protocol_port: number; subnet_cidr_id?: string },
  ) => this.write<HcsMember>('elb.createMember', this.elb(`/pools/${poolId}/members`), 'member', member);
  deleteMember = (poolId: string, memberId: string) =>
    this.remove('elb.deleteMember', this.elb(`/pools/${poolId}/members/${memberId}`));
  listHealthMonitors = () =>
    this.read<HcsHealthMonitor[]>('elb.listHealthMonitors', this.elb('/healthmonitors'), 'healthmonitors');
  createHealthMonitor = (healthmonitor: {
    name: string;
    pool_id: string;
    type: 'TCP';
    delay: number;
    timeout: number;
    max_retries: number;
  }) =>
    this.write<HcsHealthMonitor>(
      'elb.createHealthMonitor',
      this.elb('/healthmonitors'),
      'healthmonitor',
      healthmonitor,
    );
  deleteHealthMonitor = (id: string) =>
    this.remove('elb.deleteHealthMonitor', this.elb(`/healthmonitors/${id}`));
}

/** The client's surface, for code that takes any implementation. */
export type HcsCloud = Pick<HcsClient, keyof HcsClient>;
