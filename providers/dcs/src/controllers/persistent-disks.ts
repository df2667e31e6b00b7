import { createHash } from 'node:crypto';
import { requeue, type StepResult } from '@immutable-infra/core';
import type { DCSIpHostnamePoolObject } from '../api/dcs-ip-hostname-pool.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import type { DcsVm } from '../cloud/dcs-types.js';

type PoolEntry = DCSIpHostnamePoolObject['spec']['pool'][number];
type PersistentDisk = NonNullable<PoolEntry['persistentDisk']>[number];

/** Persistent disks sit after the template's disks on the VM: slot 0 is sequence number 20. */
export const PERSISTENT_DISK_SEQUENCE_BASE = 20;

/**
 * The DCS volume name of a pool entry's disk: `{pool}-{sha256(ip/slot)[:8]}`.
 * Deterministic, so the volume is found by name after any crash and a
 * replacement machine on the same entry finds the same volume.
 */
export function persistentVolumeName(poolName: string, ip: string, slot: number): string {
  const digest = createHash('sha256').update(`${ip}/${slot}`).digest('hex').slice(0, 8);
  return `${poolName}-${digest}`;
}

async function datastoreFor(cloud: DcsCloud, disk: PersistentDisk): Promise<string> {
  if (disk.datastoreName) return (await cloud.resolveDatastore(disk.datastoreName)).urn;
  return (await cloud.resolveDatastoreCluster(disk.datastoreClusterName ?? '')).urn;
}

/**
 * Makes each persistent disk of the entry exist and sit on this VM. One
 * platform change per call: the caller records the task and comes back.
 */
export async function attachPersistentDisks(
  cloud: DcsCloud,
  poolName: string,
  entry: PoolEntry,
  vm: DcsVm,
): Promise<{ taskUri: string; message: string } | StepResult | undefined> {
  for (const disk of entry.persistentDisk ?? []) {
    const name = persistentVolumeName(poolName, entry.ip, disk.slot);
    const volume = await cloud.findVolumeByName(name);
    if (!volume) {
      const created = await cloud.createVolume({
        name,
        quantityGB: disk.quantityGB,
        datastoreUrn: await datastoreFor(cloud, disk),
        ...(disk.isThin !== undefined ? { isThin: disk.isThin } : {}),
      });
      return { taskUri: created.taskUri, message: `creating persistent volume ${name}` };
    }
    if (volume.vmUrn === vm.urn) continue;
    if (volume.vmUrn) {
      // Still on the VM this entry's previous machine had; that machine's deletion detaches it.
      return requeue(5_000, `persistent volume ${name} is still attached to ${volume.vmUrn}`);
    }
    const task = await cloud.attachVolume(vm.uri, volume.urn, PERSISTENT_DISK_SEQUENCE_BASE + disk.slot);
    return { taskUri: task.taskUri, message: `attaching persistent volume ${name}` };
  }
  return undefined;
}

/** Takes the entry's persistent disks off a stopped VM before it is deleted, so they outlive it. */
export async function detachPersistentDisks(
  cloud: DcsCloud,
  poolName: string,
  entry: PoolEntry,
  vm: DcsVm,
): Promise<{ taskUri: string; message: string } | undefined> {
  for (const disk of entry.persistentDisk ?? []) {
    const name = persistentVolumeName(poolName, entry.ip, disk.slot);
    const volume = await cloud.findVolumeByName(name);
    if (volume?.vmUrn === vm.urn) {
      const task = await cloud.detachVolume(vm.uri, volume.urn);
      return { taskUri: task.taskUri, message: `detaching persistent volume ${name}` };
    }
  }
  return undefined;
}
