import type { InfraMachineContext, StepResult } from '@immutable-infra/core';
import { blockedOn, type GuestFile } from '@immutable-infra/provider-kit';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import type { HCSMachine } from '../api/hcs-machine.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import type { HcsServer } from '../cloud/hcs-types.js';
import type { HcsLocation } from './cloud-for-cluster.js';
import type { ClusterNetwork } from './cluster-network.js';
import type { PoolConfigEntry } from './pool-claims.js';

export type MachineCtx = InfraMachineContext<typeof HCSMachine>;

/** What the steps of one machine reconcile share: the host's context, the cloud, and what earlier steps found. */
export interface MachineRun {
  ctx: MachineCtx;
  connections: HcsConnections;
  /** The cloud of the machine's HCSCluster, from the Connect step on. */
  cloud: HcsCloud;
  cluster: HCSClusterObject;
  poolName: string | undefined;
  entry?: PoolConfigEntry | undefined;
  network?: ClusterNetwork;
  /** The files a new control plane server is created with. */
  files?: GuestFile[];
  /** The user data a new server gets, when WriteBootstrapObject put the real one in OBS: an `#include` of its URL. */
  userData?: string;
  /** The servers named for this machine and made for it (metadata names its UID). */
  servers: HcsServer[];
  zone: string;
  /** The longest HCS takes to list (and show) a server or volume it created. */
  listingLagMs: number;
  /** Where Connect reached HCS, recorded on the machine when its server is created. */
  location?: Required<HcsLocation>;
}

/** How long HCS may take to list what it created, unless the provider's options say otherwise. */
export const LISTING_LAG_MS = 30_000;

export const MACHINE_READY = 'MachineReady';
export const POLL_MS = 1_000;

/** The machine's server, when a step found one. */
export const serverOf = (run: MachineRun): HcsServer | undefined => run.servers[0];

/** A condition on MachineReady (and an Event) that stops the run until something changes. */
export function blocked(
  run: MachineRun,
  reason: string,
  message: string,
  afterMs: number,
  event = true,
): StepResult {
  return blockedOn(run.ctx, { condition: MACHINE_READY, reason, message, afterMs, event });
}
