import { isDeepStrictEqual } from 'node:util';
import type { ExtraKindHooks, ObjectContext } from '@immutable-infra/core';
import {
  ClaimablePool,
  claimablePoolHooks,
  persistentDiskRecords,
  persistentDiskStatusOf,
  platformOfLabelledCluster,
  previousDiskRecords,
  RecordedFactChecks,
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
type PoolObject = Ctx['object'];
type DiskStatus = NonNullable<NonNullable<PoolObject['status']>['persistentDiskStatus']>[number];

// Volumes change on DCS without an event here; a slow refresh keeps the record honest.
const DISK_REFRESH_MS = 15_000;
/**
 * How long an entry whose volumes are in flux (being made, attached, detached) is reported as last
 * read: the claims and status writes of a cluster's machines wake the pool every few seconds.
 */
const IN_FLUX_TRUST_MS = 5_000;

/**
 * Refreshes `status.persistentDiskStatus` from DCS: one record per (ip, slot)
 * with its volume, where it is attached and which machine holds the entry.
 * Needs the pool's `cluster.x-k8s.io/cluster-name` label to find credentials.
 *
 * The pool is woken by every claim and release of its entries, and a pool of many entries asked
 * DCS for every volume each time (issue 23). An entry whose volumes were found settled (attached
 * to its holder, or free while nobody holds it) is trusted for `checks.recheckMs` under the same
 * holder and spec: its records are carried over without a call. A new holder, a spec change, the
 * recheck, or a manager restart looks again; an entry in flux is read again after IN_FLUX_TRUST_MS.
 */
async function refreshDiskStatus(
  ctx: Ctx,
  sessions: DcsSessionPool,
  checks: RecordedFactChecks,
): Promise<string | undefined> {
  const pool = ctx.object;
  const recorded = pool.status?.persistentDiskStatus ?? [];
  const claims = (pool.status?.slots ?? []) as SlotClaim[];
  const withDisks = pool.spec.pool.filter((entry) => (entry.persistentDisk ?? []).length > 0);
  const factOf = (entry: PoolEntry) => ({
    key: `${pool.metadata.uid ?? pool.metadata.name}/${entry.ip}`,
    fingerprint: `${pool.metadata.generation ?? ''}/${claims.find((c) => c.ip === entry.ip)?.dcsMachineUID ?? ''}`,
  });
  const hasRecords = (entry: PoolEntry) =>
    (entry.persistentDisk ?? []).every((disk) =>
      recorded.some((record) => record.ip === entry.ip && record.slot === disk.slot),
    );
  const stale = withDisks.filter((entry) => {
    const { key, fingerprint } = factOf(entry);
    const trusted =
      checks.isFresh(key, fingerprint) || checks.isFresh(`${key}/in-flux`, fingerprint, IN_FLUX_TRUST_MS);
    return !(hasRecords(entry) && trusted);
  });
  const observed = new Map<string, DcsObservedVolume>();
  if (stale.length > 0) {
    const platform = await platformOfLabelledCluster(
      ctx,
      { apiVersion: DCS_API_VERSION, kind: 'DCSCluster' },
      (cluster: DCSClusterObject) => cloudForCluster(ctx, sessions, cluster),
    );
    if ('problem' in platform) return platform.problem;
    const disks = stale.flatMap((entry) => declaredDisks(pool.metadata.name, entry));
    for (const [name, volume] of await observedVolumes(platform.cloud, disks, pool.spec.pool))
      observed.set(name, volume);
    for (const entry of stale) {
      const claim = claims.find((candidate) => candidate.ip === entry.ip);
      if (claim) await addLegacyDisks(ctx, platform.cloud, entry, claim, observed);
    }
  }
  const observedIps = new Set(stale.map((entry) => entry.ip));
  const derive = (current: PoolObject) => {
    const records = diskRecordsOf(current, observed, observedIps, ctx.clock.now());
    return isDeepStrictEqual(current.status?.persistentDiskStatus, records)
      ? undefined
      : { persistentDiskStatus: records };
  };
  // Nothing new against the pool this reconcile read: no read of it again, no write.
  if (derive(pool) === undefined) {
    trustSettled(stale, claims, observed, pool.metadata.name, checks, factOf);
    return undefined;
  }
  // Derived from the pool as it is when written: a claim or release in between (a 409) is read
  // again and the records derived anew, never a copy derived from the older pool re-applied.
  await new ClaimablePool(ctx.kube, ipHostnamePoolKind).updateDerivedStatus(
    pool.metadata.namespace ?? 'default',
    pool.metadata.name,
    derive,
  );
  // Trusted only once written: the records carried over later are these.
  trustSettled(stale, claims, observed, pool.metadata.name, checks, factOf);
  return undefined;
}

/** Records what was just read from DCS: settled entries for the recheck window, the others for a moment. */
function trustSettled(
  read: readonly PoolEntry[],
  claims: readonly SlotClaim[],
  observed: ReadonlyMap<string, DcsObservedVolume>,
  poolName: string,
  checks: RecordedFactChecks,
  factOf: (entry: PoolEntry) => { key: string; fingerprint: string },
): void {
  for (const entry of read) {
    const held = claims.some((candidate) => candidate.ip === entry.ip);
    const { key, fingerprint } = factOf(entry);
    if (declaredDisks(poolName, entry).every((disk) => isSettled(observed.get(disk.name), held)))
      checks.seen(key, fingerprint);
    else checks.seen(`${key}/in-flux`, fingerprint);
  }
}

/**
 * A volume nothing is about to change: attached (without a mismatch) while its entry is held, or
 * free (or not made yet) while it is not. Only such a volume's record is carried over unread.
 */
function isSettled(volume: DcsObservedVolume | undefined, held: boolean): boolean {
  if (held) return volume?.phase === 'Attached' && !volume.mismatch && Boolean(volume.attachedTo);
  return !volume || (volume.phase === 'Available' && !volume.mismatch);
}

/**
 * The pool's persistent-disk records: the entries in `observedIps` from what DCS said now, the
 * others carried over from the records the pool holds (trusted ones: settled, or in flux and read a
 * moment ago), each with the holder the pool's claims name now.
 */
function diskRecordsOf(
  pool: PoolObject,
  observed: ReadonlyMap<string, DcsObservedVolume>,
  observedIps: ReadonlySet<string>,
  now: Date,
): DiskStatus[] {
  const claims = (pool.status?.slots ?? []) as SlotClaim[];
  const stored = pool.status?.persistentDiskStatus ?? [];
  const disks = pool.spec.pool.flatMap((entry) => declaredDisks(pool.metadata.name, entry));
  const volumes = new Map(observed);
  for (const disk of disks) {
    if (observedIps.has(disk.entryKey)) continue;
    const record = stored.find((r) => r.ip === disk.entryKey && r.slot === disk.slot);
    const carried = record && carriedVolume(record, disk.name);
    if (carried) volumes.set(disk.name, carried);
  }
  const paths = new Map(
    pool.spec.pool.flatMap((entry) =>
      (entry.persistentDisk ?? []).map((disk) => [`${entry.ip}/${disk.slot}`, disk.path] as const),
    ),
  );
  return persistentDiskRecords({
    disks,
    volumes,
    ownerOf(ip) {
      const claim = claims.find((candidate) => candidate.ip === ip);
      return claim && { name: claim.dcsMachine, uid: claim.dcsMachineUID };
    },
    previous: previousDiskRecords(stored, (record) => record.ip),
    now,
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
}

/** The volume a record describes, as DCS said it when the record was written; none when it names none and is no error. */
function carriedVolume(record: DiskStatus, name: string): DcsObservedVolume | undefined {
  // An Error record may name no volume (a legacy disk that is not there): it is carried all the same.
  if (!record.volumeUrn && record.phase !== 'Error') return undefined;
  const phase = record.phase ?? 'Available';
  const onVm = record.attachedVmUrn ? { vmUrn: record.attachedVmUrn } : {};
  const datastore = record.datastoreUrn ? { datastoreUrn: record.datastoreUrn } : {};
  return {
    id: record.volumeUrn ?? '',
    phase,
    ...(record.attachedVmUrn ? { attachedTo: record.attachedVmUrn } : {}),
    // An Error record's words are kept as they were written.
    ...(phase === 'Error' && record.lastError ? { mismatch: record.lastError } : {}),
    volume: { urn: record.volumeUrn ?? '', uri: '', name: record.name ?? name, ...onVm, ...datastore },
  };
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
export function dcsPoolHooks(
  sessions: DcsSessionPool,
  /** When each entry's settled volumes were last read from DCS (kept per manager process). */
  checks = new RecordedFactChecks(),
): ExtraKindHooks<typeof DCSIpHostnamePool> {
  return claimablePoolHooks({
    kind: DCSIpHostnamePool,
    claims: ipHostnamePoolKind,
    holderOf: (claim) => claim.dcsMachine,
    persistentDisks: {
      declared: (pool) => pool.spec.pool.some((entry) => (entry.persistentDisk ?? []).length > 0),
      refresh: (ctx) => refreshDiskStatus(ctx, sessions, checks),
      everyMs: DISK_REFRESH_MS,
      describeFailure: (error) => describeDcsFailure(error),
    },
  });
}
