/**
 * The vSphere platform operations as the browser and the host see them: each
 * one's params and result as zod schemas (Fleet Essentials validates through
 * the Standard Schema interface zod implements). platform-proxy.ts attaches
 * the server side to each; the browser's calls are typed from
 * `VspherePlatformOperations` through the ui-kit's `platformClient`,
 * importing this module for its types only.
 */
import { ConnectionVerdictSchema } from '@immutable-infra/provider-kit';
import { z } from 'zod';

/** vCenter's own description of itself (ServiceContent.about), as the connection test reports it. */
export const VcenterAboutSchema = z.object({
  fullName: z.string(),
  apiVersion: z.string(),
  instanceUuid: z.string().optional(),
});
export type VcenterAbout = z.infer<typeof VcenterAboutSchema>;

/** An object the forms offer: its name, and the inventory path a manifest may name it by. */
export const InventoryItemSchema = z.object({ name: z.string(), path: z.string() });
export type InventoryItem = z.infer<typeof InventoryItemSchema>;

export const DatastoreFactSchema = InventoryItemSchema.extend({
  capacityGiB: z.number().optional(),
  freeGiB: z.number().optional(),
});
export type DatastoreFact = z.infer<typeof DatastoreFactSchema>;

/** A network a NIC can be put on: a standard port group, a distributed port group or an opaque (NSX) network. */
export const NetworkFactSchema = InventoryItemSchema.extend({
  kind: z.enum(['standard', 'distributed', 'opaque']),
});
export type NetworkFact = z.infer<typeof NetworkFactSchema>;

export const DatacenterInventorySchema = z.object({
  datacenter: z.string(),
  computeClusters: z.array(InventoryItemSchema),
  resourcePools: z.array(InventoryItemSchema),
  datastores: z.array(DatastoreFactSchema),
  networks: z.array(NetworkFactSchema),
  templates: z.array(InventoryItemSchema),
  folders: z.array(InventoryItemSchema),
});
export type DatacenterInventory = z.infer<typeof DatacenterInventorySchema>;

export const vspherePlatformOperations = {
  /**
   * The credential form's "Test connection": logs in and reports vCenter's
   * about information, or says why not (unreachable, certificate, login).
   */
  testConnection: {
    params: z.object({}),
    result: ConnectionVerdictSchema.extend({ about: VcenterAboutSchema.optional() }),
  },
  /** The datacenters of the vCenter, by name (what `spec.datacenter` takes). */
  listDatacenters: { params: z.object({}), result: z.array(InventoryItemSchema) },
  /**
   * What a machine template's dropdowns offer in one datacenter: compute
   * clusters, resource pools, datastores, networks, VM templates and VM
   * folders, read level by level through the PropertyCollector.
   */
  datacenterInventory: {
    params: z.object({
      datacenter: z
        .string({
          error: (issue) =>
            issue.input === undefined
              ? 'parameter datacenter is required'
              : 'parameter datacenter must be a string',
        })
        .min(1, 'parameter datacenter is required'),
    }),
    result: DatacenterInventorySchema,
  },
} as const;

export type VspherePlatformOperations = typeof vspherePlatformOperations;
