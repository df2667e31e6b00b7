import {
  guestDiskDeviceAt,
  type IgnitionDisk,
  type IgnitionNic,
  prefixLength,
} from '@immutable-infra/provider-kit';
import { dnsServerList } from '@immutable-infra/provider-kit/kinds';
import type { DCSMachineObject } from '../api/dcs-machine.js';
import type { DcsVmDisk } from '../cloud/dcs-types.js';
import { persistentDiskSequence } from './persistent-disks.js';
import type { PoolEntry } from './pool-claims.js';

/**
 * The DCS parts of a machine's Ignition (the kit's composeIgnition writes it): which devices the
 * template's data disks and the pool entry's persistent disks (e.g. /var/cpaas) are in the guest,
 * and the pool entry's NICs. Pure: the machine controller gathers the inputs.
 */

/** Default file system of a disk with a path and no format (the CRD says ext4). */
const DEFAULT_FORMAT = 'ext4';

/**
 * The template disks the clone creates, with the sequence number each gets (the system volume is 1,
 * the others 2, 3, ... in spec order), exactly as buildCloneRequest numbers them.
 */
export function templateDiskSequence(spec: Pick<DCSMachineObject['spec'], 'vmConfig'>): {
  sequenceNum: number;
  disk: NonNullable<NonNullable<DCSMachineObject['spec']['vmConfig']>['dcsMachineDiskSpec']>[number];
}[] {
  let sequence = 2;
  return (spec.vmConfig?.dcsMachineDiskSpec ?? []).map((disk) => ({
    sequenceNum: disk.systemVolume ? 1 : sequence++,
    disk,
  }));
}

/** What a template or persistent disk says about its file system. */
interface MountedDiskSpec {
  path?: string | undefined;
  format?: string | undefined;
  options?: string[] | undefined;
  mountOptions?: string[] | undefined;
}

/**
 * The disks to format and mount: the template's data disks with a `path`, then the entry's persistent
 * disks with a `path` (after the template's, see persistentDiskSequence). The guest names virtio disks in the order of their
 * sequence numbers on the VM, so each device is found by its rank among the disks the VM has on the
 * same bus (`vmDisks`, what DCS lists once the clone and the persistent attachments are done).
 */
export function guestDisks(
  spec: Pick<DCSMachineObject['spec'], 'vmConfig'>,
  entry: Pick<PoolEntry, 'persistentDisk'>,
  vmDisks: readonly Pick<DcsVmDisk, 'sequenceNum' | 'pciType'>[],
): IgnitionDisk[] {
  const onVm = vmDisks.flatMap((d) =>
    d.sequenceNum === undefined ? [] : [{ position: Number(d.sequenceNum), bus: d.pciType }],
  );
  const mounted = (sequenceNum: number, bus: string | undefined, disk: MountedDiskSpec, wipe: boolean) =>
    disk.path
      ? [
          {
            device: guestDiskDeviceAt(sequenceNum, bus, onVm),
            path: disk.path,
            format: disk.format || DEFAULT_FORMAT,
            options: disk.options ?? [],
            mountOptions: disk.mountOptions ?? [],
            wipeFilesystem: wipe,
          },
        ]
      : [];
  return [
    ...templateDiskSequence(spec).flatMap(({ sequenceNum, disk }) =>
      disk.systemVolume
        ? []
        : mounted(
            sequenceNum,
            onVm.find((d) => d.position === sequenceNum)?.bus,
            disk,
            disk.wipeFilesystem ?? false,
          ),
    ),
    // A persistent disk outlives its VMs: what the last one wrote is kept.
    ...(entry.persistentDisk ?? []).flatMap((disk) =>
      mounted(persistentDiskSequence(spec, disk.slot), disk.pciType, disk, false),
    ),
  ];
}

/** The NICs of a pool entry: the node's own first (eth0), then its additional NICs in order. */
export function guestNics(
  entry: Pick<PoolEntry, 'ip' | 'mask' | 'gateway' | 'dns' | 'additionNic'>,
): IgnitionNic[] {
  const nics = [entry, ...(entry.additionNic ?? [])];
  return nics.flatMap((nic, index) =>
    nic.ip
      ? [
          {
            interfaceName: `eth${index}`,
            ip: nic.ip,
            prefix: prefixLength(nic.mask),
            ...(nic.gateway ? { gateway: nic.gateway } : {}),
            dns: nic.dns ? dnsServerList(nic.dns) : [],
            routeMetric: 100 * (index + 1),
          },
        ]
      : [],
  );
}
