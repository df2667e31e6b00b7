/** The simulator's own records; the wire shapes are built from them in model/wire-views.ts. */

export type VmStatus = 'creating' | 'stopped' | 'running' | 'stopping' | 'unknown';

export interface NicRecord {
  sequenceNum: number;
  name: string;
  portGroupUrn: string;
  mac: string;
  /** The address given in `vmCustomization`, or `0.0.0.0` when none was. */
  ip: string;
}

export interface VmRecord {
  id: string;
  urn: string;
  uri: string;
  uuid: string;
  name: string;
  description: string;
  group: string;
  /** Cluster URN. */
  location: string;
  hostUrn: string;
  status: VmStatus;
  isTemplate: boolean;
  isBindingHost: boolean;
  cpu: number;
  memoryMB: number;
  osOptions: { osType: string; osVersion: number };
  hostname: string;
  nics: NicRecord[];
  /** File path of the attached ISO; the VM's `cdRomStatus` follows from it. */
  cdromFile: string | undefined;
  /** A delete task is under way; further changes are refused. */
  deleting: boolean;
  createTime: string;
}

/** An operation in flight on a volume; while one is, every other change answers busy. */
export type VolumeOperation = 'creating' | 'attaching' | 'detaching' | 'deleting';

export interface VolumeRecord {
  id: string;
  urn: string;
  uri: string;
  name: string;
  quantityGB: number;
  datastoreUrn: string;
  isThin: boolean;
  vmUrn: string | undefined;
  /** The VM an attach under way will attach it to. */
  pendingVmUrn: string | undefined;
  /** Slot on the VM it is attached (or being attached) to. */
  sequenceNum: number | undefined;
  /** The bus it is attached on (attachvol's `pciType`); VIRTIO when not given. */
  pciType?: string | undefined;
  /**
   * `normal` or `share` (FusionCompute's volume type). A clone's own disks are `normal` and not
   * independent: the "stock" volumes a cluster's VM template made before persistent disks existed.
   */
  type: 'normal' | 'share';
  /** Independent of VM snapshots. A clone's disks are not; `PUT <volume uri>` with `type: share` makes it so. */
  indepDisk: boolean;
  /** Keeps its changes when the VM restarts; true unless asked otherwise. */
  persistentDisk: boolean;
  /** The VM whose clone created this disk; deleting that VM with isReserveDisks=0 deletes it too. */
  ownerVmUrn: string | undefined;
  /** Part of the starting inventory, already counted in the datastore's free size. */
  fromInventory: boolean;
  operation: VolumeOperation | undefined;
}

export interface UploadRecord {
  id: string;
  uri: string;
  fileName: string;
  filePath: string;
  datastoreUrn: string;
  /** `fileSize` from applyUpload: the PUT must send exactly this many bytes. */
  expectedSize: number;
  sha256: string | undefined;
  complete: boolean;
  /** What was PUT, kept so a simulated guest can read the ISO its CD-ROM holds (never on the wire). */
  bytes?: Buffer | undefined;
}

export interface DrsRuleRecord {
  clusterUrn: string;
  ruleIndex: number;
  ruleName: string;
  /** 1 affinity, 2 anti-affinity (mutual exclusion). */
  ruleType: number;
  vms: string[];
}
