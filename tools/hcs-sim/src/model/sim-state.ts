import type { AuthCounts, IssuedToken } from '../auth/identity.js';
import type { Cloud, CreateCounts, QuotaUsage } from './cloud.js';
import type { ResolvedFaults } from './faults.js';
import type { ResolvedQuotas } from './inventory.js';
import { type JobBook, jobView } from './jobs.js';
import type { ObjectStorage, ObjectView } from './object-storage.js';
import {
  healthMonitorView,
  listenerView,
  loadBalancerView,
  memberView,
  poolView,
  serverGroupView,
  serverView,
  volumeView,
} from './wire-views.js';

/**
 * The platform side of the simulated region, as `GET /_sim/state` answers it: every resource in its
 * wire view (so a test compares with what the API shows), jobs, quotas with usage, live tokens
 * (without the token text) and authentication counters.
 */
export interface SimState {
  region: string;
  projectId: string;
  servers: ReturnType<typeof serverView>[];
  volumes: ReturnType<typeof volumeView>[];
  serverGroups: ReturnType<typeof serverGroupView>[];
  loadBalancers: ReturnType<typeof loadBalancerView>[];
  listeners: ReturnType<typeof listenerView>[];
  pools: ReturnType<typeof poolView>[];
  members: (ReturnType<typeof memberView> & { pool_id: string })[];
  healthMonitors: ReturnType<typeof healthMonitorView>[];
  jobs: ReturnType<typeof jobView>[];
  quotas: { limits: ResolvedQuotas; used: QuotaUsage };
  tokens: Omit<IssuedToken, 'token'>[];
  auth: AuthCounts;
  faults: ResolvedFaults;
  /** Resources made by create calls since start-up, per kind (see {@link CreateCounts}). */
  creates: CreateCounts;
  /** OBS objects (without their content) and how many PUT Object calls wrote one since start-up. */
  objects: ObjectView[];
  objectWrites: number;
  /**
   * The changes the cloud accepted, oldest first (the last {@link CHANGE_LOG_SIZE}): the order in
   * which things happened, which samples of the state cannot show (a member removed before its
   * server stopped, say).
   */
  changes: AcceptedChange[];
}

export interface AcceptedChange {
  /** The route's operation, e.g. `elb.deleteMember`, `ecs.serverAction`. */
  operation: string;
  method: string;
  path: string;
}

export const CHANGE_LOG_SIZE = 5_000;

export function buildSimState(
  cloud: Cloud,
  jobs: JobBook,
  auth: { tokens: Omit<IssuedToken, 'token'>[]; counts: AuthCounts },
  faults: ResolvedFaults,
  changes: readonly AcceptedChange[],
  storage: ObjectStorage,
): SimState {
  return {
    region: cloud.inventory.region,
    projectId: cloud.projectId,
    servers: [...cloud.servers.values()].map((s) => serverView(cloud, s)),
    volumes: [...cloud.volumes.values()].map((v) => volumeView(cloud, v)),
    serverGroups: [...cloud.serverGroups.values()].map(serverGroupView),
    loadBalancers: [...cloud.loadBalancers.values()].map((lb) => loadBalancerView(cloud, lb)),
    listeners: [...cloud.listeners.values()].map((l) => listenerView(cloud, l)),
    pools: [...cloud.pools.values()].map((p) => poolView(cloud, p)),
    members: [...cloud.members.values()].map((m) => ({ ...memberView(cloud, m), pool_id: m.poolId })),
    healthMonitors: [...cloud.healthMonitors.values()].map((m) => healthMonitorView(cloud, m)),
    jobs: jobs.list().map(jobView),
    quotas: { limits: { ...cloud.quotas }, used: cloud.usage() },
    tokens: auth.tokens,
    auth: auth.counts,
    faults,
    creates: { ...cloud.creates },
    objects: storage.list(),
    objectWrites: storage.writes,
    changes: [...changes],
  };
}
