import type { TaskState } from '@immutable-infra/provider-kit';
import { z } from 'zod';

/*
 * What the VRM answers, parsed leniently: unknown keys pass through (newer VRM versions add
 * fields), only the fields the provider reads are declared, and numbers may come as strings.
 * Nulls are dropped before parsing (see dropNulls), so an absent field and a null one look alike.
 */

const numeric = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

const Named = { urn: z.string(), uri: z.string(), name: z.string() };

export const DcsSiteSchema = z.looseObject({ ...Named, status: z.string().optional() });
export type DcsSite = z.infer<typeof DcsSiteSchema>;

// A rule's members are VM URNs; accept `{urn}` objects too, in case a version answers with VMs.
const RuleMember = z.union([z.string(), z.looseObject({ urn: z.string() }).transform((vm) => vm.urn)]);

export const DcsDrsRuleSchema = z.looseObject({
  ruleIndex: numeric,
  ruleName: z.string(),
  ruleType: numeric,
  vms: z.array(RuleMember).default([]),
});
export type DcsDrsRule = z.infer<typeof DcsDrsRuleSchema>;

export const DcsClusterSchema = z.looseObject({
  ...Named,
  drsSetting: z.looseObject({ drsRules: z.array(DcsDrsRuleSchema).default([]) }).optional(),
});
export type DcsCluster = z.infer<typeof DcsClusterSchema>;

export const DcsHostSchema = z.looseObject({
  ...Named,
  clusterUrn: z.string().optional(),
  status: z.string().optional(),
});
export type DcsHost = z.infer<typeof DcsHostSchema>;

export const DcsDatastoreSchema = z.looseObject({
  ...Named,
  status: z.string().optional(),
  capacityGB: numeric.optional(),
  freeSizeGB: numeric.optional(),
  storageType: z.string().optional(),
});
export type DcsDatastore = z.infer<typeof DcsDatastoreSchema>;

export const DcsDatastoreClusterSchema = z.looseObject({
  ...Named,
  datastores: z.array(z.string()).default([]),
});
export type DcsDatastoreCluster = z.infer<typeof DcsDatastoreClusterSchema>;

export const DcsFolderSchema = z.looseObject(Named);
export type DcsFolder = z.infer<typeof DcsFolderSchema>;

export const DcsDvSwitchSchema = z.looseObject(Named);
export type DcsDvSwitch = z.infer<typeof DcsDvSwitchSchema>;

export const DcsPortGroupSchema = z.looseObject({ ...Named, vlanId: numeric.optional() });
export type DcsPortGroup = z.infer<typeof DcsPortGroupSchema>;

/**
 * FusionCompute's kind of volume: `normal` or `share`, independent of VM snapshots or not, persistent
 * or not. A VM template's own disks are normal and not independent ("stock" volumes).
 */
const VolumeKind = {
  type: z.string().optional(),
  indepDisk: z.boolean().optional(),
  persistentDisk: z.boolean().optional(),
};

export const DcsVmDiskSchema = z.looseObject({
  sequenceNum: numeric.optional(),
  quantityGB: numeric.optional(),
  datastoreUrn: z.string().optional(),
  volumeUrn: z.string().optional(),
  isThin: z.boolean().optional(),
  pciType: z.string().optional(),
  ...VolumeKind,
});
export type DcsVmDisk = z.infer<typeof DcsVmDiskSchema>;

export const DcsVmNicSchema = z.looseObject({
  sequenceNum: numeric.optional(),
  name: z.string().optional(),
  portGroupUrn: z.string().optional(),
  mac: z.string().optional(),
  ip: z.string().optional(),
});
export type DcsVmNic = z.infer<typeof DcsVmNicSchema>;

/**
 * A VM or template. `status` is `creating` (clone still running), `stopped`, `running`,
 * `stopping`, `unknown`, and on a real VRM also `starting`, `migrating`, `pause`, `hibernated`.
 */
export const DcsVmSchema = z.looseObject({
  ...Named,
  uuid: z.string().optional(),
  description: z.string().optional(),
  group: z.string().optional(),
  location: z.string().optional(),
  hostUrn: z.string().optional(),
  /** The host's name; empty (or absent) while the VM is not placed. */
  hostName: z.string().optional(),
  status: z.string(),
  isTemplate: z.boolean().optional(),
  cdRomStatus: z.string().optional(),
  vmConfig: z
    .looseObject({
      cpu: z.looseObject({ quantity: numeric.optional() }).optional(),
      memory: z.looseObject({ quantityMB: numeric.optional() }).optional(),
      disks: z.array(DcsVmDiskSchema).default([]),
      nics: z.array(DcsVmNicSchema).default([]),
    })
    .optional(),
});
export type DcsVm = z.infer<typeof DcsVmSchema>;

/** Task `status`: `waiting`, `running`, `success`, `failed` (a real VRM also has `cancelling`, `unknown`). */
export const DcsTaskSchema = z.looseObject({
  uri: z.string(),
  urn: z.string().optional(),
  type: z.string().optional(),
  entityUrn: z.string().optional(),
  status: z.string(),
  progress: numeric.optional(),
  reason: z.union([z.string(), z.number().transform(String)]).optional(),
  reasonDes: z.string().optional(),
  startTime: z.union([z.string(), z.number()]).optional(),
  finishTime: z.union([z.string(), z.number()]).optional(),
});
export type DcsTask = z.infer<typeof DcsTaskSchema>;

/**
 * Where a DCS task stands, for the kit's followTaskStep. The provider does not wait on tasks: it
 * keeps the task URI in status, requeues, and looks again on the next reconcile.
 */
export function dcsTaskState(task: Pick<DcsTask, 'status' | 'progress' | 'reason' | 'reasonDes'>): TaskState {
  switch (task.status.toLowerCase()) {
    case 'success':
      return { state: 'succeeded' };
    case 'failed': {
      const code = task.reason ? `DCS error ${task.reason}` : 'DCS task failed';
      return {
        state: 'failed',
        message: task.reasonDes ? `${code}: ${task.reasonDes}` : code,
        platformCode: task.reason,
      };
    }
    case 'cancelled':
    case 'canceled':
      return {
        state: 'failed',
        message: task.reasonDes ? `cancelled: ${task.reasonDes}` : 'cancelled',
        platformCode: task.reason,
      };
    default:
      // waiting, running, cancelling, unknown: not finished, so look again later.
      return { state: 'running', progress: task.progress ?? 0 };
  }
}

export const DcsTaskRefSchema = z.looseObject({ taskUri: z.string(), taskUrn: z.string().optional() });
export type DcsTaskRef = z.infer<typeof DcsTaskRefSchema>;

export const DcsVolumeSchema = z.looseObject({
  ...Named,
  quantityGB: numeric.optional(),
  datastoreUrn: z.string().optional(),
  isThin: z.boolean().optional(),
  /** `USE` (attached) or `FREE`. */
  status: z.string().optional(),
  vmUrn: z.string().optional(),
  ...VolumeKind,
});
export type DcsVolume = z.infer<typeof DcsVolumeSchema>;

export const DcsUploadSchema = z.looseObject({
  uri: z.string(),
  fileName: z.string(),
  filePath: z.string(),
  size: numeric.optional(),
  datastoreUrn: z.string().optional(),
  complete: z.boolean().optional(),
});
export type DcsUpload = z.infer<typeof DcsUploadSchema>;

export const DcsApplyUploadSchema = z.looseObject({ uploadUri: z.string(), filePath: z.string() });

export const DcsUploadedFileSchema = z.looseObject({
  filePath: z.string().optional(),
  size: numeric.optional(),
  sha256: z.string().optional(),
});

export const DcsCloneResultSchema = z.looseObject({
  urn: z.string(),
  uri: z.string(),
  taskUri: z.string(),
  taskUrn: z.string().optional(),
});

export const DcsCreateVolumeResultSchema = DcsCloneResultSchema;

/** Any change that may or may not run as a task (DRS rules, upload deletion). */
export const DcsMaybeTaskSchema = z.looseObject({ taskUri: z.string().optional() }).optional();

/** What a clone sends; the shape of the contract's clone body. */
export interface DcsCloneVmRequest {
  name: string;
  description?: string;
  /** Folder (VM group) name. */
  group?: string;
  /** Cluster or host URN. */
  location: string;
  isBindingHost?: boolean;
  autoBoot?: boolean;
  vmConfig: {
    cpu: { quantity: number };
    memory: { quantityMB: number };
    disks?: Array<{
      sequenceNum: number;
      quantityGB: number;
      datastoreUrn: string;
      isThin?: boolean;
      pciType?: string;
    }>;
    nics?: Array<{ sequenceNum: number; portGroupUrn: string }>;
  };
  vmCustomization?: {
    osType: string;
    hostname?: string;
    nicSpecification?: Array<{
      sequenceNum: number;
      ip: string;
      /** Dotted decimal (255.255.255.0), not a prefix length. */
      netmask: string;
      gateway?: string;
      setdns?: string;
      adddns?: string;
    }>;
  };
}

export interface DcsCreateVolumeRequest {
  name: string;
  quantityGB: number;
  datastoreUrn: string;
  isThin?: boolean;
  type?: 'normal' | 'share';
  indepDisk?: boolean;
  persistentDisk?: boolean;
}

/** FusionCompute's modify-volume body (`PUT <volume uri>`): only the fields sent change. */
export interface DcsModifyVolumeRequest {
  name?: string;
  /** `share` on a normal volume also makes it independent and persistent. */
  type?: 'share';
  indepDisk?: boolean;
  persistentDisk?: boolean;
}

/** Removes null values (recursively), so that `.optional()` fields accept a VRM's explicit nulls. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== null)
        .map(([key, field]) => [key, dropNulls(field)]),
    );
  }
  return value;
}
