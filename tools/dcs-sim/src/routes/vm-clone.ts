import { z } from 'zod';
import { DcsError } from '../model/dcs-error.js';
import { isStuckCreating } from '../model/faults.js';
import { type Platform, STOCK_DISK } from '../model/platform.js';
import type { NicRecord, VmRecord } from '../model/records.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { type SimContext, taskAnswer } from './context.js';
import { requireVm } from './lookup.js';

const count = z.number().int().positive();

/** The clone body; `quantityMb`/`quantityGb` are accepted too because the KubeOperator SDK sends that casing. */
const ipv4Field = z
  .string()
  .regex(
    /^(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/,
    'one IPv4 address',
  );

const cloneBody = z.object({
  name: z.string().min(1).max(256),
  description: z.string().optional(),
  group: z.string().optional(),
  location: z.string().optional(),
  isBindingHost: z.boolean().optional(),
  autoBoot: z.boolean().optional(),
  vmConfig: z
    .object({
      cpu: z.object({ quantity: count }).optional(),
      memory: z.object({ quantityMB: count.optional(), quantityMb: count.optional() }).optional(),
      disks: z
        .array(
          z.object({
            sequenceNum: count,
            quantityGB: count.optional(),
            quantityGb: count.optional(),
            datastoreUrn: z.string().optional(),
            isThin: z.boolean().optional(),
          }),
        )
        .optional(),
      nics: z.array(z.object({ sequenceNum: count, portGroupUrn: z.string() })).optional(),
    })
    .optional(),
  vmCustomization: z
    .object({
      osType: z.string().optional(),
      hostname: z.string().optional(),
      nicSpecification: z
        .array(
          z.object({
            sequenceNum: count,
            ip: z.string().optional(),
            netmask: z.string().optional(),
            gateway: z.string().optional(),
            // One address each: the preferred and the alternate DNS server (FusionCompute's
            // `setdns`/`adddns`); a list in one field is refused as the platform refuses it.
            setdns: ipv4Field.optional(),
            adddns: ipv4Field.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
type CloneBody = z.output<typeof cloneBody>;

interface PlannedDisk {
  sequenceNum: number;
  quantityGB: number;
  datastoreUrn: string;
  isThin: boolean;
}

/**
 * `POST <template uri>/action/clone`. The new VM and its disks exist at once, listed `creating`;
 * the clone task turns it `stopped` (or `running` with autoBoot). While the `stuckCreating`
 * fault names the VM, its task stays `running`.
 */
export function vmCloneRoutes(ctx: SimContext): Route[] {
  const { platform } = ctx;
  return [
    {
      method: 'POST',
      pattern: '/service/sites/:site/vms/:vm/action/clone',
      handle: ({ params, body }) => {
        const source = requireVm(platform, params.vm);
        if (source.status === 'creating' || source.deleting)
          throw DcsError.wrongState(`${source.name} cannot be cloned while it is ${source.status}`);
        const request = parseBody(cloneBody, body);
        const { clusterUrn, hostUrn } = placement(
          platform,
          source,
          request.location,
          colocatedWith(ctx, request.name),
        );
        const disks = planDisks(platform, source, request);
        const nics = planNics(platform, source, request);

        const id = platform.newVmId();
        const vm: VmRecord = {
          id,
          urn: platform.address.urnOf('vms', id),
          uri: platform.address.uriOf('vms', id),
          uuid: platform.uuidFor(id),
          name: request.name,
          description: request.description ?? '',
          group: request.group ?? '',
          location: clusterUrn,
          hostUrn,
          status: 'creating',
          isTemplate: false,
          isBindingHost: request.isBindingHost ?? false,
          cpu: request.vmConfig?.cpu?.quantity ?? source.cpu,
          memoryMB:
            request.vmConfig?.memory?.quantityMB ?? request.vmConfig?.memory?.quantityMb ?? source.memoryMB,
          osOptions: { ...source.osOptions },
          hostname: request.vmCustomization?.hostname ?? '',
          nics,
          cdromFile: undefined,
          deleting: false,
          createTime: new Date().toISOString(),
        };
        platform.vms.set(id, vm);
        platform.creates.vms += 1;
        ctx.createLag.created(vm.urn);
        const volumes = disks.map((disk) =>
          platform.newVolume({
            name: `${id}-disk${disk.sequenceNum}`,
            quantityGB: disk.quantityGB,
            datastoreUrn: disk.datastoreUrn,
            isThin: disk.isThin,
            ...STOCK_DISK,
            vmUrn: vm.urn,
            pendingVmUrn: undefined,
            sequenceNum: disk.sequenceNum,
            ownerVmUrn: vm.urn,
            fromInventory: false,
            operation: 'creating',
          }),
        );
        for (const volume of volumes) ctx.createLag.created(volume.urn);
        const autoBoot = request.autoBoot ?? false;
        const task = ctx.tasks.start(
          'CloneVm',
          vm.urn,
          () => {
            if (platform.vm(id) !== vm)
              throw DcsError.wrongState(`VM ${vm.name} was deleted while it was cloned`);
            for (const volume of volumes) volume.operation = undefined;
            vm.status = autoBoot ? 'running' : 'stopped';
          },
          { stuck: () => isStuckCreating(ctx.faults(), vm.name) },
        );
        return taskAnswer(task, vm);
      },
    },
  ];
}

/** `location` is a cluster (the least loaded host is picked) or a host (its cluster is the location). */
/** The `colocate` fault: the host of a VM already placed that the fault names with this one. */
function colocatedWith(
  ctx: SimContext,
  name: string,
): ((clusterUrn: string) => string | undefined) | undefined {
  const names = ctx.faults().colocate;
  if (!names.includes(name)) return undefined;
  return (clusterUrn) =>
    [...ctx.platform.vms.values()].find(
      (vm) => vm.name !== name && names.includes(vm.name) && vm.location === clusterUrn && vm.hostUrn !== '',
    )?.hostUrn;
}

function placement(
  platform: Platform,
  source: VmRecord,
  location: string | undefined,
  colocated?: (clusterUrn: string) => string | undefined,
): { clusterUrn: string; hostUrn: string } {
  const { address } = platform;
  const target = location ?? source.location;
  const host = platform.host(target);
  if (host) return { clusterUrn: address.urnOf('clusters', host.clusterId), hostUrn: target };
  const cluster = platform.cluster(target);
  if (!cluster) throw DcsError.invalid('location', `${target} is not a cluster or host of this site`);
  const pinned = colocated?.(target);
  if (pinned) return { clusterUrn: target, hostUrn: pinned };
  const chosen = platform.leastLoadedHost(cluster.id);
  return { clusterUrn: target, hostUrn: chosen ? address.urnOf('hosts', chosen.id) : '' };
}

/** The source's disks, each overridden by the request's disk with the same `sequenceNum`, plus new ones. */
function planDisks(platform: Platform, source: VmRecord, request: CloneBody): PlannedDisk[] {
  const planned = new Map<number, PlannedDisk>();
  for (const volume of platform.disksOf(source.urn)) {
    const sequenceNum = volume.sequenceNum ?? 0;
    planned.set(sequenceNum, {
      sequenceNum,
      quantityGB: volume.quantityGB,
      datastoreUrn: volume.datastoreUrn,
      isThin: volume.isThin,
    });
  }
  (request.vmConfig?.disks ?? []).forEach((disk, i) => {
    const field = (name: string) => `vmConfig.disks[${i}].${name}`;
    const base = planned.get(disk.sequenceNum);
    const quantityGB = disk.quantityGB ?? disk.quantityGb ?? base?.quantityGB;
    if (quantityGB === undefined) throw DcsError.invalid(field('quantityGB'), 'is required for a new disk');
    if (base && quantityGB < base.quantityGB)
      throw DcsError.invalid(
        field('quantityGB'),
        `cannot be smaller than the template's ${base.quantityGB} GB`,
      );
    const wanted = disk.datastoreUrn ?? base?.datastoreUrn;
    if (wanted === undefined) throw DcsError.invalid(field('datastoreUrn'), 'is required for a new disk');
    const datastore = platform.placeOn(wanted);
    if (!datastore)
      throw DcsError.invalid(field('datastoreUrn'), `${wanted} is not a datastore of this site`);
    planned.set(disk.sequenceNum, {
      sequenceNum: disk.sequenceNum,
      quantityGB,
      datastoreUrn: platform.address.urnOf('datastores', datastore.id),
      isThin: disk.isThin ?? base?.isThin ?? true,
    });
  });
  return [...planned.values()].sort((a, b) => a.sequenceNum - b.sequenceNum);
}

/** The source's NICs with port groups replaced by `sequenceNum`, new MACs, and IPs from `nicSpecification`. */
function planNics(platform: Platform, source: VmRecord, request: CloneBody): NicRecord[] {
  const portGroups = new Map(source.nics.map((nic) => [nic.sequenceNum, nic.portGroupUrn]));
  (request.vmConfig?.nics ?? []).forEach((nic, i) => {
    if (!platform.portGroup(nic.portGroupUrn))
      throw DcsError.invalid(
        `vmConfig.nics[${i}].portGroupUrn`,
        `${nic.portGroupUrn} is not a port group of this site`,
      );
    portGroups.set(nic.sequenceNum, nic.portGroupUrn);
  });
  const ips = new Map(
    (request.vmCustomization?.nicSpecification ?? []).map((spec) => [spec.sequenceNum, spec.ip ?? '0.0.0.0']),
  );
  return [...portGroups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([sequenceNum, portGroupUrn]) => ({
      sequenceNum,
      name: `nic${sequenceNum}`,
      portGroupUrn,
      mac: platform.newMac(),
      ip: ips.get(sequenceNum) ?? '0.0.0.0',
    }));
}
