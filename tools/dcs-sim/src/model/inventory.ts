import { z } from 'zod';

const decimalId = z.string().regex(/^\d+$/, 'must be a decimal id');
const name = z.string().min(1);

const templateSchema = z.object({
  /** `i-` plus 8 hex digits, like every VM id on the wire. */
  id: z.string().regex(/^i-[0-9A-F]{8}$/, "must be 'i-' plus 8 uppercase hex digits"),
  name,
  description: z.string().default(''),
  clusterId: decimalId,
  /** Folder name reported as the VM's `group`. */
  group: z.string().default(''),
  cpu: z.number().int().positive(),
  memoryMB: z.number().int().positive(),
  osType: z.enum(['Linux', 'Windows', 'Other']).default('Linux'),
  osVersion: z.number().int().default(0),
  disks: z
    .array(
      z.object({
        sequenceNum: z.number().int().positive(),
        quantityGB: z.number().int().positive(),
        datastoreId: decimalId,
        isThin: z.boolean().default(true),
      }),
    )
    .min(1),
  nics: z.array(
    z.object({ sequenceNum: z.number().int().positive(), dvSwitchId: decimalId, portGroupId: decimalId }),
  ),
});

/** What the simulated site holds before any call: the read-only inventory plus VM templates and users. */
export const inventorySchema = z
  .object({
    site: z.object({ id: z.string().regex(/^[0-9A-F]{8}$/, 'must be 8 uppercase hex characters'), name }),
    clusters: z.array(z.object({ id: decimalId, name })).min(1),
    hosts: z.array(z.object({ id: decimalId, name, clusterId: decimalId })).min(1),
    datastores: z
      .array(
        z.object({
          id: decimalId,
          name,
          capacityGB: z.number().positive(),
          freeSizeGB: z.number().nonnegative(),
          storageType: z.string().default('advanceSan'),
          /** Clusters whose hosts reach this datastore; all clusters when left out. */
          clusterIds: z.array(decimalId).optional(),
        }),
      )
      .min(1),
    datastoreClusters: z
      .array(z.object({ id: decimalId, name, datastoreIds: z.array(decimalId).min(1) }))
      .default([]),
    folders: z.array(z.object({ id: decimalId, name })).default([]),
    dvSwitches: z.array(
      z.object({
        id: decimalId,
        name,
        portGroups: z.array(z.object({ id: decimalId, name, vlanId: z.number().int().min(0).max(4094) })),
      }),
    ),
    templates: z.array(templateSchema).default([]),
    users: z
      .array(
        z.object({
          name,
          password: z.string().min(1),
          /** `2` interconnect (machine) user, `0` domain user, as sent in `X-Auth-UserType`. */
          userType: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(2),
        }),
      )
      .min(1),
  })
  .superRefine((inventory, ctx) => {
    // Cross-references are checked here so a typo in a hand-written inventory fails at start-up,
    // not as a confusing 404 in the middle of a test.
    const report = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const clusterIds = new Set(inventory.clusters.map((c) => c.id));
    const datastoreIds = new Set(inventory.datastores.map((d) => d.id));
    const portGroups = new Set(
      inventory.dvSwitches.flatMap((d) => d.portGroups.map((p) => `${d.id}/${p.id}`)),
    );
    inventory.hosts.forEach((host, i) => {
      if (!clusterIds.has(host.clusterId))
        report(['hosts', i, 'clusterId'], `unknown cluster ${host.clusterId}`);
    });
    inventory.datastores.forEach((datastore, i) => {
      datastore.clusterIds?.forEach((id, j) => {
        if (!clusterIds.has(id)) report(['datastores', i, 'clusterIds', j], `unknown cluster ${id}`);
      });
    });
    inventory.datastoreClusters.forEach((group, i) => {
      group.datastoreIds.forEach((id, j) => {
        if (!datastoreIds.has(id))
          report(['datastoreClusters', i, 'datastoreIds', j], `unknown datastore ${id}`);
      });
    });
    inventory.templates.forEach((template, i) => {
      if (!clusterIds.has(template.clusterId))
        report(['templates', i, 'clusterId'], `unknown cluster ${template.clusterId}`);
      template.disks.forEach((disk, j) => {
        if (!datastoreIds.has(disk.datastoreId))
          report(['templates', i, 'disks', j, 'datastoreId'], `unknown datastore ${disk.datastoreId}`);
      });
      template.nics.forEach((nic, j) => {
        if (!portGroups.has(`${nic.dvSwitchId}/${nic.portGroupId}`))
          report(['templates', i, 'nics', j], `unknown port group ${nic.dvSwitchId}/${nic.portGroupId}`);
      });
    });
    const duplicate = (ids: string[]) => ids.find((id, i) => ids.indexOf(id) !== i);
    for (const [key, ids] of [
      ['clusters', inventory.clusters.map((c) => c.id)],
      ['hosts', inventory.hosts.map((h) => h.id)],
      ['datastores', inventory.datastores.map((d) => d.id)],
      ['templates', inventory.templates.map((t) => t.id)],
      ['users', inventory.users.map((u) => u.name)],
    ] as const) {
      const id = duplicate([...ids]);
      if (id !== undefined) report([key], `duplicate id ${id}`);
    }
  });

/** An inventory as written by hand (defaults not yet applied). */
export type Inventory = z.input<typeof inventorySchema>;
/** An inventory after validation, with every default applied. */
export type ResolvedInventory = z.output<typeof inventorySchema>;

/**
 * One site shaped like a small production DCS: two clusters (one host, then two), three
 * datastores of which two form a datastore cluster, two folders, a business and a management
 * DV switch, and the two Kubernetes node templates the demo upgrades between.
 */
export function defaultInventory(): Inventory {
  const template = (id: string, name: string): z.input<typeof templateSchema> => ({
    id,
    name,
    description: `Ubuntu 22.04 node image with Kubernetes ${name.slice(name.lastIndexOf('-v') + 1)}`,
    clusterId: '10',
    group: 'templates',
    cpu: 2,
    memoryMB: 4096,
    osType: 'Linux',
    osVersion: 0,
    disks: [{ sequenceNum: 1, quantityGB: 40, datastoreId: '1', isThin: true }],
    nics: [{ sequenceNum: 1, dvSwitchId: '1', portGroupId: '1' }],
  });
  return {
    site: { id: '3CD306E7', name: 'site' },
    clusters: [
      { id: '10', name: 'ManagementCluster' },
      { id: '11', name: 'ComputeCluster' },
    ],
    hosts: [
      { id: '172', name: 'CNA01', clusterId: '10' },
      { id: '173', name: 'CNA02', clusterId: '11' },
      { id: '174', name: 'CNA03', clusterId: '11' },
    ],
    datastores: [
      { id: '1', name: 'datastore-ssd-01', capacityGB: 4096, freeSizeGB: 3500, storageType: 'advanceSan' },
      { id: '2', name: 'datastore-ssd-02', capacityGB: 4096, freeSizeGB: 3900, storageType: 'advanceSan' },
      { id: '3', name: 'datastore-nas-01', capacityGB: 8192, freeSizeGB: 8000, storageType: 'NAS' },
    ],
    datastoreClusters: [{ id: '1', name: 'ssd-pool', datastoreIds: ['1', '2'] }],
    folders: [
      { id: '1', name: 'kubernetes' },
      { id: '2', name: 'templates' },
    ],
    dvSwitches: [
      {
        id: '1',
        name: 'DVS-Business',
        portGroups: [
          { id: '1', name: 'business-vlan100', vlanId: 100 },
          { id: '2', name: 'business-vlan200', vlanId: 200 },
        ],
      },
      { id: '2', name: 'DVS-Management', portGroups: [{ id: '3', name: 'management', vlanId: 0 }] },
    ],
    templates: [
      template('i-00000001', 'ubuntu-2204-k8s-v1.34'),
      template('i-00000002', 'ubuntu-2204-k8s-v1.35'),
    ],
    users: [{ name: 'cluster-api', password: 'Huawei@123', userType: 2 }],
  };
}
