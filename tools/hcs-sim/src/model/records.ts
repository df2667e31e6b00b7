/** Platform-side records; wire-views.ts turns them into the JSON each API answers. */

export type ServerStatus = 'BUILD' | 'ACTIVE' | 'SHUTOFF' | 'ERROR';

export interface ServerNic {
  subnetId: string;
  ip: string;
  portId: string;
  mac: string;
}

export interface ServerRecord {
  id: string;
  name: string;
  status: ServerStatus;
  /** `deleting` while a delete job runs; empty otherwise. */
  taskState: string;
  flavorId: string;
  imageId: string;
  availabilityZone: string;
  /** Simulated hypervisor host, chosen when the create job completes (anti-affinity is checked there). */
  host: string | undefined;
  vpcId: string;
  nics: ServerNic[];
  securityGroupIds: string[];
  keyName: string | undefined;
  /** Base64 cloud-init user data as sent. */
  userData: string | undefined;
  metadata: Record<string, string>;
  tags: string[];
  serverGroupId: string | undefined;
  created: string;
  updated: string;
}

export type VolumeStatus =
  | 'creating'
  | 'available'
  | 'in-use'
  | 'attaching'
  | 'detaching'
  | 'deleting'
  | 'error';

export interface VolumeRecord {
  id: string;
  name: string;
  sizeGiB: number;
  volumeType: string;
  availabilityZone: string;
  status: VolumeStatus;
  bootable: boolean;
  attachment: { serverId: string; device: string; attachmentId: string } | undefined;
  metadata: Record<string, string>;
  created: string;
}

export interface ServerGroupRecord {
  id: string;
  name: string;
  policies: string[];
  members: string[];
}

export interface LoadBalancerRecord {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  vipSubnetCidrId: string;
  vipAddress: string;
  vipPortId: string;
  elbVirsubnetIds: string[];
  /** Fixed backend-subnet addresses for TCP/UDP (L4) and HTTP(S) (L7) listeners, by Neutron network id. */
  elbVirsubnetL4Ips: { network_id: string; ips: string[] }[];
  elbVirsubnetL7Ips: { network_id: string; ips: string[] }[];
  availabilityZones: string[];
  provisioningStatus: 'PENDING_CREATE' | 'ACTIVE';
  created: string;
}

export interface ListenerRecord {
  id: string;
  name: string;
  protocol: string;
  protocolPort: number;
  loadbalancerId: string;
  defaultPoolId: string | undefined;
  created: string;
}

export interface PoolRecord {
  id: string;
  name: string;
  protocol: string;
  lbAlgorithm: string;
  loadbalancerId: string;
  listenerId: string | undefined;
  created: string;
}

export interface MemberRecord {
  id: string;
  poolId: string;
  name: string;
  address: string;
  protocolPort: number;
  subnetCidrId: string | undefined;
  weight: number;
  created: string;
}

export interface HealthMonitorRecord {
  id: string;
  name: string;
  poolId: string;
  type: string;
  delay: number;
  timeout: number;
  maxRetries: number;
  monitorPort: number | undefined;
  created: string;
}
