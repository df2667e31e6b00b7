import {
  done,
  falseCondition,
  type InfraMachineHooks,
  machineProvisioned,
  type PlatformFailure,
  requeue,
  type Step,
  type StepResult,
  trueCondition,
} from '@immutable-infra/core';
import {
  claimSlotStep,
  composeCloudInit,
  connectMachineStep,
  createOnce,
  ENCRYPTION_CONFIG_PATH,
  failureKind,
  followTaskStep,
  type GuestDisk,
  heldSlot,
  kubeletServingFiles,
  type MachineSlots,
  machineAddresses,
  machineStepHooks,
  releaseSlotStep,
  reportingFailures,
  startTask,
  taskReferenceAt,
  tolerating,
  waitWhileUnlisted,
} from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import { HCSMachine } from '../api/hcs-machine.js';
import type { HCSMachineConfigPoolObject } from '../api/hcs-machine-config-pool.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import { describeHcsFailure, hcsFailureReason, interpretJob } from '../cloud/hcs-failures.js';
import type { HcsJob, HcsServer } from '../cloud/hcs-types.js';
import { bootstrapObjectStepsOf } from './bootstrap-object.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { type ClusterNetwork, resolveClusterNetwork } from './cluster-network.js';
import { addMember, removeMachineMembers } from './control-plane-load-balancer.js';
import { readEncryptionConfig } from './encryption-provider.js';
import {
  blocked,
  LISTING_LAG_MS,
  MACHINE_READY,
  type MachineCtx,
  type MachineRun,
  POLL_MS,
  serverOf,
} from './machine-run.js';
import { OWNER_UID_KEY, serverName } from './names.js';
import { notConnected } from './not-connected.js';
import {
  attachPersistentDisks,
  createPersistentDisks,
  dataVolumeDevice,
  detachPersistentDisks,
  holdsPersistentDisk,
  migrateDataVolumes,
  persistentDiskDevice,
} from './persistent-disks.js';
import { configPoolKind, type PoolConfigEntry, type UsedConfig } from './pool-claims.js';
import { buildServerRequest } from './server-request.js';

type Ctx = MachineCtx;

const JOB = 'ECS job';

/** The providerID every HCSMachine gets; known before the server exists, so PROVIDER_ID can be replaced. */
export const providerIdOf = (name: string) => `hcs://${name}`;

// The job ids live in status (fields of the CRD), written as the job starts and read back by the next reconcile.
const createJob = taskReferenceAt((run: MachineRun) => run.ctx.status, 'createJobId');
const deleteJob = taskReferenceAt((run: MachineRun) => run.ctx.status, 'deleteJobId');
const stopJob = taskReferenceAt((run: MachineRun) => run.ctx.status, 'stopJobId');

function serverNameOf(ctx: Ctx, entry: PoolConfigEntry | undefined): string {
  return serverName(
    entry?.hostname ?? ctx.status.poolHostname ?? ctx.object.status?.poolHostname ?? ctx.object.metadata.name,
  );
}

/** The guest disks cloud-init formats and mounts: the template's data volumes, then the entry's persistent disks. */
function guestDisks(ctx: Ctx, entry: PoolConfigEntry | undefined): GuestDisk[] {
  const data = ctx.object.spec.dataVolumes ?? [];
  const mounted = (
    device: string,
    disk: { mountPath?: string | undefined; format?: string | undefined },
    options: string[],
  ) =>
    disk.mountPath
      ? [{ device, mountPath: disk.mountPath, format: disk.format ?? 'xfs', mountOptions: options }]
      : [];
  return [
    ...data.flatMap((volume, index) => mounted(dataVolumeDevice(index), volume, ['defaults'])),
    ...(entry?.persistentDisks ?? []).flatMap((disk) =>
      mounted(
        persistentDiskDevice(data.length, disk.slot),
        disk,
        disk.mountOptions?.length ? disk.mountOptions : ['defaults', 'noatime'],
      ),
    ),
  ];
}

/** Whether ECS metadata names this machine's UID: a server made for anything else is never adopted. */
const madeFor = (ctx: Ctx) => (server: HcsServer) =>
  server.metadata?.[OWNER_UID_KEY] === (ctx.object.metadata.uid ?? '');

/** The server's fixed IPs, every network's, in the order ECS lists them. */
const ipsOf = (server: HcsServer) =>
  Object.values(server.addresses ?? {})
    .flat()
    .map((a) => a.addr);

/**
 * Follows a job recorded in status. A failed job goes to `onFailed` (to announce it), then is
 * thrown, unless `onFailed` answers for it (a delete goes on past a failed job).
 */
function followJob(
  name: string,
  reference: typeof createJob,
  onFailed: (run: MachineRun, failure: PlatformFailure) => StepResult | undefined,
): Step<MachineRun> {
  return followTaskStep<MachineRun, HcsJob>({
    name,
    taskNoun: JOB,
    reference,
    read: (run, id) => run.cloud.getJob(id),
    interpret: interpretJob,
    isNotFound: (error) => failureKind(error) === 'NotFound',
    pollAfterMs: POLL_MS,
    onFailed,
  });
}

/** Starts an ECS job and records its id at `reference` as it starts (the kit's startTask). */
const startJob = (
  run: MachineRun,
  reference: typeof createJob,
  what: string,
  start: () => Promise<{ jobId: string }>,
) =>
  startTask(run, reference, async () => (await start()).jobId, { taskNoun: JOB, what, pollAfterMs: POLL_MS });

const connect = connectMachineStep<MachineRun, HCSClusterObject>({
  infraCluster: { apiVersion: HCS_API_VERSION, kind: 'HCSCluster' },
  async connect(run, cluster) {
    const { ctx } = run;
    run.cluster = cluster;
    // A server is looked for where it was created, even if the identity Secret now names another place.
    const lookup = await cloudForCluster(ctx, run.connections, cluster, ctx.status.location);
    if (!lookup.ok) return blocked(run, lookup.reason, lookup.message, 60_000, false);
    run.cloud = lookup.cloud;
    run.location = lookup.location;
    return done();
  },
});

/** The machine's entry of its HCSMachineConfigPool: hostname, addresses, persistent disks. */
const configs: MachineSlots<MachineRun, HCSMachineConfigPoolObject, PoolConfigEntry, UsedConfig> = {
  pool: configPoolKind,
  poolName: (run) => run.poolName,
  conditionType: MACHINE_READY,
  onClaimed(run, entry) {
    run.entry = entry;
    run.ctx.status.poolHostname = entry.hostname;
  },
};

// ECS rolled the server back; a later reconcile creates it again.
const followCreateJob = followJob('FollowCreateJob', createJob, (run, failure) => {
  run.ctx.events.warning('ServerCreateFailed', failure.message);
  return undefined;
});

const resolveNetwork: Step<MachineRun> = {
  name: 'ResolveNetwork',
  async run(run) {
    const network = await resolveClusterNetwork(run.cloud, run.cluster.spec);
    if (!network.ok) return blocked(run, network.reason, network.message, 30_000, false);
    run.network = network.network;
    return done();
  },
};

const findServer: Step<MachineRun> = {
  name: 'FindServer',
  async run(run) {
    const { ctx } = run;
    const name = serverNameOf(ctx, run.entry);
    // A recorded server is read by its id (one GET): listing by name on every reconcile spent the
    // platform's request budget (issue 23). Listing is for a server not recorded or gone.
    const recorded = await recordedServer(run);
    const found = recorded ? [recorded] : await run.cloud.findServersByName(name);
    run.servers = recorded ? found : await madeForThisMachine(run, found);
    if (run.servers.length === 0 && found.length > 0)
      return blocked(
        run,
        'ServerNameInUse',
        `an ECS server named ${name} already exists and was not created for this machine; it is left alone`,
        60_000,
      );
    run.zone =
      serverOf(run)?.['OS-EXT-AZ:availability_zone'] ??
      ctx.object.spec.availabilityZone ??
      ctx.machine.spec.failureDomain ??
      (await run.cloud.listAvailabilityZones())[0] ??
      '';
    return done();
  },
};

const noServer = (run: MachineRun) => run.servers.length === 0;

/** The server whose id status records, when it still exists and was made for this machine. */
async function recordedServer(run: MachineRun): Promise<HcsServer | undefined> {
  const id = run.ctx.status.serverId ?? run.ctx.object.status?.serverId;
  if (!id) return undefined;
  const server = await tolerating(run.cloud.getServer(id), 'NotFound');
  return server && madeFor(run.ctx)(server) ? server : undefined;
}

/**
 * The servers among those named for the machine that were made for it; when none is listed, the
 * server of the recorded id too, since ECS shows a server by its id before its lists have it.
 */
async function madeForThisMachine(run: MachineRun, named: HcsServer[]): Promise<HcsServer[]> {
  const mine = named.filter(madeFor(run.ctx));
  const recordedId = run.ctx.status.serverId;
  if (mine.length > 0 || !recordedId) return mine;
  const recorded = await tolerating(run.cloud.getServer(recordedId), 'NotFound');
  return recorded && madeFor(run.ctx)(recorded) ? [recorded] : [];
}

// Only a new server is refused: an old one with the path in its data volumes is the documented
// migration, handled when it is deleted.
const checkMountPaths: Step<MachineRun> = {
  name: 'CheckMountPaths',
  when: noServer,
  async run(run) {
    const data = new Set((run.ctx.object.spec.dataVolumes ?? []).map((v) => v.mountPath).filter(Boolean));
    const conflicts = (run.entry?.persistentDisks ?? [])
      .filter((d) => d.mountPath && data.has(d.mountPath))
      .map(
        (d) =>
          `${d.mountPath} is both in spec.dataVolumes and in persistentDisks of pool entry ${run.entry?.hostname}: it would be deleted with the server`,
      );
    return conflicts.length > 0 ? blocked(run, 'MountPathConflict', conflicts.join('; '), 60_000) : done();
  },
};

/** The files a control plane server gets: the shared encryption configuration and a kubelet serving certificate. */
const readControlPlaneFiles: Step<MachineRun> = {
  name: 'ReadControlPlaneFiles',
  when: (run) => noServer(run) && run.ctx.isControlPlane,
  async run(run) {
    const { ctx, entry } = run;
    const encryption = await readEncryptionConfig(ctx, run.cluster, ctx.cluster.metadata.name);
    if (!encryption.found) return requeue(2_000, encryption.message);
    const kubelet = await kubeletServingFiles(ctx.secrets, {
      namespace: ctx.object.metadata.namespace ?? 'default',
      clusterName: ctx.cluster.metadata.name,
      hostname: entry?.hostname ?? serverNameOf(ctx, entry),
      ips: (entry?.networks ?? []).map((n) => n.ipAddress),
    });
    if (!kubelet.ok) return requeue(2_000, kubelet.message);
    run.files = [
      { path: ENCRYPTION_CONFIG_PATH, content: encryption.content, permissions: '0600' },
      ...kubelet.files.map(({ path, content, mode }) => ({ path, content, permissions: mode })),
    ];
    return done();
  },
};

/**
 * The node's whole cloud-config: the Machine's bootstrap data with PROVIDER_ID and NODE_IP replaced,
 * the hostname, the disks and the control plane files. It holds the node's keys and join token.
 */
async function composeUserData(run: MachineRun): Promise<string> {
  const { ctx, entry } = run;
  return composeCloudInit(await ctx.bootstrapData(), {
    files: run.files ?? [],
    hostname: entry?.hostname,
    disks: guestDisks(ctx, entry),
    tokens: { PROVIDER_ID: providerIdOf(ctx.object.metadata.name), NODE_IP: entry?.networks[0]?.ipAddress },
  });
}

const bootstrapObject = bootstrapObjectStepsOf(composeUserData);

const createServer: Step<MachineRun> = {
  name: 'CreateServer',
  when: noServer,
  async run(run) {
    const { ctx, entry } = run;
    const name = serverNameOf(ctx, entry);
    let serverGroupId: string | undefined;
    if (ctx.isControlPlane && run.cluster.spec.controlPlaneHA?.enabled) {
      serverGroupId = run.cluster.status?.controlPlaneHA?.id;
      if (!serverGroupId)
        return requeue(2_000, 'waiting for the control plane server group of the HCSCluster');
    }
    const userData = run.userData ?? (await composeUserData(run));
    const built = await buildServerRequest(run.cloud, ctx.object, {
      name,
      network: run.network as ClusterNetwork,
      entry,
      availabilityZone: run.zone,
      userData,
      serverGroupId,
    });
    if (!built.ok) return blocked(run, built.reason, built.message, 60_000);
    ctx.status.location = run.location;
    const asked = await createOnce(
      ctx,
      { key: 'server', what: `ECS server ${name}`, listingLagMs: run.listingLagMs },
      () =>
        startJob(run, createJob, `creating ECS server ${name}`, async () => {
          const created = await run.cloud.createServer(built.request);
          if (created.serverIds[0]) ctx.status.serverId = created.serverIds[0];
          return created;
        }),
    );
    if (!asked.sent) return asked.wait;
    const result = asked.result;
    ctx.status.instanceState = 'BUILD';
    ctx.events.normal('CreatingServer', `creating ECS server ${name} (job ${ctx.status.createJobId})`);
    ctx.setCondition(falseCondition(MACHINE_READY, 'Creating', `${JOB} ${ctx.status.createJobId}`));
    return result;
  },
};

const waitForActive: Step<MachineRun> = {
  name: 'WaitForActive',
  async run(run) {
    const server = serverOf(run) as HcsServer;
    run.ctx.status.serverId = server.id;
    run.ctx.status.instanceState = server.status;
    if (server.status === 'BUILD') return requeue(POLL_MS, `server ${server.name} is building`);
    if (server.status === 'ACTIVE') return done();
    const message = `server ${server.name} is ${server.status}`;
    run.ctx.setCondition(falseCondition(MACHINE_READY, 'ServerNotActive', message, 'Warning'));
    return requeue(15_000, message);
  },
};

const registerMember: Step<MachineRun> = {
  name: 'RegisterLoadBalancerMember',
  async run(run) {
    if (!run.ctx.isControlPlane) return done();
    // Every HCSCluster has an ELB; a copy of the cluster read before its pool existed (the cache can
    // trail the cluster's status write) must not let the machine report ready outside the pool.
    const poolId = run.cluster.status?.loadBalancer?.poolId;
    if (!poolId) return requeue(POLL_MS, 'the control plane load balancer has no pool yet');
    const ip = ipsOf(serverOf(run) as HcsServer)[0];
    if (!ip) return requeue(POLL_MS, `server ${serverOf(run)?.name} has no address yet`);
    // Added even when the cluster records a member of this name and address: it may be the member
    // of an earlier machine of the same name, which that machine's delete took out of the pool.
    await addMember(run.cloud, poolId, { machineName: run.ctx.object.metadata.name, address: ip });
    return done();
  },
};

/** An HCS failure shown on MachineReady too; the host sets Ready, announces it and backs off. */
function showOnMachineReady(run: MachineRun, error: unknown): void {
  const message = describeHcsFailure(error);
  run.ctx.setCondition(falseCondition(MACHINE_READY, hcsFailureReason(error), message, 'Warning'));
}

const RECONCILE_STEPS = reportingFailures(
  [
    connect,
    claimSlotStep('ClaimSlot', configs),
    followCreateJob,
    resolveNetwork,
    findServer,
    checkMountPaths,
    createPersistentDisks,
    readControlPlaneFiles,
    bootstrapObject.write,
    createServer,
    waitForActive,
    bootstrapObject.removeOnceJoined,
    attachPersistentDisks,
    registerMember,
  ],
  showOnMachineReady,
);

// Out of the ELB first: the API server endpoint never points at a server that is going away.
// Members are named after the HCSMachine, and a new machine of the same name (re-applied, or a
// name a MachineDeployment reuses) registers under that name too: only a member at an address of
// a server made for THIS machine (its metadata carries the machine's UID) is this machine's. Once
// its server is gone, a member left behind is the cluster's to remove (it syncs members with the
// machines that are not being deleted); a stale delete re-run never touches the new machine's.
const removeMember: Step<MachineRun> = {
  name: 'RemoveLoadBalancerMember',
  async run(run) {
    const poolId = run.cluster.status?.loadBalancer?.poolId;
    if (!run.ctx.isControlPlane || !poolId) return done();
    const name = serverNameOf(run.ctx, undefined);
    const own = await madeForThisMachine(run, await run.cloud.findServersByName(name));
    const addresses = own.flatMap(ipsOf);
    if (addresses.length > 0)
      await removeMachineMembers(run.cloud, poolId, { machineName: run.ctx.object.metadata.name, addresses });
    return done();
  },
};

const hasServer = (run: MachineRun) => run.servers.length > 0;

const findOwnServers: Step<MachineRun> = {
  name: 'FindServer',
  async run(run) {
    const name = serverNameOf(run.ctx, undefined);
    run.servers = await madeForThisMachine(run, await run.cloud.findServersByName(name));
    const thing = { key: 'server', what: `ECS server ${name}`, listingLagMs: run.listingLagMs };
    const unlisted = run.servers.length === 0 && waitWhileUnlisted(run.ctx, thing, POLL_MS);
    if (unlisted) return unlisted;
    const server = serverOf(run);
    if (server?.['OS-EXT-STS:task_state'] === 'deleting')
      return requeue(POLL_MS, `server ${name} is being deleted`);
    if (server?.status === 'BUILD') return requeue(POLL_MS, `server ${name} is still building`);
    if (server) run.entry = await heldSlot(run, configs);
    return done();
  },
};

const followStopJob = followJob('FollowStopJob', stopJob, (run, failure) => {
  run.ctx.events.warning('ServerStopFailed', failure.message);
  return done();
});

// A clean shutdown first, so the file system on the persistent disk is consistent when it moves.
const stopServer: Step<MachineRun> = {
  name: 'StopServer',
  async run(run) {
    const server = serverOf(run);
    if (!server || !(await holdsPersistentDisk(run))) return done();
    const followed = await followStopJob.run(run);
    if (followed.type !== 'done') return followed;
    const task = server['OS-EXT-STS:task_state'];
    if (server.status === 'ACTIVE' && !task) {
      run.ctx.events.normal(
        'StoppingServer',
        `stopping ECS server ${server.name} before detaching its persistent disks`,
      );
      return startJob(run, stopJob, `stopping ECS server ${server.name}`, () =>
        run.cloud.stopServers([server.id]),
      );
    }
    return task ? requeue(POLL_MS, `server ${server.name} is ${task}`) : done();
  },
};

// Persistent disks are off the server now; the system and template data disks go with it.
const deleteServer: Step<MachineRun> = {
  name: 'DeleteServer',
  when: hasServer,
  async run(run) {
    const name = serverNameOf(run.ctx, undefined);
    const result = await startJob(run, deleteJob, `deleting ECS server ${name}`, () =>
      run.cloud.deleteServers(
        run.servers.map((s) => s.id),
        true,
      ),
    );
    run.ctx.events.normal(
      'DeletingServer',
      `deleting ECS server ${name} (job ${run.ctx.status.deleteJobId})`,
    );
    return result;
  },
};

const DELETE_STEPS = reportingFailures(
  [
    connect,
    removeMember,
    // The node's secrets go first; nothing below needs them.
    bootstrapObject.remove,
    followJob('FollowDeleteJob', deleteJob, (run, failure) => {
      run.ctx.events.warning('ServerDeleteFailed', failure.message);
      return done();
    }),
    // A server still being created is waited for; a failed create leaves nothing to delete.
    followJob('FollowCreateJob', createJob, () => done()),
    findOwnServers,
    migrateDataVolumes,
    stopServer,
    detachPersistentDisks,
    deleteServer,
    releaseSlotStep('ReleaseSlot', configs),
  ],
  showOnMachineReady,
);

/** What the steps share before the first runs; Connect finds the cloud. */
function machineRun(ctx: Ctx, connections: HcsConnections, listingLagMs: number): MachineRun {
  return {
    ctx,
    connections,
    cloud: notConnected,
    // Connect stops the plan while the machine has no HCSCluster.
    cluster: ctx.infraCluster as HCSClusterObject,
    poolName: ctx.object.spec.configPoolRef?.name,
    servers: [],
    zone: '',
    listingLagMs,
  };
}

/**
 * Named steps the host runs: it names the one that waits in Ready and backs off on an HCS failure,
 * which the steps also show on MachineReady. Progress lives in status (job ids) and on HCS, so the
 * next run picks up where this one stopped.
 */
export function hcsMachineHooks(
  connections: HcsConnections,
  listingLagMs = LISTING_LAG_MS,
): InfraMachineHooks<typeof HCSMachine> {
  return machineStepHooks({
    kind: HCSMachine,
    newRun: (ctx) => machineRun(ctx, connections, listingLagMs),
    reconcile: RECONCILE_STEPS,
    provisioned: (run) => {
      const server = serverOf(run) as HcsServer;
      run.ctx.setCondition(trueCondition(MACHINE_READY, 'Active', `ECS server ${server.id}`));
      return machineProvisioned({
        providerID: providerIdOf(run.ctx.object.metadata.name),
        addresses: machineAddresses(ipsOf(server), run.entry?.hostname),
        failureDomain: server['OS-EXT-AZ:availability_zone'],
      });
    },
    delete: DELETE_STEPS,
  });
}
