import type { Cloud } from './cloud.js';
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

/** Record-to-JSON views, one per resource, in the field names each API uses. */

const VM_STATE: Record<ServerRecord['status'], string> = {
  BUILD: 'building',
  ACTIVE: 'active',
  SHUTOFF: 'stopped',
  ERROR: 'error',
};

export function serverView(cloud: Cloud, server: ServerRecord) {
  const flavor = cloud.flavor(server.flavorId);
  const attached = [...cloud.volumes.values()]
    .filter((v) => v.attachment?.serverId === server.id)
    .sort((a, b) => (a.attachment?.device ?? '').localeCompare(b.attachment?.device ?? ''));
  const groups = cloud.vpc(server.vpcId)?.securityGroups ?? [];
  return {
    id: server.id,
    name: server.name,
    status: server.status,
    created: server.created,
    updated: server.updated,
    progress: server.status === 'BUILD' ? 0 : 100,
    tenant_id: cloud.projectId,
    user_id: '',
    hostId: server.host ?? '',
    key_name: server.keyName ?? '',
    metadata: server.metadata,
    tags: server.tags,
    description: '',
    locked: false,
    flavor: {
      id: server.flavorId,
      name: flavor?.name ?? server.flavorId,
      vcpus: String(flavor?.vcpus ?? 0),
      ram: String(flavor?.ramMiB ?? 0),
      disk: '0',
    },
    image: { id: server.imageId },
    addresses: {
      [server.vpcId]: server.nics.map((nic) => ({
        version: '4',
        addr: nic.ip,
        'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': nic.mac,
        'OS-EXT-IPS:port_id': nic.portId,
      })),
    },
    security_groups: server.securityGroupIds.map((id) => ({
      id,
      name: groups.find((g) => g.id === id)?.name ?? id,
    })),
    'OS-EXT-AZ:availability_zone': server.availabilityZone,
    'OS-EXT-STS:vm_state': VM_STATE[server.status],
    'OS-EXT-STS:task_state': server.taskState || null,
    'OS-EXT-STS:power_state': server.status === 'ACTIVE' ? 1 : 0,
    'OS-EXT-SRV-ATTR:host': server.host ?? '',
    'OS-EXT-SRV-ATTR:hostname': server.name,
    'OS-EXT-SRV-ATTR:instance_name': `instance-${server.id.slice(0, 8)}`,
    'OS-EXT-SRV-ATTR:user_data': server.userData ?? null,
    'OS-SRV-USG:launched_at': server.status === 'BUILD' ? '' : server.updated,
    'os-extended-volumes:volumes_attached': attached.map((v) => ({
      id: v.id,
      device: v.attachment?.device ?? '',
      bootIndex: v.bootable ? '0' : null,
      delete_on_termination: String(v.bootable),
    })),
    'os:scheduler_hints': server.serverGroupId ? { group: [server.serverGroupId] } : {},
  };
}

export function flavorView(cloud: Cloud, flavor: Cloud['inventory']['flavors'][number]) {
  const zones = cloud.inventory.availabilityZones.map((z) => `${z.name}(normal)`).join(',');
  return {
    id: flavor.id,
    name: flavor.name,
    vcpus: String(flavor.vcpus),
    ram: flavor.ramMiB,
    disk: '0',
    swap: '',
    'OS-FLV-EXT-DATA:ephemeral': 0,
    'OS-FLV-DISABLED:disabled': false,
    rxtx_factor: 1,
    'os-flavor-access:is_public': true,
    links: [],
    os_extra_specs: {
      'ecs:performancetype': 'normal',
      'cond:operation:status': 'normal',
      'cond:operation:az': zones,
    },
  };
}

export function serverGroupView(group: ServerGroupRecord) {
  return { id: group.id, name: group.name, policies: group.policies, members: group.members, metadata: {} };
}

export function volumeView(cloud: Cloud, volume: VolumeRecord) {
  const attachment = volume.attachment;
  return {
    id: volume.id,
    name: volume.name,
    status: volume.status,
    size: volume.sizeGiB,
    volume_type: volume.volumeType,
    availability_zone: volume.availabilityZone,
    bootable: String(volume.bootable),
    multiattach: false,
    shareable: 'false',
    metadata: volume.metadata,
    created_at: volume.created,
    updated_at: volume.created,
    links: [],
    'os-vol-tenant-attr:tenant_id': cloud.projectId,
    attachments: attachment
      ? [
          {
            id: volume.id,
            volume_id: volume.id,
            server_id: attachment.serverId,
            attachment_id: attachment.attachmentId,
            device: attachment.device,
            host_name: cloud.servers.get(attachment.serverId)?.host ?? '',
            attached_at: volume.created,
          },
        ]
      : [],
  };
}

export function vpcView(vpc: Cloud['inventory']['vpcs'][number]) {
  return {
    id: vpc.id,
    name: vpc.name,
    cidr: vpc.cidr,
    status: 'OK',
    description: '',
    routes: [],
    enterprise_project_id: '0',
  };
}

export function subnetView(subnet: ReturnType<Cloud['subnets']>[number], gatewayIp: string) {
  return {
    id: subnet.id,
    name: subnet.name,
    cidr: subnet.cidr,
    gateway_ip: gatewayIp,
    vpc_id: subnet.vpcId,
    status: 'ACTIVE',
    dhcp_enable: true,
    primary_dns: '100.125.1.250',
    secondary_dns: '100.125.21.250',
    dnsList: ['100.125.1.250', '100.125.21.250'],
    availability_zone: subnet.availabilityZone ?? '',
    neutron_network_id: subnet.neutronNetworkId,
    neutron_subnet_id: subnet.neutronSubnetId,
    ipv6_enable: false,
  };
}

export function securityGroupView(vpcId: string, group: { id: string; name: string }) {
  return { id: group.id, name: group.name, vpc_id: vpcId, description: '', security_group_rules: [] };
}

export function imageView(image: Cloud['inventory']['images'][number]) {
  return {
    id: image.id,
    name: image.name,
    status: 'active',
    visibility: 'private',
    __imagetype: 'private',
    __os_type: image.osType,
    __platform: 'Other',
    min_disk: image.minDiskGiB,
    min_ram: 0,
    disk_format: 'qcow2',
    protected: false,
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export function loadBalancerView(cloud: Cloud, lb: LoadBalancerRecord) {
  return {
    id: lb.id,
    name: lb.name,
    description: lb.description,
    project_id: cloud.projectId,
    provisioning_status: lb.provisioningStatus,
    operating_status: 'ONLINE',
    admin_state_up: true,
    guaranteed: true,
    vpc_id: lb.vpcId,
    vip_subnet_cidr_id: lb.vipSubnetCidrId,
    vip_address: lb.vipAddress,
    vip_port_id: lb.vipPortId,
    elb_virsubnet_ids: lb.elbVirsubnetIds,
    elb_virsubnet_l4_ips: lb.elbVirsubnetL4Ips,
    elb_virsubnet_l7_ips: lb.elbVirsubnetL7Ips,
    availability_zone_list: lb.availabilityZones,
    listeners: [...cloud.listeners.values()]
      .filter((l) => l.loadbalancerId === lb.id)
      .map((l) => ({ id: l.id })),
    pools: [...cloud.pools.values()].filter((p) => p.loadbalancerId === lb.id).map((p) => ({ id: p.id })),
    eips: [],
    publicips: [],
    created_at: lb.created,
    updated_at: lb.created,
  };
}

export function listenerView(cloud: Cloud, listener: ListenerRecord) {
  return {
    id: listener.id,
    name: listener.name,
    protocol: listener.protocol,
    protocol_port: listener.protocolPort,
    default_pool_id: listener.defaultPoolId ?? null,
    loadbalancers: [{ id: listener.loadbalancerId }],
    admin_state_up: true,
    project_id: cloud.projectId,
    created_at: listener.created,
    updated_at: listener.created,
  };
}

export function poolView(cloud: Cloud, pool: PoolRecord) {
  const monitor = [...cloud.healthMonitors.values()].find((m) => m.poolId === pool.id);
  return {
    id: pool.id,
    name: pool.name,
    protocol: pool.protocol,
    lb_algorithm: pool.lbAlgorithm,
    loadbalancers: [{ id: pool.loadbalancerId }],
    listeners: pool.listenerId ? [{ id: pool.listenerId }] : [],
    members: cloud.membersOf(pool.id).map((m) => ({ id: m.id })),
    healthmonitor_id: monitor?.id ?? null,
    admin_state_up: true,
    ip_version: 'v4',
    project_id: cloud.projectId,
  };
}

export function memberView(cloud: Cloud, member: MemberRecord) {
  const server = cloud.serverWithAddress(member.address);
  return {
    id: member.id,
    name: member.name,
    address: member.address,
    protocol_port: member.protocolPort,
    subnet_cidr_id: member.subnetCidrId ?? null,
    weight: member.weight,
    admin_state_up: true,
    ip_version: 'v4',
    operating_status: server?.status === 'ACTIVE' ? 'ONLINE' : 'OFFLINE',
    project_id: cloud.projectId,
    created_at: member.created,
  };
}

export function healthMonitorView(cloud: Cloud, monitor: HealthMonitorRecord) {
  return {
    id: monitor.id,
    name: monitor.name,
    type: monitor.type,
    delay: monitor.delay,
    timeout: monitor.timeout,
    max_retries: monitor.maxRetries,
    monitor_port: monitor.monitorPort ?? null,
    pools: [{ id: monitor.poolId }],
    admin_state_up: true,
    project_id: cloud.projectId,
  };
}
