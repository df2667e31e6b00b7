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

  private async call<T>(operation: string, spec: Omit<HcsRequest, 'signal'>): Promise<T> {
    const response = await this.recorder.record(operation, () =>
      this.http.request({ ...spec, signal: this.options.signal }),
    );
    return response.body as T;
  }

  private get<T>(operation: string, service: HcsService, path: string, query?: HcsRequest['query']) {
    return this.call<T>(operation, { service, method: 'GET', path, ...(query ? { query } : {}) });
  }

  // IAM

  /** The projects the access key may use; a wrong key fails here with 401. */
  async listAuthProjects(): Promise<HcsProject[]> {
    return (await this.get<{ projects: HcsProject[] }>('iam.listAuthProjects', 'iam', '/v3/auth/projects'))
      .projects;
  }

  // VPC

  async listVpcs(): Promise<HcsVpc[]> {
    return (await this.get<{ vpcs: HcsVpc[] }>('vpc.listVpcs', 'vpc', `/v1/${this.project}/vpcs`)).vpcs;
  }

  async listSubnets(vpcId: string): Promise<HcsSubnet[]> {
    return (
      await this.get<{ subnets: HcsSubnet[] }>('vpc.listSubnets', 'vpc', `/v1/${this.project}/subnets`, {
        vpc_id: vpcId,
      })
    ).subnets;
  }

  async listSecurityGroups(vpcId: string): Promise<HcsSecurityGroup[]> {
    return (
      await this.get<{ security_groups: HcsSecurityGroup[] }>(
        'vpc.listSecurityGroups',
        'vpc',
        `/v1/${this.project}/security-groups`,
        { vpc_id: vpcId },
      )
    ).security_groups;
  }

  // IMS and ECS catalog

  async findImage(name: string): Promise<HcsImage | undefined> {
    const { images } = await this.get<{ images: HcsImage[] }>('ims.listImages', 'ims', '/v2/cloudimages', {
      name,
    });
    return images.find((image) => image.name === name);
  }

  async listFlavors(): Promise<HcsFlavor[]> {
    return (
      await this.get<{ flavors: HcsFlavor[] }>(
        'ecs.listFlavors',
        'ecs',
        `/v1/${this.project}/cloudservers/flavors`,
      )
    ).flavors;
  }

  async listAvailabilityZones(): Promise<string[]> {
    const { availabilityZoneInfo } = await this.get<{
      availabilityZoneInfo: { zoneName: string; zoneState: { available: boolean } }[];
    }>('ecs.listAvailabilityZones', 'ecs', `/v2.1/${this.project}/os-availability-zone`);
    return availabilityZoneInfo.filter((z) => z.zoneState.available).map((z) => z.zoneName);
  }

  // ECS servers and jobs

  /** Servers with exactly this name (ECS matches `name` as a pattern, so it is anchored here). */
  async findServersByName(name: string): Promise<HcsServer[]> {
    const { servers } = await this.get<{ servers: HcsServer[] }>(
      'ecs.listServers',
      'ecs',
      `/v1/${this.project}/cloudservers/detail`,
      { name: exactName(name), limit: 1000 },
    );
    return servers.filter((server) => server.name === name);
  }

  async getServer(id: string): Promise<HcsServer> {
    return (
      await this.get<{ server: HcsServer }>('ecs.showServer', 'ecs', `/v1/${this.project}/cloudservers/${id}`)
    ).server;
  }

  async createServer(server: HcsCreateServerRequest): Promise<{ jobId: string; serverIds: string[] }> {
    const body = await this.call<{ job_id: string; serverIds?: string[] }>('ecs.createServers', {
      service: 'ecs',
      method: 'POST',
      path: `/v1/${this.project}/cloudservers`,
      body: { server },
    });
    return { jobId: body.job_id, serverIds: body.serverIds ?? [] };
  }

  /** Deletes servers with the volumes still attached (persistent disks are detached first). */
  async deleteServers(ids: string[], deleteVolumes: boolean): Promise<{ jobId: string }> {
    const body = await this.call<{ job_id: string }>('ecs.deleteServers', {
      service: 'ecs',
      method: 'POST',
      path: `/v1/${this.project}/cloudservers/delete`,
      body: { servers: ids.map((id) => ({ id })), delete_volume: deleteVolumes, delete_publicip: false },
    });
    return { jobId: body.job_id };
  }

  /** Stops servers (`SOFT`: the guest shuts down cleanly); a job. */
  async stopServers(ids: string[], type: 'SOFT' | 'HARD' = 'SOFT'): Promise<{ jobId: string }> {
    const body = await this.call<{ job_id: string }>('ecs.stopServers', {
      service: 'ecs',
      method: 'POST',
      path: `/v1/${this.project}/cloudservers/action`,
      body: { 'os-stop': { type, servers: ids.map((id) => ({ id })) } },
    });
    return { jobId: body.job_id };
  }

  async attachVolume(serverId: string, volumeId: string, device?: string): Promise<{ jobId: string }> {
    const body = await this.call<{ job_id: string }>('ecs.attachVolume', {
      service: 'ecs',
      method: 'POST',
      path: `/v1/${this.project}/cloudservers/${serverId}/attachvolume`,
      body: { volumeAttachment: { volumeId, ...(device ? { device } : {}) } },
    });
    return { jobId: body.job_id };
  }

  async detachVolume(serverId: string, volumeId: string): Promise<{ jobId: string }> {
    const body = await this.call<{ job_id: string }>('ecs.detachVolume', {
      service: 'ecs',
      method: 'DELETE',
      path: `/v1/${this.project}/cloudservers/${serverId}/detachvolume/${volumeId}`,
    });
    return { jobId: body.job_id };
  }

  /** An ECS or EVS job (`GET /v1/{project}/jobs/{id}`). */
  async getJob(id: string): Promise<HcsJob> {
    return this.get<HcsJob>('ecs.showJob', 'ecs', `/v1/${this.project}/jobs/${encodeURIComponent(id)}`);
  }

  // ECS server groups

  async listServerGroups(): Promise<HcsServerGroup[]> {
    return (
      await this.get<{ server_groups: HcsServerGroup[] }>(
        'ecs.listServerGroups',
        'ecs',
        `/v1/${this.project}/cloudservers/os-server-groups`,
      )
    ).server_groups;
  }

  async createServerGroup(name: string, policy: string): Promise<HcsServerGroup> {
    return (
      await this.call<{ server_group: HcsServerGroup }>('ecs.createServerGroup', {
        service: 'ecs',
        method: 'POST',
        path: `/v1/${this.project}/cloudservers/os-server-groups`,
        body: { server_group: { name, policies: [policy] } },
      })
    ).server_group;
  }

  async deleteServerGroup(id: string): Promise<void> {
    await this.call('ecs.deleteServerGroup', {
      service: 'ecs',
      method: 'DELETE',
      path: `/v1/${this.project}/cloudservers/os-server-groups/${id}`,
    });
  }

  // EVS

  async findVolumesByName(name: string): Promise<HcsVolume[]> {
    const { volumes } = await this.get<{ volumes: HcsVolume[] }>(
      'evs.listVolumes',
      'evs',
      `/v2/${this.project}/cloudvolumes/detail`,
      { name },
    );
    return volumes.filter((volume) => volume.name === name);
  }

  async getVolume(id: string): Promise<HcsVolume> {
    return (
      await this.get<{ volume: HcsVolume }>('evs.showVolume', 'evs', `/v2/${this.project}/cloudvolumes/${id}`)
    ).volume;
  }

  async createVolume(volume: HcsCreateVolumeRequest): Promise<{ jobId: string; volumeIds: string[] }> {
    const body = await this.call<{ job_id: string; volume_ids?: string[] }>('evs.createVolume', {
      service: 'evs',
      method: 'POST',
      path: `/v2/${this.project}/cloudvolumes`,
      body: { volume },
    });
    return { jobId: body.job_id, volumeIds: body.volume_ids ?? [] };
  }

  /** Renames a disk (synchronous). */
  async renameVolume(id: string, name: string): Promise<HcsVolume> {
    return (
      await this.call<{ volume: HcsVolume }>('evs.updateVolume', {
        service: 'evs',
        method: 'PUT',
        path: `/v2/${this.project}/cloudvolumes/${id}`,
        body: { volume: { name } },
      })
    ).volume;
  }

  async deleteVolume(id: string): Promise<{ jobId: string }> {
    const body = await this.call<{ job_id: string }>('evs.deleteVolume', {
      service: 'evs',
      method: 'DELETE',
      path: `/v2/${this.project}/cloudvolumes/${id}`,
    });
    return { jobId: body.job_id };
  }

  // ELB v3

  private elb(path: string): string {
    return `/v3/${this.project}/elb${path}`;
  }

  async findLoadBalancers(name: string): Promise<HcsLoadBalancer[]> {
    const { loadbalancers } = await this.get<{ loadbalancers: HcsLoadBalancer[] }>(
      'elb.listLoadBalancers',
      'elb',
      this.elb('/loadbalancers'),
      { name },
    );
    return loadbalancers.filter((lb) => lb.name === name);
  }

  async getLoadBalancer(id: string): Promise<HcsLoadBalancer> {
    return (
      await this.get<{ loadbalancer: HcsLoadBalancer }>(
        'elb.showLoadBalancer',
        'elb',
        this.elb(`/loadbalancers/${id}`),
      )
    ).loadbalancer;
  }

  async createLoadBalancer(request: HcsCreateLoadBalancerRequest): Promise<HcsLoadBalancer> {
    return (
      await this.call<{ loadbalancer: HcsLoadBalancer }>('elb.createLoadBalancer', {
        service: 'elb',
        method: 'POST',
        path: this.elb('/loadbalancers'),
        body: { loadbalancer: request },
      })
    ).loadbalancer;
  }

  async deleteLoadBalancer(id: string): Promise<void> {
    await this.call('elb.deleteLoadBalancer', {
      service: 'elb',
      method: 'DELETE',
      path: this.elb(`/loadbalancers/${id}`),
    });
  }

  async listListeners(loadBalancerId: string): Promise<HcsListener[]> {
    return (
      await this.get<{ listeners: HcsListener[] }>('elb.listListeners', 'elb', this.elb('/listeners'), {
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
      await this.call<{ listener: HcsListener }>('elb.createListener', {
        service: 'elb',
        method: 'POST',
        path: this.elb('/listeners'),
        body: { listener },
      })
    ).listener;
  }

  async deleteListener(id: string): Promise<void> {
    await this.call('elb.deleteListener', {
      service: 'elb',
      method: 'DELETE',
      path: this.elb(`/listeners/${id}`),
    });
  }

  async listPools(loadBalancerId: string): Promise<HcsPool[]> {
    return (
      await this.get<{ pools: HcsPool[] }>('elb.listPools', 'elb', this.elb('/pools'), {
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
    return (
      await this.call<{ pool: HcsPool }>('elb.createPool', {
        service: 'elb',
        method: 'POST',
        path: this.elb('/pools'),
        body: { pool },
      })
    ).pool;
  }

  async deletePool(id: string): Promise<void> {
    await this.call('elb.deletePool', { service: 'elb', method: 'DELETE', path: this.elb(`/pools/${id}`) });
  }

  async listMembers(poolId: string): Promise<HcsMember[]> {
    return (
      await this.get<{ members: HcsMember[] }>('elb.listMembers', 'elb', this.elb(`/pools/${poolId}/members`))
    ).members;
  }

  async createMember(
    poolId: string,
    member: { name: string; address: string; protocol_port: number; subnet_cidr_id?: string },
  ): Promise<HcsMember> {
    return (
      await this.call<{ member: HcsMember }>('elb.createMember', {
        service: 'elb',
        method: 'POST',
        path: this.elb(`/pools/${poolId}/members`),
        body: { member },
      })
    ).member;
  }

  async deleteMember(poolId: string, memberId: string): Promise<void> {
    await this.call('elb.deleteMember', {
      service: 'elb',
      method: 'DELETE',
      path: this.elb(`/pools/${poolId}/members/${memberId}`),
    });
  }

  async listHealthMonitors(): Promise<HcsHealthMonitor[]> {
    return (
      await this.get<{ healthmonitors: HcsHealthMonitor[] }>(
        'elb.listHealthMonitors',
        'elb',
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
      await this.call<{ healthmonitor: HcsHealthMonitor }>('elb.createHealthMonitor', {
        service: 'elb',
        method: 'POST',
        path: this.elb('/healthmonitors'),
        body: { healthmonitor: monitor },
      })
    ).healthmonitor;
  }

  async deleteHealthMonitor(id: string): Promise<void> {
    await this.call('elb.deleteHealthMonitor', {
      service: 'elb',
      method: 'DELETE',
      path: this.elb(`/healthmonitors/${id}`),
    });
  }
}

/** The client's surface, for code that takes any implementation. */
export type HcsCloud = Pick<HcsClient, keyof HcsClient>;
