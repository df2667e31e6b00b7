import type { Platform } from './platform.js';
import type { DrsRuleRecord, UploadRecord, VmRecord, VmStatus, VolumeRecord } from './records.js';

/** The JSON shapes of the wire contract, built from the records on every read. */

export interface WireDisk {
  sequenceNum: number;
  quantityGB: number;
  datastoreUrn: string;
  volumeUrn: string;
  isThin: boolean;
  pciType: string;
  type: 'normal' | 'share';
  indepDisk: boolean;
  persistentDisk: boolean;
}

export interface WireNic {
  sequenceNum: number;
  name: string;
  portGroupUrn: string;
  mac: string;
  ip: string;
}

export interface WireVm {
  urn: string;
  uri: string;
  uuid: string;
  name: string;
  description: string;
  group: string;
  location: string;
  hostUrn: string;
  /** The host's name, `""` while the VM is not placed. */
  hostName: string;
  status: VmStatus;
  isTemplate: boolean;
  isBindingHost: boolean;
  cdRomStatus: 'empty' | 'attached';
  createTime: string;
  vmConfig: {
    cpu: { quantity: number };
    memory: { quantityMB: number };
    disks: WireDisk[];
    nics: WireNic[];
  };
  osOptions: { osType: string; osVersion: number };
}

export interface WireVolume {
  urn: string;
  uri: string;
  name: string;
  quantityGB: number;
  datastoreUrn: string;
  isThin: boolean;
  type: 'normal' | 'share';
  indepDisk: boolean;
  persistentDisk: boolean;
  status: 'USE' | 'FREE';
  /** The VM it is attached to, or `""` when free. */
  vmUrn: string;
}

export interface WireUpload {
  uri: string;
  fileName: string;
  filePath: string;
  size: number;
  datastoreUrn: string;
  complete: boolean;
}

export interface WireDrsRule {
  ruleIndex: number;
  ruleName: string;
  ruleType: number;
  vms: string[];
}

export function vmView(platform: Platform, vm: VmRecord): WireVm {
  return {
    urn: vm.urn,
    uri: vm.uri,
    uuid: vm.uuid,
    name: vm.name,
    description: vm.description,
    group: vm.group,
    location: vm.location,
    hostUrn: vm.hostUrn,
    hostName: (vm.hostUrn && platform.host(vm.hostUrn)?.name) || '',
    status: vm.status,
    isTemplate: vm.isTemplate,
    isBindingHost: vm.isBindingHost,
    cdRomStatus: vm.cdromFile === undefined ? 'empty' : 'attached',
    createTime: vm.createTime,
    vmConfig: {
      cpu: { quantity: vm.cpu },
      memory: { quantityMB: vm.memoryMB },
      disks: platform.disksOf(vm.urn).map((volume) => ({
        sequenceNum: volume.sequenceNum ?? 0,
        quantityGB: volume.quantityGB,
        datastoreUrn: volume.datastoreUrn,
        volumeUrn: volume.urn,
        isThin: volume.isThin,
        pciType: volume.pciType ?? 'VIRTIO',
        type: volume.type,
        indepDisk: volume.indepDisk,
        persistentDisk: volume.persistentDisk,
      })),
      nics: vm.nics.map((nic) => ({ ...nic })),
    },
    osOptions: { ...vm.osOptions },
  };
}

export function volumeView(volume: VolumeRecord): WireVolume {
  return {
    urn: volume.urn,
    uri: volume.uri,
    name: volume.name,
    quantityGB: volume.quantityGB,
    datastoreUrn: volume.datastoreUrn,
    isThin: volume.isThin,
    type: volume.type,
    indepDisk: volume.indepDisk,
    persistentDisk: volume.persistentDisk,
    status: volume.vmUrn === undefined ? 'FREE' : 'USE',
    vmUrn: volume.vmUrn ?? '',
  };
}

export function uploadView(upload: UploadRecord): WireUpload {
  return {
    uri: upload.uri,
    fileName: upload.fileName,
    filePath: upload.filePath,
    size: upload.expectedSize,
    datastoreUrn: upload.datastoreUrn,
    complete: upload.complete,
  };
}

export function drsRuleView(rule: DrsRuleRecord): WireDrsRule {
  return { ruleIndex: rule.ruleIndex, ruleName: rule.ruleName, ruleType: rule.ruleType, vms: [...rule.vms] };
}
