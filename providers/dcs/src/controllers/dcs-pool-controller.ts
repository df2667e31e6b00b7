import type { ExtraKindHooks, ObjectContext } from '@immutable-infra/core';
import {
  claimablePoolHooks,
  persistentDiskRecords,
  persistentDiskStatusOf,
  platformOfLabelledCluster,
  previousDiskRecords,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import { DCSIpHostnamePool } from '../api/dcs-ip-hostname-pool.js';
import type { DCSMachineObject } from '../api/dcs-machine.js';
import { describeDcsFailure } from '../cloud/dcs-api-error.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import { isOwnedBy } from './clone-request.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import {
  type DcsObservedVolume,
  declaredDisks,
  diskLayoutOf,
  legacyDisks,
  observedVolumes,
} from './persistent-disks.js';
import { ipHostnamePoolKind, type PoolEntry, type SlotClaim } from './pool-claims.js';

type Ctx = ObjectContext<typeof DCSIpHostnamePool>;
type DiskStatus = NonNullable<NonNullable<Ctx['object']['status']>['persistentDiskStatus']>[number];

// Volumes change on DCS without an event here; a slow refresh keeps the record honest.
const DISK_REFRESH_MS = 15_000;

/**
 * Refreshes `status.persistentDiskStatus` from DCS: one record per (ip, slot)
 * with its volume, where it is attached and which machine holds the entry.
 * Needs the pool's `cluster.x-k8s.io/cluster-name` label to find credentials.
 */
async function refreshDiskStatus(ctx: Ctx, sessions: DcsSessionPool): Promise<string | undefined> {
  const platform = await platformOfLabelledCluster(
    ctx,
    { apiVersion: DCS_API_VERSION, kind: 'DCSCluster' },
    (cluster: DCSClusterObject) => cloudForCluster(ctx, sessions, cluster),
  );
  if ('problem' in platform) return platform.problem;
  const claims = (ctx.object.status?.slots ?? []) as SlotClaim[];
  const disks = ctx.object.spec.pool.flatMap((entry) => declaredDisks(ctx.object.metadata.name, entry));
  const volumes = await observedVolumes(platform.cloud, disks, ctx.object.spec.pool);
  for (const entry of ctx.object.spec.pool) {
    const claim = claims.find((candidate) => candidate.ip === entry.ip);
    if (claim) await addLegacyDisks(ctx, platform.cloud, entry, claim, volumes);
  }
  const paths = new Map(
    ctx.object.spec.pool.flatMap((entry) =>
      (entry.persistentDisk ?? []).map((disk) => [`${entry.ip}/${disk.slot}`, disk.path] as const),
    ),
  );
  const records = persistentDiskRecords({
    disks,
    volumes,
    ownerOf(ip) {
      const claim = claims.find((candidate) => candidate.ip === ip);
      return claim && { name: claim.dcsMachine, uid: claim.dcsMachineUID };
    },
    previous: previousDiskRecords(ctx.object.status?.persistentDiskStatus, (record) => record.ip),
    now: ctx.clock.now(),
  }).map((record): DiskStatus => {
    const datastoreUrn = volumes.get(record.name)?.volume.datastoreUrn;
    const path = paths.get(`${record.entryKey}/${record.slot}`);
    return {
      ip: record.entryKey,
      ...persistentDiskStatusOf(record),
      ...(record.volumeId ? { volumeUrn: record.volumeId } : {}),
      ...(datastoreUrn ? { datastoreUrn } : {}),
      ...(record.attachedTo ? { attachedVmUrn: record.attachedTo } : {}),
      ...(path ? { path } : {}),
    };
  });
  ctx.status.persistentDiskStatus = records;
  return undefined;
}

/**
 * A held entry whose VM predates its persistent disks (the documented migration): each declared disk
 * not claimed yet shows as the legacy disk it will be claimed from, `Attached` to the old VM, or as
 * `Error` with what keeps it from being claimed, before the machine's controller acts on it.
 */
async function addLegacyDisks(
  ctx: Ctx,
  cloud: DcsCloud,
  entry: PoolEntry,
  claim: SlotClaim,
  volumes: Map<string, DcsObservedVolume>,
): Promise<void> {
  const disks = declaredDisks(ctx.object.metadata.name, entry);
  if (disks.every((disk) => volumes.has(disk.name))) return;
  const machine = await ctx.kube.get<DCSMachineObject>({
    apiVersion: DCS_API_VERSION,
    kind: 'DCSMachine',
    name: claim.dcsMachine,
    namespace: ctx.object.metadata.namespace,
  });
  if (!machine || machine.metadata.uid !== claim.dcsMachineUID) return;
  const recorded = machine.status?.vmUri && (await cloud.getVm(machine.status.vmUri));
  const vm = recorded || (await cloud.findVmByName(entry.machineName ?? machine.metadata.name));
  if (!vm || !isOwnedBy(vm, machine)) return;
  const named = new Map([...volumes].filter(([name]) => disks.some((disk) => disk.name === name)));
  const layout = await diskLayoutOf(ctx.kube, machine);
  for (const legacy of await legacyDisks(cloud, entry, disks, named, vm, layout)) {
    // A disk missing from the VM has no volume to name: the record carries only the error.
    const onVm = legacy.volumeUrn ? { vmUrn: vm.urn } : {};
    const volume = { urn: legacy.volumeUrn ?? '', uri: '', name: legacy.disk.name, ...onVm };
    volumes.set(legacy.disk.name, {
      id: legacy.volumeUrn ?? '',
      phase: legacy.problem ? 'Error' : 'Attached',
      ...(legacy.volumeUrn ? { attachedTo: vm.urn } : {}),
      ...(legacy.problem ? { mismatch: legacy.problem } : {}),
      volume,
    });
  }
}

/** Keeps the pool's usage, holder list and persistent disk records current; holds its deletion while entries are in use. */
export function dcsPoolHooks(sessions: DcsSessionPool): ExtraKindHooks<typeof DCSIpHostnamePool> {
  return claimablePoolHooks({
    kind: DCSIpHostnamePool,
    claims: ipHostnamePoolKind,
    holderOf: (claim) => claim.dcsMachine,
    persistentDisks: {
      declared: (pool) => pool.spec.pool.some((entry) => (entry.persistentDisk ?? []).length > 0),
      refresh: (ctx) => refreshDiskStatus(ctx, sessions),
      everyMs: DISK_REFRESH_MS,
      describeFailure: (error) => describeDcsFailure(error),
    },
  });
}
