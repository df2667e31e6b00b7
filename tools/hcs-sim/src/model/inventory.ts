import { z } from 'zod';
import { stableUuid } from './ids.js';

const name = z.string().min(1);
const cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 192.168.0.0/24');

const subnetSchema = z.strictObject({
  id: z.string().optional(),
  name,
  cidr,
  /** The gateway; the first address of the CIDR when left out. */
  gatewayIp: z.string().optional(),
  availabilityZone: z.string().optional(),
});

const vpcSchema = z.strictObject({
  id: z.string().optional(),
  name,
  cidr,
  subnets: z.array(subnetSchema).default([]),
  securityGroups: z.array(z.strictObject({ id: z.string().optional(), name })).default([]),
});

/** Limits per project; a create that would pass one is refused with the service's quota error. */
export const quotasSchema = z.strictObject({
  instances: z.number().int().min(0).default(50),
  cores: z.number().int().min(0).default(200),
  ramMiB: z.number().int().min(0).default(409_600),
  serverGroups: z.number().int().min(0).default(10),
  /** Server group members per group. */
  serverGroupMembers: z.number().int().min(0).default(16),
  volumes: z.number().int().min(0).default(100),
  gigabytes: z.number().int().min(0).default(10_000),
  loadBalancers: z.number().int().min(0).default(10),
  listeners: z.number().int().min(0).default(50),
  pools: z.number().int().min(0).default(50),
  members: z.number().int().min(0).default(200),
  healthMonitors: z.number().int().min(0).default(50),
});
export type Quotas = z.input<typeof quotasSchema>;
export type ResolvedQuotas = z.output<typeof quotasSchema>;

/**
 * What exists on the simulated HCS region before any client call: the account (domain, users,
 * access keys, one project), availability zones with their hosts, flavors, images, volume types,
 * VPCs with subnets and security groups, key pairs, and the quotas.
 */
export const inventorySchema = z.strictObject({
  region: name.default('hcs-region-1'),
  domain: z.strictObject({ name }).default({ name: 'hcs-sim' }),
  users: z
    .array(z.strictObject({ name, password: z.string().min(1) }))
    .default([{ name: 'cluster-api', password: 'Huawei@123' }]),
  /** AK/SK pairs; each belongs to a user. */
  accessKeys: z
    .array(z.strictObject({ accessKey: name, secretKey: z.string().min(1), user: name }))
    .default([
      { accessKey: 'HCSSIMACCESSKEY00001', secretKey: 'hcs-sim-secret-key-00001', user: 'cluster-api' },
    ]),
  project: z
    .strictObject({
      id: z
        .string()
        .regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits')
        .optional(),
      name,
    })
    .default({ name: 'hcs-region-1_cluster-api' }),
  availabilityZones: z
    .array(z.strictObject({ name, hosts: z.number().int().min(1).default(3) }))
    .min(1)
    .default([{ name: 'az1', hosts: 3 }]),
  flavors: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        name,
        vcpus: z.number().int().min(1),
        ramMiB: z.number().int().min(1),
      }),
    )
    .default([
      { name: 's6.large.2', vcpus: 2, ramMiB: 4096 },
      { name: 's6.xlarge.2', vcpus: 4, ramMiB: 8192 },
      { name: 's6.2xlarge.2', vcpus: 8, ramMiB: 16_384 },
    ]),
  images: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        name,
        minDiskGiB: z.number().int().min(1).default(40),
        osType: z.enum(['Linux', 'Windows']).default('Linux'),
      }),
    )
    .default([
      { name: 'microos-k8s-1.33.4', minDiskGiB: 40, osType: 'Linux' },
      { name: 'microos-k8s-1.34.1', minDiskGiB: 40, osType: 'Linux' },
    ]),
  volumeTypes: z.array(name).min(1).default(['SAS', 'SSD']),
  vpcs: z.array(vpcSchema).default([
    {
      name: 'cluster-vpc',
      cidr: '192.168.0.0/16',
      subnets: [
        { name: 'control-plane', cidr: '192.168.10.0/24' },
        { name: 'workers', cidr: '192.168.20.0/24' },
      ],
      securityGroups: [{ name: 'cluster-sg' }],
    },
  ]),
  keyPairs: z.array(z.strictObject({ name, publicKey: z.string().min(1) })).default([
    {
      name: 'cluster-key',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcsimulatedkeyonly cluster-key',
    },
  ]),
  quotas: quotasSchema.default(quotasSchema.parse({})),
  /** OBS buckets of the project (empty, private); objects are written through the API. */
  buckets: z
    .array(
      z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an OBS bucket name') }),
    )
    .default([{ name: 'iinfra-bootstrap' }]),
});

export type Inventory = z.input<typeof inventorySchema>;
export type ResolvedInventory = z.output<typeof inventorySchema>;

/** The inventory a simulator starts with when none is given (see the README for its contents). */
export function defaultInventory(): Inventory {
  return {};
}

/** Fills the ids the inventory left out with ones derived from names, so they are stable run to run. */
export function withIds(inventory: ResolvedInventory) {
  return {
    ...inventory,
    projectId: inventory.project.id ?? stableUuid('project', inventory.project.name).replace(/-/g, ''),
    domainId: stableUuid('domain', inventory.domain.name).replace(/-/g, ''),
    flavors: inventory.flavors.map((f) => ({ ...f, id: f.id ?? f.name })),
    images: inventory.images.map((i) => ({ ...i, id: i.id ?? stableUuid('image', i.name) })),
    vpcs: inventory.vpcs.map((vpc) => ({
      ...vpc,
      id: vpc.id ?? stableUuid('vpc', vpc.name),
      subnets: vpc.subnets.map((s) => ({
        ...s,
        id: s.id ?? stableUuid('subnet', `${vpc.name}/${s.name}`),
        neutronSubnetId: stableUuid('neutron-subnet', `${vpc.name}/${s.name}`),
        neutronNetworkId: stableUuid('neutron-network', `${vpc.name}/${s.name}`),
      })),
      securityGroups: vpc.securityGroups.map((g) => ({
        ...g,
        id: g.id ?? stableUuid('security-group', g.name),
      })),
    })),
  };
}
export type SiteInventory = ReturnType<typeof withIds>;
