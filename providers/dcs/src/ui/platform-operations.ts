/**
 * The DCS platform operations as the browser and the host see them: each
 * one's params and result as zod schemas (which Fleet Essentials validates
 * through the Standard Schema interface zod implements). The server side
 * (platform-proxy.ts) attaches its implementation to each declaration; the
 * browser's calls are typed from `DcsPlatformOperations` through the ui-kit's
 * `platformClient`, importing this module for its types only.
 */
import { ConnectionVerdictSchema } from '@immutable-infra/provider-kit';
import { z } from 'zod';

/** A required string parameter, refused with the words the forms show next to their fields. */
const requiredString = (name: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? `parameter ${name} is required` : `parameter ${name} must be a string`,
    })
    .min(1, `parameter ${name} is required`);

const optionalString = (name: string) => z.string({ error: `parameter ${name} must be a string` }).optional();

/** Every operation may name the site; without it, the Secret's `site` (or the VRM's only site) is used. */
const onSite = z.object({ site: optionalString('site') });

const named = z.object({ name: z.string() });
export const PortGroupFactSchema = z.object({ name: z.string(), vlanId: z.number().optional() });
export type PortGroupFact = z.infer<typeof PortGroupFactSchema>;

export const VmTemplateFactSchema = z.object({
  name: z.string(),
  cpu: z.number().optional(),
  memoryMB: z.number().optional(),
  /** Sizes of the template's disks, the system disk first. */
  diskGB: z.array(z.number()),
});
export type VmTemplateFact = z.infer<typeof VmTemplateFactSchema>;

/**
 * A VM's status and host. No URN: a URN holds the site id, which a credential
 * Secret may name, and the host refuses results carrying a Secret value.
 */
export const VmPlacementFactSchema = z.object({
  name: z.string().optional(),
  status: z.string(),
  host: z.string().optional(),
});
export type VmPlacementFact = z.infer<typeof VmPlacementFactSchema>;

export const DatastoreFactSchema = z.object({
  name: z.string(),
  status: z.string().optional(),
  capacityGB: z.number().optional(),
  freeSizeGB: z.number().optional(),
  storageType: z.string().optional(),
});
export type DatastoreFact = z.infer<typeof DatastoreFactSchema>;

export const DatastoreClusterFactSchema = z.object({
  name: z.string(),
  datastores: z.array(z.string()),
  freeSizeGB: z.number(),
});
export type DatastoreClusterFact = z.infer<typeof DatastoreClusterFactSchema>;

export const DvSwitchFactSchema = z.object({ name: z.string(), portGroups: z.array(PortGroupFactSchema) });
export type DvSwitchFact = z.infer<typeof DvSwitchFactSchema>;

export const HostFactSchema = z.object({
  name: z.string(),
  cluster: z.string().optional(),
  status: z.string().optional(),
});

/** The most VMs one `vmPlacements` call answers for; more are dropped, as a cluster page shows no more. */
export const MAX_VM_PLACEMENTS = 512;

// One message whether the list or one of its items is wrong.
const VM_URNS = 'parameter vmUrns must be a list of DCS VM URNs';
const VM_NAMES = 'parameter vmNames must be a list of VM names';

export const dcsPlatformOperations = {
  /** The credential form's "Test connection": a verdict, never a failure. */
  testConnection: {
    params: onSite,
    result: ConnectionVerdictSchema,
  },
  /**
   * The site a DCSCluster of this credential uses: `credential` when the
   * Secret names it (the controller reads it from there), else the VRM's only
   * site by id.
   */
  credentialSite: {
    params: onSite,
    result: z.discriminatedUnion('source', [
      z.object({ source: z.literal('credential') }),
      z.object({ source: z.literal('only-site'), id: z.string() }),
    ]),
  },
  listVmTemplates: { params: onSite, result: z.array(VmTemplateFactSchema) },
  listClusters: { params: onSite, result: z.array(named) },
  listHosts: {
    params: onSite.extend({ cluster: optionalString('cluster') }),
    result: z.array(HostFactSchema),
  },
  /** Status and host of VMs by URN (`vmUrns`) or by name (`vmNames`), each list in the order asked. */
  vmPlacements: {
    params: onSite.extend({
      vmUrns: z
        .array(z.string({ error: VM_URNS }).startsWith('urn:sites:', { error: VM_URNS }), { error: VM_URNS })
        .optional(),
      vmNames: z
        .array(z.string({ error: VM_NAMES }).min(1, { error: VM_NAMES }), { error: VM_NAMES })
        .optional(),
    }),
    result: z.object({ byUrn: z.array(VmPlacementFactSchema), byName: z.array(VmPlacementFactSchema) }),
  },
  listFolders: { params: onSite, result: z.array(named) },
  listDatastores: { params: onSite, result: z.array(DatastoreFactSchema) },
  listDatastoreClusters: { params: onSite, result: z.array(DatastoreClusterFactSchema) },
  listDvSwitches: { params: onSite, result: z.array(DvSwitchFactSchema) },
  listPortGroups: {
    params: onSite.extend({ dvSwitch: requiredString('dvSwitch') }),
    result: z.array(PortGroupFactSchema),
  },
} as const;

export type DcsPlatformOperations = typeof dcsPlatformOperations;
