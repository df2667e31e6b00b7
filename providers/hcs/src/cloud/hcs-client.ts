import type { PlatformCallRecorder } from '@immutable-infra/core';
import type { HcsService } from './hcs-endpoints.js';
import type { HcsRequest, HcsResponse } from './hcs-http.js';
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
}

export interface HcsClientOptions {
  /** Counts and times every call for the host's metrics. */
  recorder?: PlatformCallRecorder | undefined;
  signal?: AbortSignal | undefined;
}

const passthrough: PlatformCallRecorder = { record: (_operation, call) => call() };

/** The regex ECS's `name` filter takes for exactly this name. */
function exactName(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/**
 * The HCS APIs the provider uses, one method per call, over one signed transport. Long changes
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

  /** Calls the service the operation names (`elb.listPools` goes to `elb`) and returns the answer's body. */
  private async send<T>(
    operation: `${HcsService}.${string}`,
    method: HcsRequest['method'],
    path: string,
    body?: unknown,
    query?: HcsRequest['query'],
  ): Promise<T> {
    const service = operation.slice(0, operation.indexOf('.')) as HcsService;
    const response = await this.recorder.record(operation, () =>
      this.http.request({ service, method, path, body, query, signal: this.options.signal }),
    );
    return response.body as T;
  }

  private get<T>(operation: `${HcsService}.${string}`, path: string, query?: HcsRequest['query']) {
    return this.send<T>(operation, 'GET', path, undefined, query);
  }

  // IAM

  /** The projects the access key may use; a wrong key fails here with 401. */
  async listAuthProjects(): Promise<HcsProject[]> {
    return (await this.get<{ projects: HcsProject[] }>('iam.listAuthProjects', '/v3/auth/projects')).projects;
  }

  // VPC

  async listVpcs(): Promise<HcsVpc[]> {
    return (await this.get<{ vpcs: HcsVpc[] }>('vpc.listVpcs', `/v1/${this.project}/vpcs`)).vpcs;
  }

  async listSubnets(vpcId: string): Promise<HcsSubnet[]> {
    return (
      await this.get<{ subnets: HcsSubnet[] }>('vpc.listSubnets', `/v1/${this.project}/subnets`, {
        vpc_id: vpcId,
      })
    ).subnets;
  }

  async listSecurityGroups(vpcId: string): Promise<HcsSecurityGroup[]> {
    return (
      await this.get<{ security_groups: HcsSecurityGroup[] }>(
        'vpc.listSecurityGroups',
        `/v1/${this.project}/security-groups`,
        { vpc_id: vpcId },
      )
    ).security_groups;
  }

  // IMS and ECS catalog

  async findImage(name: string): Promise<HcsImage | undefined> {
    const { images } = await this.get<{ images: HcsImage[] }>('ims.listImages', '/v2/cloudimages', {
      name,
    });
    return images.find((image) => image.name === name);
  }

  async listFlavors(): Promise<HcsFlavor[]> {
    return (
      await this.get<{ flavors: HcsFlavor[] }>('ecs.listFlavors', `/v1/${this.project}/cloudservers/flavors`)
    ).flavors;
  }

  async listAvailabilityZones(): Promise<string[]> {
    const { availabilityZoneInfo } = await this.get<{
      availabilityZoneInfo: { zoneName: string; zoneState: { available: boolean } }[];
    }>('ecs.listAvailabilityZones', `/v2.1/${this.project}/os-availability-zone`);
    return availabilityZoneInfo.filter((z) => z.zoneState.available).map((z) => z.zoneName);
  }

  // ECS servers and jobs

  /** Servers with exactly this name (ECS matches `name` as a pattern, so it is anchored here). */
  async findServersByName(name: string): Promise<HcsServer[]> {
    const { servers } = await this.get<{ servers: HcsServer[] }>(
      'ecs.listServers',
      `/v1/${this.project}/cloudservers/detail`,
      { name: exactName(name), limit: 1000 },
    );
    return servers.filter((server) => server.name === name);
  }

  async getServer(id: string): Promise<HcsServer> {
    return (await this.get<{ server: HcsServer }>('ecs.showServer', `/v1/${this.project}/cloudservers/${id}`))
      .server;
  }

  async createServer(server: HcsCreateServerRequest): Promise<{ jobId: string; serverIds: string[] }> {
    const body = await this.send<{ job_id: string; serverIds?: string[] }>(
      'ecs.createServers',
      'POST',
      `/v1/${this.project}/cloudservers`,
      { server },
    );
    return { jobId: body.job_id, serverIds: body.serverIds ?? [] };
  }

  /** Deletes servers with the volumes still attached (persistent disks are detached first). */
  async deleteServers(ids: string[], deleteVolumes: boolean): Promise<{ jobId: string }> {
    const body = await this.send<{ job_id: string }>(
      'ecs.deleteServers',
      'POST',
      `/v1/${this.project}/cloudservers/delete`,
      {
        servers: ids.map((id) => ({ id })),
        delete_volume: deleteVolumes,
        delete_publicip: false,
      },
    );
    return { jobId: body.job_id };
  }

  /** Stops servers (`SOFT`: the guest shuts down cleanly); a job. */
  async stopServers(ids: string[], type: 'SOFT' | 'HARD' = 'SOFT'): Promise<{ jobId: string }> {
    const body = await this.send<{ job_id: string }>(
      'ecs.stopServers',
      'POST',
      `/v1/${this.project}/cloudservers/action`,
      {
        'os-stop': { type, servers: ids.map((id) => ({ id })) },
      },
    );
    return { jobId: body.job_id };
  }

  async attachVolume(serverId: string, volumeId: string, device?: string): Promise<{ jobId: string }> {
    const body = await this.send<{ job_id: string }>(
      'ecs.attachVolume',
      'POST',
      `/v1/${this.project}/cloudservers/${serverId}/attachvolume`,
      {
        volumeAttachment: { volumeId, ...(device ? { device } : {}) },
      },
    );
    return { jobId: body.job_id };
  }

  async detachVolume(serverId: string, volumeId: string): Promise<{ jobId: string }> {
    const body = await this.send<{ job_id: string }>(
      'ecs.detachVolume',
      'DELETE',
      `/v1/${this.project}/cloudservers/${serverId}/detachvolume/${volumeId}`,
    );
    return { jobId: body.job_id };
  }

  /** An ECS or EVS job (`GET /v1/{project}/jobs/{id}`). */
  async getJob(id: string): Promise<HcsJob> {
    return this.get<HcsJob>('ecs.showJob', `/v1/${this.project}/jobs/${encodeURIComponent(id)}`);
  }

  // ECS server groups

  async listServerGroups(): Promise<HcsServerGroup[]> {
    return (
      await this.get<{ server_groups: HcsServerGroup[] }>(
        'ecs.listServerGroups',
        `/v1/${this.project}/cloudservers/os-server-groups`,
      )
    ).server_groups;
  }

  async createServerGroup(name: string, policy: string): Promise<HcsServerGroup> {
    return (
      await this.send<{ server_group: HcsServerGroup }>(
        'ecs.createServerGroup',
        'POST',
        `/v1/${this.project}/cloudservers/os-server-groups`,
        { server_group: { name, policies: [policy] } },
      )
    ).server_group;
  }

  async deleteServerGroup(id: string): Promise<void> {
    await this.send(
      'ecs.deleteServerGroup',
      'DELETE',
      `/v1/${this.project}/cloudservers/os-server-groups/${id}`,
    );
  }

  // EVS

  async findVolumesByName(name: string): Promise<HcsVolume[]> {
    const { volumes } = await this.get<{ volumes: HcsVolume[] }>(
      'evs.listVolumes',
      `/v2/${this.project}/cloudvolumes/detail`,
      { name },
    );
    return volumes.filter((volume) => volume.name === name);
  }

  async getVolume(id: string): Promise<HcsVolume> {
    return (await this.get<{ volume: HcsVolume }>('evs.showVolume', `/v2/${this.project}/cloudvolumes/${id}`))
      .volume;
  }

  async createVolume(volume: HcsCreateVolumeRequest): Promise<{ jobId: string; volumeIds: string[] }> {
    const body = await this.send<{ job_id: string; volume_ids?: string[] }>(
      'evs.createVolume',
      'POST',
      `/v2/${this.project}/cloudvolumes`,
      { volume },
    );
    return { jobId: body.job_id, volumeIds: body.volume_ids ?? [] };
  }

  /** Renames a disk (synchronous). */
  async renameVolume(id: string, name: string): Promise<HcsVolume> {
    return (
      await this.send<{ volume: HcsVolume }>(
        'evs.updateVolume',
        'PUT',
        `/v2/${this.project}/cloudvolumes/${id}`,
        { volume: { name } },
      )
    ).volume;
  }

  async deleteVolume(id: string): Promise<{ jobId: string }> {
    const body = await this.send<{ job_id: string }>(
      'evs.deleteVolume',
      'DELETE',
      `/v2/${this.project}/cloudvolumes/${id}`,
    );
    return { jobId: body.job_id };
  }

  // ELB v3

  private elb(path: string): string {
    return `/v3/${this.project}/elb${path}`;
  }

  async findLoadBalancers(name: string): Promise<HcsLoadBalancer[]> {
    const { loadbalancers } = await this.get<{ loadbalancers: HcsLoadBalancer[] }>(
      'elb.listLoadBalancers',
      this.elb('/loadbalancers'),
      { name },
    );
    return loadbalancers.filter((lb) => lb.name === name);
  }

  async getLoadBalancer(id: string): Promise<HcsLoadBalancer> {
    return (
      await this.get<{ loadbalancer: HcsLoadBalancer }>(
        'elb.showLoadBalancer',
        this.elb(`/loadbalancers/${id}`),
      )
    ).loadbalancer;
  }

  async createLoadBalancer(request: HcsCreateLoadBalancerRequest): Promise<HcsLoadBalancer> {
    return (
      await this.send<{ loadbalancer: HcsLoadBalancer }>(
        'elb.createLoadBalancer',
        'POST',
        this.elb('/loadbalancers'),
        { loadbalancer: request },
      )
    ).loadbalancer;
  }

  async deleteLoadBalancer(id: string): Promise<void> {
    await this.send('elb.deleteLoadBalancer', 'DELETE', this.elb(`/loadbalancers/${id}`));
  }

  async listListeners(loadBalancerId: string): Promise<HcsListener[]> {
    return (
      await this.get<{ listeners: HcsListener[] }>('elb.listListeners', this.elb('/listeners'), {
        loadbalancer_id: loadBalancerId,
      })
    ).listeners;
  }

  async createListener(listener: {
    name: string;
    protocol: 'TCP';
    protocol_port: number;
    loadbalancer_id: string;
  }): Promise<HcsListener> {
    return (
      await this.send<{ listener: HcsListener }>('elb.createListener', 'POST', this.elb('/listeners'), {
        listener,
      })
    ).listener;
  }

  async deleteListener(id: string): Promise<void> {
    await this.send('elb.deleteListener', 'DELETE', this.elb(`/listeners/${id}`));
  }

  async listPools(loadBalancerId: string): Promise<HcsPool[]> {
    return (
      await this.get<{ pools: HcsPool[] }>('elb.listPools', this.elb('/pools'), {
        loadbalancer_id: loadBalancerId,
      })
    ).pools;
  }

  async createPool(pool: {
    name: string;
    protocol: 'TCP';
    lb_algorithm: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP';
    listener_id: string;
  }): Promise<HcsPool> {
    return (await this.send<{ pool: HcsPool }>('elb.createPool', 'POST', this.elb('/pools'), { pool })).pool;
  }

  async deletePool(id: string): Promise<void> {
    await this.send('elb.deletePool', 'DELETE', this.elb(`/pools/${id}`));
  }

  async listMembers(poolId: string): Promise<HcsMember[]> {
    return (await this.get<{ members: HcsMember[] }>('elb.listMembers', this.elb(`/pools/${poolId}/members`)))
      .members;
  }

  async createMember(
    poolId: string,
    member: { name: string; address: string; protocol_port: number; subnet_cidr_id?: string },
  ): Promise<HcsMember> {
    return (
      await this.send<{ member: HcsMember }>(
        'elb.createMember',
        'POST',
        this.elb(`/pools/${poolId}/members`),
        { member },
      )
    ).member;
  }

  async deleteMember(poolId: string, memberId: string): Promise<void> {
    await this.send('elb.deleteMember', 'DELETE', this.elb(`/pools/${poolId}/members/${memberId}`));
  }

  async listHealthMonitors(): Promise<HcsHealthMonitor[]> {
    return (
      await this.get<{ healthmonitors: HcsHealthMonitor[] }>(
        'elb.listHealthMonitors',
        this.elb('/healthmonitors'),
      )
    ).healthmonitors;
  }

  async createHealthMonitor(monitor: {
    name: string;
    pool_id: string;
    type: 'TCP';
    delay: number;
    timeout: number;
    max_retries: number;
  }): Promise<HcsHealthMonitor> {
    return (
      await this.send<{ healthmonitor: HcsHealthMonitor }>(
        'elb.createHealthMonitor',
        'POST',
        this.elb('/healthmonitors'),
        { healthmonitor: monitor },
      )
    ).healthmonitor;
  }

  async deleteHealthMonitor(id: string): Promise<void> {
    await this.send('elb.deleteHealthMonitor', 'DELETE', this.elb(`/healthmonitors/${id}`));
  }
}

/** The client's surface, for code that takes any implementation. */
export type HcsCloud = Pick<HcsClient, keyof HcsClient>;
