import type { FieldProblem } from '@immutable-infra/core';
import { DCSMachineSpec } from '../../api/dcs-machine.js';
import type { MachineType } from '../catalog/labels.js';

export interface DiskDraft {
  /** Empty for the system volume. */
  path: string;
  sizeGB: number;
  systemVolume: boolean;
  datastoreKind: 'cluster' | 'name';
  datastore: string;
}

export interface MachineTemplateDraft {
  name: string;
  type: MachineType;
  vmTemplateName: string;
  folder: string;
  cpu: number;
  memoryMB: number;
  disks: DiskDraft[];
  ipPool: string;
}

/** The documented mandatory disks per type, with their default sizes (GB; 0 keeps the template's system disk). */
export function mandatoryDisks(type: MachineType): { path: string; sizeGB: number }[] {
  return [
    { path: '', sizeGB: 0 },
    { path: '/var/lib/kubelet', sizeGB: 100 },
    { path: '/var/lib/containerd', sizeGB: 100 },
    ...(type === 'control-plane' ? [{ path: '/var/lib/etcd', sizeGB: 10 }] : []),
  ];
}

export function defaultDisks(
  type: MachineType,
  datastore = '',
  datastoreKind: 'cluster' | 'name' = 'cluster',
): DiskDraft[] {
  return mandatoryDisks(type).map((d) => ({ ...d, systemVolume: d.path === '', datastoreKind, datastore }));
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The template spec (`spec.template.spec`) the draft stands for, in the documented shape. */
export function machineSpecOf(draft: MachineTemplateDraft): Record<string, unknown> {
  return {
    vmTemplateName: draft.vmTemplateName,
    ...(draft.folder ? { location: { type: 'folder', name: draft.folder } } : {}),
    vmConfig: {
      dcsMachineCpuSpec: { quantity: draft.cpu },
      dcsMachineMemorySpec: { quantity: draft.memoryMB },
      dcsMachineDiskSpec: draft.disks.map((disk) => ({
        quantity: disk.sizeGB,
        ...(disk.datastoreKind === 'cluster'
          ? { datastoreClusterName: disk.datastore }
          : { datastoreName: disk.datastore }),
        ...(disk.systemVolume ? { systemVolume: true } : { path: disk.path, format: 'xfs' }),
      })),
    },
    ipHostPoolRef: { name: draft.ipPool },
  };
}

/**
 * Every problem of a machine template: the documented required fields, the
 * mandatory disks of its type (kept, with a datastore each), disk paths
 * absolute and unique, whole numbers for CPU, memory and sizes, the IP pool,
 * then whatever the DCSMachine spec schema refuses.
 */
export function validateMachineTemplate(
  draft: MachineTemplateDraft,
  known: { pools: string[] },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message });
  };
  if (!draft.name) add('name', 'the name is required');
  else if (!NAME.test(draft.name))
    add('name', '1-63 lowercase letters, digits and hyphens, starting and ending alphanumeric');
  if (!draft.vmTemplateName) add('vmTemplateName', 'choose a VM template');
  if (!Number.isInteger(draft.cpu) || draft.cpu < 1)
    add('cpu', 'CPU cores must be a whole number of at least 1');
  if (!Number.isInteger(draft.memoryMB) || draft.memoryMB < 1)
    add('memoryMB', 'memory must be a whole number of MB, at least 1');
  if (!draft.ipPool) add('ipPool', 'choose an IP pool');
  else if (!known.pools.includes(draft.ipPool)) add('ipPool', `IP pool ${draft.ipPool} does not exist`);

  const paths = new Map<string, number>();
  draft.disks.forEach((disk, i) => {
    const at = `disks.${i}`;
    if (disk.systemVolume) {
      if (!Number.isInteger(disk.sizeGB) || disk.sizeGB < 0)
        add(`${at}.sizeGB`, '0 (the template’s size) or a whole number of GB');
    } else {
      if (!disk.path) add(`${at}.path`, 'the mount path is required');
      else if (!/^\/.+/.test(disk.path)) add(`${at}.path`, 'an absolute path such as /data');
      else if (paths.has(disk.path))
        add(`${at}.path`, `${disk.path} is already disk ${(paths.get(disk.path) ?? 0) + 1}`);
      else paths.set(disk.path, i);
      if (!Number.isInteger(disk.sizeGB) || disk.sizeGB < 1)
        add(`${at}.sizeGB`, 'the size must be a whole number of GB, at least 1');
    }
    if (!disk.datastore) add(`${at}.datastore`, 'choose a datastore or datastore cluster');
  });
  if (draft.disks.filter((d) => d.systemVolume).length !== 1)
    add('disks', 'exactly one system volume is required');
  for (const required of mandatoryDisks(draft.type).filter((d) => d.path))
    if (!paths.has(required.path))
      add(
        'disks',
        `${required.path} is mandatory for a ${draft.type === 'worker' ? 'worker node' : 'control plane'} template`,
      );

  const parsed = DCSMachineSpec.safeParse(machineSpecOf(draft));
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      const field = path.startsWith('vmConfig.dcsMachineDiskSpec.')
        ? `disks.${String(issue.path[2])}`
        : path === 'vmConfig.dcsMachineCpuSpec.quantity'
          ? 'cpu'
          : path === 'vmConfig.dcsMachineMemorySpec.quantity'
            ? 'memoryMB'
            : path;
      if (!problems.some((p) => p.field.startsWith(field))) add(field, issue.message);
    }
  return problems;
}

/** The draft a stored template stands for, so an edit starts from what is there. */
export function draftOf(
  name: string,
  type: MachineType,
  spec: Record<string, unknown>,
): MachineTemplateDraft {
  const s = spec as {
    vmTemplateName?: string;
    location?: { type?: string; name?: string };
    vmConfig?: {
      dcsMachineCpuSpec?: { quantity?: number };
      dcsMachineMemorySpec?: { quantity?: number };
      dcsMachineDiskSpec?: {
        quantity?: number;
        systemVolume?: boolean;
        path?: string;
        datastoreName?: string;
        datastoreClusterName?: string;
      }[];
    };
    ipHostPoolRef?: { name?: string };
  };
  return {
    name,
    type,
    vmTemplateName: s.vmTemplateName ?? '',
    folder: s.location?.type === 'folder' ? (s.location.name ?? '') : '',
    cpu: s.vmConfig?.dcsMachineCpuSpec?.quantity ?? Number.NaN,
    memoryMB: s.vmConfig?.dcsMachineMemorySpec?.quantity ?? Number.NaN,
    disks: (s.vmConfig?.dcsMachineDiskSpec ?? []).map((d) => ({
      path: d.path ?? '',
      sizeGB: d.quantity ?? 0,
      systemVolume: d.systemVolume === true,
      datastoreKind: d.datastoreName ? 'name' : 'cluster',
      datastore: d.datastoreName ?? d.datastoreClusterName ?? '',
    })),
    ipPool: s.ipHostPoolRef?.name ?? '',
  };
}

/** The first free name for a new revision of `name`: name-2, name-3, ... */
export function revisionName(name: string, taken: readonly string[]): string {
  const base = name.replace(/-\d+$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`.slice(0, 63);
    if (!taken.includes(candidate)) return candidate;
  }
}
