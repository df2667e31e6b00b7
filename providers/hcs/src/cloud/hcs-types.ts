/** The wire fields the provider reads, in the names each HCS API uses. */

export interface HcsProject {
  id: string;
  name: string;
}

export interface HcsVpc {
  id: string;
  name: string;
  cidr: string;
}

export interface HcsSubnet {
  id: string;
  name: string;
  cidr: string;
  gateway_ip: string;
  vpc_id: string;
  /** The IPv4 subnet id of the network service: what ELB's `vip_subnet_cidr_id` takes. */
  neutron_subnet_id: string;
  /** The network id: what ELB's `elb_virsubnet_ids` take. */
  neutron_network_id: string;
  primary_dns?: string;
  secondary_dns?: string;
}

export interface HcsSecurityGroup {
  id: string;
  name: string;
  vpc_id: string;
}

export interface HcsImage {
  id: string;
  name: string;
  min_disk: number;
}

export interface HcsFlavor {
  id: string;
  name: string;
  vcpus: string;
  ram: number;
}

export interface HcsAddress {
  addr: string;
  'OS-EXT-IPS:port_id'?: string;
}

export interface HcsServer {
  id: string;
  name: string;
  /** BUILD, ACTIVE, SHUTOFF, ERROR, ... */
  status: string;
  metadata: Record<string, string>;
  tags?: string[];
  addresses: Record<string, HcsAddress[]>;
  'OS-EXT-AZ:availability_zone': string;
  'OS-EXT-STS:task_state': string | null;
  'os-extended-volumes:volumes_attached': { id: string; device: string; bootIndex: string | null }[];
}

export interface HcsVolume {
  id: string;
  name: string;
  /** creating, available, in-use, attaching, detaching, deleting, error, ... */
  status: string;
  size: number;
  volume_type: string;
  availability_zone: string;
  bootable: string;
  metadata: Record<string, string>;
  attachments: { server_id: string; device: string }[];
}

export type HcsJobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';

export interface HcsJob {
  job_id: string;
  job_type: string;
  status: HcsJobStatus;
  entities: {
    server_id?: string;
    volume_id?: string;
    sub_jobs?: { entities: { server_id?: string; volume_id?: string } }[];
  };
  error_code: string | null;
  fail_reason: string | null;
}

export interface HcsServerGroup {
  id: string;
  name: string;
  policies: string[];
  members: string[];
}

export interface HcsLoadBalancer {
  id: string;
  name: string;
  /** PENDING_CREATE, ACTIVE, ERROR, ... */
  provisioning_status: string;
  vip_address: string;
  vip_port_id: string;
  vip_subnet_cidr_id: string;
  elb_virsubnet_l4_ips?: HcsVirtualSubnetIps[];
  elb_virsubnet_l7_ips?: HcsVirtualSubnetIps[];
}

export interface HcsListener {
  id: string;
  name: string;
  protocol: string;
  protocol_port: number;
  default_pool_id: string | null;
  loadbalancers: { id: string }[];
}

export interface HcsPool {
  id: string;
  name: string;
  protocol: string;
  loadbalancers: { id: string }[];
  listeners: { id: string }[];
  healthmonitor_id: string | null;
}

export interface HcsMember {
  id: string;
  name: string;
  address: string;
  protocol_port: number;
  operating_status: string;
}

export interface HcsHealthMonitor {
  id: string;
  name: string;
  pools: { id: string }[];
}

/** What a server is created with (`POST /v1/{project}/cloudservers`). */
export interface HcsCreateServerRequest {
  name: string;
  imageRef: string;
  flavorRef: string;
  vpcid: string;
  nics: { subnet_id: string; ip_address?: string }[];
  root_volume: { volumetype: string; size?: number };
  data_volumes?: { volumetype: string; size: number }[];
  availability_zone?: string;
  security_groups?: { id: string }[];
  key_name?: string;
  /** Base64 of the cloud-init user data. */
  user_data?: string;
  metadata?: Record<string, string>;
  server_tags?: { key: string; value: string }[];
  'os:scheduler_hints'?: { group: string };
}

export interface HcsCreateVolumeRequest {
  name: string;
  size: number;
  volume_type: string;
  availability_zone: string;
  metadata?: Record<string, string>;
}

export interface HcsCreateLoadBalancerRequest {
  name: string;
  description?: string;
  vpc_id?: string;
  vip_subnet_cidr_id: string;
  vip_address?: string;
  elb_virsubnet_ids?: string[];
  /** Fixed backend-subnet addresses for L4 (TCP/UDP) and L7 (HTTP/HTTPS) listeners, by network id. */
  elb_virsubnet_l4_ips?: HcsVirtualSubnetIps[];
  elb_virsubnet_l7_ips?: HcsVirtualSubnetIps[];
  availability_zone_list: string[];
}

export interface HcsVirtualSubnetIps {
  network_id: string;
  ips: string[];
}
