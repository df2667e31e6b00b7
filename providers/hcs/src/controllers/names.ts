import { createHash } from 'node:crypto';

/** ECS metadata key naming the HCSMachine (by UID) a server was created for; never adopt a server without it. */
export const OWNER_UID_KEY = 'iinfra-machine-uid';
/** ECS metadata and EVS metadata key naming the object a resource belongs to, for people reading the console. */
export const OWNER_KEY = 'iinfra-owner';

/** Names on HCS are at most 64 characters (ECS, EVS); longer ones keep a hash of the whole. */
function bounded(name: string, max = 64): string {
  if (name.length <= max) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9)}-${digest}`;
}

/** The control plane ELB of a cluster, and its listener, pool and monitor (one name each, found again after any crash). */
export function loadBalancerName(namespace: string, cluster: string): string {
  return bounded(`iinfra-${namespace}-${cluster}-apiserver`);
}

export function listenerName(namespace: string, cluster: string, port: number): string {
  return bounded(`${loadBalancerName(namespace, cluster)}-${port}`);
}

/** The ECS server of a machine: its pool entry's hostname, or the machine's name (ECS names are at most 64 characters). */
export function serverName(hostnameOrMachine: string): string {
  return bounded(hostnameOrMachine);
}

/** The server group keeping a cluster's control plane servers apart. */
export function serverGroupName(namespace: string, cluster: string): string {
  return bounded(`iinfra-${namespace}-${cluster}-control-plane`);
}

/**
 * The EVS volume of a pool entry's persistent disk: bound to (pool, hostname, slot), so the
 * replacement machine that takes the same entry finds the same volume.
 */
export function persistentVolumeName(pool: string, hostname: string, slot: number): string {
  return bounded(`${pool}-${hostname}-pd${slot}`);
}

/**
 * The OBS object of a machine's bootstrap data: bound to the machine's UID, so any reconcile or
 * the deletion finds (and deletes) it after a crash that lost the status recording it.
 */
export function bootstrapObjectKey(namespace: string, machineName: string, uid: string): string {
  return `iinfra-bootstrap/${namespace}/${machineName}/${uid}/user-data`;
}
