import { describe, expect, test } from 'vitest';
import {
  defaultDisks,
  draftOf,
  type MachineTemplateDraft,
  machineSpecOf,
  revisionName,
  validateMachineTemplate,
} from '../../src/ui/machine-templates/template-rules.js';
import { machineTemplate } from './wizard-scenario.js';

function draft(change: Partial<MachineTemplateDraft> = {}): MachineTemplateDraft {
  return {
    name: 'cp-135',
    type: 'control-plane',
    vmTemplateName: 'ubuntu-2204-k8s-v1.35',
    folder: 'kubernetes',
    cpu: 4,
    memoryMB: 8192,
    disks: defaultDisks('control-plane', 'ssd-pool'),
    ipPool: 'cp-pool',
    ...change,
  };
}

const problems = (d: MachineTemplateDraft) =>
  Object.fromEntries(validateMachineTemplate(d, { pools: ['cp-pool'] }).map((p) => [p.field, p.message]));

describe('machine template rules', () => {
  test('the documented defaults per type are valid and produce the documented spec', () => {
    expect(problems(draft())).toEqual({});
    const spec = machineSpecOf(draft());
    expect(spec).toEqual(
      machineTemplate('ns', 'cp-135', 'control-plane', 'cp-pool', 'ubuntu-2204-k8s-v1.35').spec.template.spec,
    );
    expect(draftOf('cp-135', 'control-plane', spec)).toEqual(draft());
    expect(defaultDisks('worker').map((d) => [d.path, d.sizeGB])).toEqual([
      ['', 0],
      ['/var/lib/kubelet', 100],
      ['/var/lib/containerd', 100],
    ]);
  });

  test('mandatory disks cannot go; one system volume; paths absolute and unique; sizes whole', () => {
    const withoutEtcd = draft({ disks: defaultDisks('control-plane', 'ssd-pool').slice(0, 3) });
    expect(problems(withoutEtcd).disks).toBe('/var/lib/etcd is mandatory for a control plane template');
    expect(problems(draft({ type: 'worker', disks: defaultDisks('worker', 'ssd-pool') }))).toEqual({});
    const disks = defaultDisks('control-plane', 'ssd-pool');
    disks.push({ path: 'data', sizeGB: 0, systemVolume: false, datastoreKind: 'name', datastore: '' });
    disks.push({
      path: '/var/lib/etcd',
      sizeGB: 5,
      systemVolume: false,
      datastoreKind: 'cluster',
      datastore: 'ssd-pool',
    });
    disks.push({ path: '', sizeGB: 0, systemVolume: true, datastoreKind: 'cluster', datastore: 'ssd-pool' });
    expect(problems(draft({ disks }))).toEqual({
      'disks.4.path': 'an absolute path such as /data',
      'disks.4.sizeGB': 'the size must be a whole number of GB, at least 1',
      'disks.4.datastore': 'choose a datastore or datastore cluster',
      'disks.5.path': '/var/lib/etcd is already disk 4',
      disks: 'exactly one system volume is required',
    });
  });

  test('required fields and the IP pool', () => {
    expect(problems(draft({ name: '', vmTemplateName: '', cpu: 1.5, memoryMB: 0, ipPool: 'gone' }))).toEqual({
      name: 'the name is required',
      vmTemplateName: 'choose a VM template',
      cpu: 'CPU cores must be a whole number of at least 1',
      memoryMB: 'memory must be a whole number of MB, at least 1',
      ipPool: 'IP pool gone does not exist',
    });
  });

  test('a revision takes the first free name', () => {
    expect(revisionName('worker', ['worker'])).toBe('worker-2');
    expect(revisionName('worker-2', ['worker', 'worker-2', 'worker-3'])).toBe('worker-4');
  });
});
