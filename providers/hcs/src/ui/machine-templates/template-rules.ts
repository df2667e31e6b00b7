import type { FieldProblem } from '@immutable-infra/core';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { FILE_SYSTEMS, objectNameProblem } from '../config-pools/pool-rules.js';

type MachineSpec = HCSMachineTemplateObject['spec']['template']['spec'];

export interface VolumeDraft {
  /** GB; NaN when empty. */
  size: number;
  type: string;
  mountPath: string;
  format: string;
}

export interface MachineTemplateDraft {
  name: string;
  imageName: string;
  flavorName: string;
  availabilityZone: string;
  rootVolume: { type: string; size: number };
  configPool: string;
  keyPairName: string;
  dataVolumes: VolumeDraft[];
}

/** The documentation's recommended data disks of a control plane machine. */
export const CONTROL_PLANE_DATA_VOLUMES: readonly Omit<VolumeDraft, 'type'>[] = [
  { size: 10, mountPath: '/var/lib/etcd', format: 'xfs' },
  { size: 100, mountPath: '/var/lib/kubelet', format: 'xfs' },
  { size: 100, mountPath: '/var/lib/containerd', format: 'xfs' },
  { size: 40, mountPath: '/var/cpaas', format: 'xfs' },
];

export const emptyVolume = (type = ''): VolumeDraft => ({
  size: Number.NaN,
  type,
  mountPath: '',
  format: 'xfs',
});

export function emptyTemplate(): MachineTemplateDraft {
  return {
    name: '',
    imageName: '',
    flavorName: '',
    availabilityZone: '',
    rootVolume: { type: '', size: 100 },
    configPool: '',
    keyPairName: '',
    dataVolumes: [],
  };
}

/** What the platform says of the chosen image, to check the system disk against. */
export interface TemplateFacts {
  imageMinDiskGiB?: number | undefined;
}

const ABSOLUTE_PATH = /^\/[^\s]*$/;

/**
 * Every problem of the template, each named by its field's path: the
 * documented required fields (image, flavor, system disk type and size,
 * config pool), whole GB sizes, a system disk no smaller than the image
 * needs, and data disks each with size, type, an absolute mount path used
 * once, and xfs or ext4.
 */
export function validateMachineTemplate(
  draft: MachineTemplateDraft,
  creating: boolean,
  facts: TemplateFacts = {},
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const nameProblem = creating ? objectNameProblem(draft.name) : undefined;
  if (nameProblem) add('name', nameProblem);
  if (!draft.imageName) add('imageName', 'choose the image');
  if (!draft.flavorName) add('flavorName', 'choose the flavor');
  if (!draft.rootVolume.type) add('rootVolume.type', 'choose the system disk type');
  const size = draft.rootVolume.size;
  if (!Number.isInteger(size) || size < 1) add('rootVolume.size', 'a whole number of GB, at least 1');
  else if (facts.imageMinDiskGiB !== undefined && size < facts.imageMinDiskGiB)
    add('rootVolume.size', `the image needs a system disk of at least ${facts.imageMinDiskGiB} GB`);
  if (!draft.configPool)
    add('configPoolRef.name', 'choose the HCSMachineConfigPool giving hostnames and IPs');
  if (draft.dataVolumes.length > 12) add('dataVolumes', 'at most 12 data disks');
  const mounts = new Set<string>();
  draft.dataVolumes.forEach((volume, i) => {
    const at = `dataVolumes.${i}`;
    if (!Number.isInteger(volume.size) || volume.size < 1)
      add(`${at}.size`, 'a whole number of GB, at least 1');
    if (!volume.type) add(`${at}.type`, 'choose the disk type');
    if (!volume.mountPath) add(`${at}.mountPath`, 'the mount path is required, such as /var/lib/etcd');
    else if (!ABSOLUTE_PATH.test(volume.mountPath))
      add(`${at}.mountPath`, 'an absolute path such as /var/lib/etcd');
    else if (mounts.has(volume.mountPath))
      add(`${at}.mountPath`, `${volume.mountPath} is already a data disk`);
    else mounts.add(volume.mountPath);
    if (!(FILE_SYSTEMS as readonly string[]).includes(volume.format)) add(`${at}.format`, 'xfs or ext4');
  });
  return problems;
}

/** The machine spec of a valid draft, in the documentation's field names; empty optional fields are left out. */
export function machineSpecOf(draft: MachineTemplateDraft): MachineSpec {
  return {
    imageName: draft.imageName,
    flavorName: draft.flavorName,
    ...(draft.availabilityZone ? { availabilityZone: draft.availabilityZone } : {}),
    rootVolume: { type: draft.rootVolume.type, size: draft.rootVolume.size },
    configPoolRef: { name: draft.configPool },
    ...(draft.keyPairName ? { keyPairName: draft.keyPairName } : {}),
    ...(draft.dataVolumes.length > 0
      ? {
          dataVolumes: draft.dataVolumes.map((v) => ({
            size: v.size,
            type: v.type,
            mountPath: v.mountPath,
            format: v.format,
          })),
        }
      : {}),
  };
}

/** The form's draft of a stored template. */
export function templateDraftOf(name: string, spec: MachineSpec): MachineTemplateDraft {
  return {
    name,
    imageName: spec.imageName ?? '',
    flavorName: spec.flavorName ?? '',
    availabilityZone: spec.availabilityZone ?? '',
    rootVolume: { type: spec.rootVolume?.type ?? '', size: spec.rootVolume?.size ?? Number.NaN },
    configPool: spec.configPoolRef?.name ?? '',
    keyPairName: spec.keyPairName ?? '',
    dataVolumes: (spec.dataVolumes ?? []).map((v) => ({
      size: v.size,
      type: v.type,
      mountPath: v.mountPath ?? '',
      format: v.format ?? 'xfs',
    })),
  };
}
