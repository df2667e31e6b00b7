import type { FieldProblem } from '@immutable-infra/core';
import { credentialNameProblems } from '@immutable-infra/ui-kit';
import { VCENTER_SERVER, VCENTER_SERVER_MESSAGE } from '../../api/common.js';
import { type VSphereMachineObject, VSphereMachineSpec } from '../../api/vsphere-machine.js';

type MachineSpec = VSphereMachineObject['spec'];

/** One NIC as the form edits it: the network, and DHCP or not (static addresses come from a config pool). */
export interface NicDraft {
  networkName: string;
  dhcp4: boolean;
}

/** What the machine template form holds: the VSphereMachine spec fields it offers, as typed. */
export interface MachineTemplateDraft {
  name: string;
  server: string;
  datacenter: string;
  template: string;
  folder: string;
  resourcePool: string;
  datastore: string;
  cloneMode: '' | 'fullClone' | 'linkedClone';
  /** NaN when empty (required), as the kit's number fields read. */
  numCPUs: number;
  memoryMiB: number;
  /** NaN when empty: the template's disk size is kept. */
  diskGiB: number;
  nics: NicDraft[];
}

export const emptyDraft = (): MachineTemplateDraft => ({
  name: '',
  server: '',
  datacenter: '',
  template: '',
  folder: '',
  resourcePool: '',
  datastore: '',
  cloneMode: '',
  numCPUs: 2,
  memoryMiB: 4096,
  diskGiB: Number.NaN,
  nics: [{ networkName: '', dhcp4: true }],
});

/** The VSphereMachine spec a draft stands for; empty optional fields are left out. */
export function machineSpecOf(draft: MachineTemplateDraft): MachineSpec {
  const optional = (key: string, value: string) => (value ? { [key]: value } : {});
  return {
    ...optional('server', draft.server),
    ...optional('datacenter', draft.datacenter),
    template: draft.template,
    ...optional('folder', draft.folder),
    ...optional('resourcePool', draft.resourcePool),
    ...optional('datastore', draft.datastore),
    ...optional('cloneMode', draft.cloneMode),
    numCPUs: draft.numCPUs,
    memoryMiB: draft.memoryMiB,
    ...(Number.isNaN(draft.diskGiB) ? {} : { diskGiB: draft.diskGiB }),
    network: { devices: draft.nics.map((nic) => ({ networkName: nic.networkName, dhcp4: nic.dhcp4 })) },
  } as MachineSpec;
}

/** A stored template's spec back as a draft (fields the form does not offer stay in the stored spec). */
export function draftOf(name: string, spec: Partial<MachineSpec>): MachineTemplateDraft {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const count = (value: unknown) => (typeof value === 'number' ? value : Number.NaN);
  const devices = spec.network?.devices ?? [];
  return {
    name,
    server: text(spec.server),
    datacenter: text(spec.datacenter),
    template: text(spec.template),
    folder: text(spec.folder),
    resourcePool: text(spec.resourcePool),
    datastore: text(spec.datastore),
    cloneMode: spec.cloneMode ?? '',
    numCPUs: count(spec.numCPUs),
    memoryMiB: count(spec.memoryMiB),
    diskGiB: count(spec.diskGiB),
    nics: devices.map((d) => ({ networkName: d.networkName, dhcp4: d.dhcp4 === true })),
  };
}

const wholeAtLeast = (value: number, least: number) => Number.isInteger(value) && value >= least;

/**
 * The form's rules, each problem named by the field it is about (`nics.1.networkName`
 * for a NIC's network), then whatever else the VSphereMachine schema refuses.
 */
export function validateMachineTemplate(draft: MachineTemplateDraft, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = creating ? credentialNameProblems(draft.name) : [];
  const add = (field: string, message: string) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message });
  };
  if (draft.server && !VCENTER_SERVER.test(draft.server)) add('server', VCENTER_SERVER_MESSAGE);
  if (!draft.datacenter) add('datacenter', 'choose the datacenter');
  if (!draft.template) add('template', 'choose the VM template to clone');
  if (!wholeAtLeast(draft.numCPUs, 1)) add('numCPUs', 'a whole number of CPUs, at least 1');
  if (!wholeAtLeast(draft.memoryMiB, 4)) add('memoryMiB', 'a whole number of MiB, at least 4');
  if (!Number.isNaN(draft.diskGiB) && !wholeAtLeast(draft.diskGiB, 1))
    add('diskGiB', 'a whole number of GiB, at least 1 (empty keeps the template’s size)');
  if (draft.nics.length === 0) add('nics', 'a machine needs at least one network device');
  if (draft.nics.length > 10) add('nics', 'at most 10 network devices');
  draft.nics.forEach((nic, i) => {
    if (!nic.networkName) add(`nics.${i}.networkName`, 'choose the network of this device');
  });
  if (problems.length > 0) return problems;
  const parsed = VSphereMachineSpec.safeParse(machineSpecOf(draft));
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      // The schema's network.devices.N is the form's nics.N.
      const field = issue.path.join('.').replace(/^network\.devices/, 'nics');
      add(field || '(form)', issue.message);
    }
  return problems;
}
