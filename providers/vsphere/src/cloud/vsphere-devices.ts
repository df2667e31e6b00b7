import { PlatformFailure } from '@immutable-infra/core';
import { type MoRef, Reference, type SoapValue } from './soap-xml.js';
import type { VsphereClient } from './vsphere-client.js';

/** One VirtualDeviceConfigSpec: what a clone or reconfigure changes in the VM's hardware. */
export interface DeviceChange {
  operation: 'add' | 'edit' | 'remove';
  fileOperation?: 'create' | 'destroy' | 'replace' | undefined;
  device: SoapValue;
}

/** A device as read from `config.hardware.device` (readValue's shape, `_type` its xsi:type). */
export type ReadDevice = Record<string, unknown> & { _type?: string; key?: string };

/** What a NIC of the new VM connects to, and with which MAC when the spec fixes one. */
export interface NicPlan {
  network: MoRef;
  macAddress?: string | undefined;
}

const KB_PER_GIB = 1024 * 1024;

/**
 * A device read from vSphere written back as a request value: `_type` becomes the xsi:type,
 * references stay references, and fields keep the order vSphere sent them in (its WSDL order, which
 * vCenter checks). Edits send the whole device, as govmomi and pyVmomi do.
 */
export function asSoapValue(value: unknown): SoapValue {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(asSoapValue);
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields);
  if (keys.length === 2 && typeof fields.type === 'string' && typeof fields.value === 'string')
    return new Reference(fields.type, fields.value);
  const out: Record<string, SoapValue> = {};
  if (typeof fields._type === 'string') out.$type = fields._type;
  for (const key of keys) if (key !== '_type') out[key] = asSoapValue(fields[key]);
  return out;
}

/**
 * The edit that grows a VM's own disk to `diskGiB`, or undefined when it is that size already. It
 * is sent to the cloned VM (its own disk file), not in the clone: a clone's edit of the template's
 * disk names the template's file. A disk never shrinks.
 */
export function growDiskChange(disk: ReadDevice, diskGiB: number): DeviceChange | undefined {
  const currentKb = Number(disk.capacityInKB ?? 0);
  const wantedKb = diskGiB * KB_PER_GIB;
  if (wantedKb < currentKb)
    throw new PlatformFailure(
      'PlatformError',
      `diskGiB ${diskGiB} is smaller than the template's disk (${Math.ceil(currentKb / KB_PER_GIB)} GiB); a disk cannot shrink`,
    );
  if (wantedKb === currentKb) return undefined;
  const grown = Object.fromEntries(
    Object.entries(disk).map(([key, value]) => [
      key,
      key === 'capacityInKB' ? String(wantedKb) : key === 'capacityInBytes' ? String(wantedKb * 1024) : value,
    ]),
  );
  return { operation: 'edit', device: asSoapValue(grown) };
}

const isNic = (device: ReadDevice) =>
  typeof device.backing === 'object' && device.backing !== null && 'macAddress' in device;

/** The NICs of a device list, in the order the guest sees them (by device key). */
export function nicsOf(devices: readonly ReadDevice[]): ReadDevice[] {
  return devices.filter(isNic).sort((a, b) => Number(a.key) - Number(b.key));
}

/** The backing that connects a NIC to a network: a standard port group or a distributed one. */
export async function nicBacking(client: VsphereClient, network: MoRef, signal?: AbortSignal) {
  if (network.type === 'Network')
    return {
      $type: 'VirtualEthernetCardNetworkBackingInfo',
      deviceName: String((await client.properties([network], ['name'], signal))[0]?.properties.name ?? ''),
      network: new Reference(network.type, network.value),
    };
  if (network.type === 'DistributedVirtualPortgroup') {
    const [portgroup] = await client.properties(
      [network],
      ['key', 'config.distributedVirtualSwitch'],
      signal,
    );
    const dvs = portgroup?.properties['config.distributedVirtualSwitch'] as MoRef | undefined;
    const [vswitch] = dvs ? await client.properties([dvs], ['uuid'], signal) : [];
    return {
      $type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo',
      port: {
        switchUuid: String(vswitch?.properties.uuid ?? ''),
        portgroupKey: String(portgroup?.properties.key ?? network.value),
      },
    };
  }
  throw new PlatformFailure(
    'PlatformError',
    `network ${network.value} is a ${network.type}; only port groups and distributed port groups are supported`,
  );
}

/**
 * The device changes that give a clone exactly the planned NICs: the template's NICs re-pointed in
 * order, more added as vmxnet3, extra ones removed.
 */
export async function cloneDeviceChanges(
  client: VsphereClient,
  templateDevices: readonly ReadDevice[],
  nics: readonly NicPlan[],
  signal?: AbortSignal,
): Promise<DeviceChange[]> {
  const changes: DeviceChange[] = [];
  const existing = nicsOf(templateDevices);
  for (const [index, plan] of nics.entries()) {
    const backing = await nicBacking(client, plan.network, signal);
    const mac = plan.macAddress ? { addressType: 'manual', macAddress: plan.macAddress } : {};
    const template = existing[index];
    if (template) {
      // The template's own device, the new backing in the place of the old (field order kept).
      const device = Object.fromEntries(
        Object.entries({ ...template, ...mac }).map(([key, value]) => [
          key,
          key === 'backing' ? backing : value,
        ]),
      );
      changes.push({ operation: 'edit', device: asSoapValue(device) });
    } else {
      changes.push({
        operation: 'add',
        device: {
          $type: 'VirtualVmxnet3',
          key: String(-100 - index),
          backing,
          connectable: { startConnected: true, allowGuestControl: true, connected: true },
          addressType: plan.macAddress ? 'manual' : 'generated',
          macAddress: plan.macAddress,
        },
      });
    }
  }
  for (const extra of existing.slice(nics.length))
    changes.push({ operation: 'remove', device: asSoapValue(extra) });
  return changes;
}

/** A disk file to put on the VM: made now (`capacityKb`) or one that exists already. */
export interface DiskToAttach {
  fileName: string;
  controllerKey: string;
  unitNumber: number;
  /** Makes the file with this size; without it the file must exist. */
  capacityKb?: number | undefined;
  /** Provisioning of a new file: thin (the default), thick, or eagerly zeroed. */
  provisioning?: 'Thin' | 'Thick' | 'EagerlyZeroed' | undefined;
}

/**
 * Puts a disk file on the VM. Independent-persistent: the disk stays out of the VM's snapshots and
 * linked-clone chain, so it can move to the next VM of the slot as it is.
 */
export function attachDiskChange(disk: DiskToAttach, key: number): DeviceChange {
  const provisioning = disk.provisioning ?? 'Thin';
  return {
    operation: 'add',
    fileOperation: disk.capacityKb === undefined ? undefined : 'create',
    device: {
      $type: 'VirtualDisk',
      key: String(key),
      backing: {
        $type: 'VirtualDiskFlatVer2BackingInfo',
        fileName: disk.fileName,
        diskMode: 'independent_persistent',
        thinProvisioned: provisioning === 'Thin',
        eagerlyScrub: provisioning === 'EagerlyZeroed' ? true : undefined,
      },
      controllerKey: disk.controllerKey,
      unitNumber: String(disk.unitNumber),
      capacityInKB: disk.capacityKb === undefined ? undefined : String(disk.capacityKb),
    },
  };
}

/** Takes a disk off the VM and keeps its file (no file operation): what deleting a VM must not destroy. */
export function detachDiskChange(device: ReadDevice): DeviceChange {
  return { operation: 'remove', device: asSoapValue(device) };
}
