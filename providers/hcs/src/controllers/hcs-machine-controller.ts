import {
  done,
  falseCondition,
  type InfraMachineContext,
  type InfraMachineHooks,
  type MachineAddress,
  machineProvisioned,
  requeue,
  type StepResult,
  trueCondition,
} from '@immutable-infra/core';
import { ClaimablePool } from '@immutable-infra/provider-kit';
import type { HCSClusterObject } from '../api/hcs-cluster.js';
import { HCSMachine } from '../api/hcs-machine.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsConnections } from '../cloud/hcs-connections.js';
import { describeHcsFailure, HcsJobFailedError, hcsFailureKind } from '../cloud/hcs-errors.js';
import type { HcsServer } from '../cloud/hcs-types.js';
import { checkJob } from '../cloud/jobs.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { composeCloudInit, type GuestDisk } from './cloud-init.js';
import { type ClusterNetwork, resolveClusterNetwork } from './cluster-network.js';
import { addMember, removeMachineMembers } from './control-plane-load-balancer.js';
import { ENCRYPTION_CONFIG_PATH, readEncryptionConfig } from './encryption-provider.js';
import { clusterCaFrom, kubeletServingCertificate } from './kubelet-certificate.js';
import { deviceName, OWNER_UID_KEY, serverName } from './names.js';
import {
  attachPersistentDisks,
  claimMigratedDataVolumes,
  detachPersistentDisks,
  ensurePersistentVolumes,
  holdsPersistentDisk,
  persistentDiskDevice,
} from './persistent-disks.js';
import { configPoolKind, type PoolConfigEntry } from './pool-claims.js';
import { buildServerRequest } from './server-request.js';

type Ctx = InfraMachineContext<typeof HCSMachine>;

const SERVER_READY = 'ServerReady';
const POLL_MS = 1_000;
/** Where the documented kubelet configuration patch points `tlsCertFile` and `tlsPrivateKeyFile`. */
const KUBELET_CERT_PATH = '/etc/kubernetes/pki/kubelet.crt';
const KUBELET_KEY_PATH = '/etc/kubernetes/pki/kubelet.key';

/** The providerID every HCSMachine gets; known before the server exists, so PROVIDER_ID can be replaced. */
export const providerIdOf = (name: string) => `hcs://${name}`;

const claimantOf = (ctx: Ctx) => ({ uid: ctx.object.metadata.uid ?? '', name: ctx.object.metadata.name });

const isOwnedBy = (server: HcsServer, ctx: Ctx) =>
  server.metadata?.[OWNER_UID_KEY] === (ctx.object.metadata.uid ?? '');

interface MachineCloud {
  cloud: HcsCloud;
  cluster: HCSClusterObject;
}

async function machineCloud(ctx: Ctx, connections: HcsConnections): Promise<MachineCloud | StepResult> {
  const cluster = ctx.infraCluster as HCSClusterObject | undefined;
  if (!cluster) return requeue(10_000, 'waiting for the HCSCluster of this machine');
  const lookup = await cloudForCluster(ctx, connections, cluster);
  if (!lookup.ok) {
    ctx.setCondition(falseCondition(SERVER_READY, lookup.reason, lookup.message, 'Error'));
    return requeue(60_000, lookup.message);
  }
  return { cloud: lookup.cloud, cluster };
}

function serverNameOf(ctx: Ctx, entry: PoolConfigEntry | undefined): string {
  return serverName(
    entry?.hostname ?? ctx.status.poolHostname ?? ctx.object.status?.poolHostname ?? ctx.object.metadata.name,
  );
}

/** The guest disks cloud-init formats and mounts: the template's data volumes, then the entry's persistent disks. */
function guestDisks(ctx: Ctx, entry: PoolConfigEntry | undefined): GuestDisk[] {
  const data = ctx.object.spec.dataVolumes ?? [];
  return [
    ...data.flatMap((volume, index) =>
      volume.mountPath
        ? [
            {
              device: deviceName(1 + index),
              mountPath: volume.mountPath,
              format: volume.format ?? 'xfs',
              mountOptions: ['defaults'],
            },
          ]
        : [],
    ),
    ...(entry?.persistentDisks ?? []).flatMap((disk) =>
      disk.mountPath
        ? [
            {
              device: persistentDiskDevice(data.length, disk.slot),
              mountPath: disk.mountPath,
              format: disk.format ?? 'xfs',
              mountOptions: disk.mountOptions?.length ? disk.mountOptions : ['defaults', 'noatime'],
            },
          ]
        : [],
    ),
  ];
}

function mountPathConflicts(ctx: Ctx, entry: PoolConfigEntry | undefined): string[] {
  const data = new Set((ctx.object.spec.dataVolumes ?? []).map((v) => v.mountPath).filter(Boolean));
  return (entry?.persistentDisks ?? [])
    .filter((d) => d.mountPath && data.has(d.mountPath))
    .map(
      (d) =>
        `${d.mountPath} is both in spec.dataVolumes and in persistentDisks of pool entry ${entry?.hostname}: it would be deleted with the server`,
    );
}

/** Follows the create job recorded in status; undefined once there is nothing left to wait for. */
async function followCreateJob(ctx: Ctx, cloud: HcsCloud): Promise<StepResult | undefined> {
  const jobId = ctx.status.createJobId ?? ctx.object.status?.createJobId;
  if (!jobId) return undefined;
  const outcome = await checkJob(cloud, jobId);
  if (outcome.state === 'running') return requeue(POLL_MS, `ECS job ${jobId} is creating the server`);
  delete ctx.status.createJobId;
  if (outcome.state === 'failed') {
    // ECS rolled the server back; the next reconcile creates it again.
    const failure = new HcsJobFailedError(jobId, outcome.code, outcome.reason);
    ctx.setCondition(falseCondition(SERVER_READY, failure.kind, failure.message, 'Warning'));
    ctx.events.warning('ServerCreateFailed', failure.message);
    return requeue(5_000, failure.message);
  }
  return undefined;
}

function addressesOf(server: HcsServer, hostname: string | undefined): MachineAddress[] {
  const ips = Object.values(server.addresses ?? {})
    .flat()
    .map((a) => a.addr);
  return [
    ...ips.map((address) => ({ type: 'InternalIP' as const, address })),
    ...(hostname ? [{ type: 'Hostname' as const, address: hostname }] : []),
  ];
}

async function createServer(
  ctx: Ctx,
  mc: MachineCloud,
  network: ClusterNetwork,
  entry: PoolConfigEntry | undefined,
  name: string,
  zone: string,
): Promise<StepResult> {
  let serverGroupId: string | undefined;
  if (ctx.isControlPlane && mc.cluster.spec.controlPlaneHA?.enabled) {
    serverGroupId = mc.cluster.status?.controlPlaneHA?.id;
    if (!serverGroupId) return requeue(2_000, 'waiting for the control plane server group of the HCSCluster');
  }
  const files = [];
  if (ctx.isControlPlane) {
    const encryption = await readEncryptionConfig(ctx, mc.cluster, ctx.cluster.metadata.name);
    if (!encryption.found) return requeue(2_000, encryption.message);
    files.push({ path: ENCRYPTION_CONFIG_PATH, content: encryption.content, permissions: '0600' });
    const caSecret = `${ctx.cluster.metadata.name}-ca`;
    const ca = clusterCaFrom(await ctx.secrets.read(ctx.object.metadata.namespace ?? 'default', caSecret));
    if (!ca) return requeue(2_000, `waiting for the cluster CA Secret ${caSecret}`);
    const hostname = entry?.hostname ?? name;
    const ips = (entry?.networks ?? []).map((n) => n.ipAddress);
    const kubelet = await kubeletServingCertificate(ca, hostname, ips);
    files.push(
      { path: KUBELET_CERT_PATH, content: kubelet.certificate, permissions: '0644' },
      { path: KUBELET_KEY_PATH, content: kubelet.privateKey, permissions: '0600' },
    );
  }
  const userData = composeCloudInit(await ctx.bootstrapData(), {
    files,
    hostname: entry?.hostname,
    disks: guestDisks(ctx, entry),
    tokens: { PROVIDER_ID: providerIdOf(ctx.object.metadata.name), NODE_IP: entry?.networks[0]?.ipAddress },
  });
  const built = await buildServerRequest(mc.cloud, ctx.object, {
    name,
    network,
    entry,
    availabilityZone: zone,
    userData,
    serverGroupId,
  });
  if (!built.ok) {
    ctx.setCondition(falseCondition(SERVER_READY, built.reason, built.message, 'Error'));
    ctx.events.warning(built.reason, built.message);
    return requeue(60_000, built.message);
  }
  const created = await mc.cloud.createServer(built.request);
  ctx.status.createJobId = created.jobId;
  if (created.serverIds[0]) ctx.status.serverId = created.serverIds[0];
  ctx.status.instanceState = 'BUILD';
  ctx.events.normal('CreatingServer', `creating ECS server ${name} (job ${created.jobId})`);
  ctx.setCondition(falseCondition(SERVER_READY, 'Creating', `ECS job ${created.jobId}`));
  return requeue(POLL_MS, 'server create job started');
}

async function reconcileMachine(ctx: Ctx, connections: HcsConnections) {
  const mc = await machineCloud(ctx, connections);
  if ('type' in mc) return mc;
  const namespace = ctx.object.metadata.namespace ?? 'default';
  let entry: PoolConfigEntry | undefined;
  const poolName = ctx.object.spec.configPoolRef?.name;
  if (poolName) {
    const claim = await new ClaimablePool(ctx.kube, configPoolKind).claim(
      namespace,
      poolName,
      claimantOf(ctx),
    );
    if (!claim.ok) {
      ctx.setCondition(falseCondition(SERVER_READY, claim.reason, claim.message, 'Warning'));
      ctx.events.warning(claim.reason, claim.message);
      return requeue(30_000, claim.message);
    }
    entry = claim.entry;
    ctx.status.poolHostname = entry.hostname;
  }
  try {
    const pending = await followCreateJob(ctx, mc.cloud);
    if (pending) return pending;
    const network = await resolveClusterNetwork(mc.cloud, mc.cluster.spec);
    if (!network.ok) {
      ctx.setCondition(falseCondition(SERVER_READY, network.reason, network.message, 'Error'));
      return requeue(30_000, network.message);
    }
    const name = serverNameOf(ctx, entry);
    const found = await mc.cloud.findServersByName(name);
    const server = found.find((s) => isOwnedBy(s, ctx));
    if (!server && found.length > 0) {
      const message = `an ECS server named ${name} already exists and was not created for this machine; it is left alone`;
      ctx.setCondition(falseCondition(SERVER_READY, 'ServerNameInUse', message, 'Error'));
      ctx.events.warning('ServerNameInUse', message);
      return requeue(60_000, message);
    }
    const zone =
      server?.['OS-EXT-AZ:availability_zone'] ??
      ctx.object.spec.availabilityZone ??
      ctx.machine.spec.failureDomain ??
      (await mc.cloud.listAvailabilityZones())[0] ??
      '';
    if (!server) {
      // Only a new server is refused: an old one with the path in its data volumes is the documented
      // migration, handled when it is deleted.
      const conflicts = mountPathConflicts(ctx, entry);
      if (conflicts.length > 0) {
        const message = conflicts.join('; ');
        ctx.setCondition(falseCondition(SERVER_READY, 'MountPathConflict', message, 'Error'));
        ctx.events.warning('MountPathConflict', message);
        return requeue(60_000, message);
      }
      if (entry && poolName) {
        const disks = await ensurePersistentVolumes(mc.cloud, poolName, entry, zone);
        if (disks.wait) {
          if (disks.problem)
            ctx.setCondition(falseCondition(SERVER_READY, 'PersistentDiskProblem', disks.message, 'Error'));
          return requeue(disks.problem ? 30_000 : POLL_MS, disks.message);
        }
      }
      return await createServer(ctx, mc, network.network, entry, name, zone);
    }

    ctx.status.serverId = server.id;
    ctx.status.instanceState = server.status;
    if (server.status === 'BUILD') return requeue(POLL_MS, `server ${name} is building`);
    if (server.status !== 'ACTIVE') {
      const message = `server ${name} is ${server.status}`;
      ctx.setCondition(falseCondition(SERVER_READY, 'ServerNotActive', message, 'Warning'));
      return requeue(15_000, message);
    }
    if (entry && poolName) {
      const attach = await attachPersistentDisks(
        mc.cloud,
        poolName,
        entry,
        server.id,
        ctx.object.spec.dataVolumes ?? [],
      );
      if (attach.wait) {
        ctx.setCondition(falseCondition(SERVER_READY, 'AttachingPersistentDisks', attach.message));
        return requeue(POLL_MS, attach.message);
      }
    }
    const addresses = addressesOf(server, entry?.hostname);
    const poolId = mc.cluster.status?.loadBalancer?.poolId;
    const ip = addresses.find((a) => a.type === 'InternalIP')?.address;
    if (ctx.isControlPlane && poolId && ip)
      await addMember(mc.cloud, poolId, { machineName: ctx.object.metadata.name, address: ip });
    ctx.setCondition(trueCondition(SERVER_READY, 'Active', `ECS server ${server.id}`));
    return machineProvisioned({
      providerID: providerIdOf(ctx.object.metadata.name),
      addresses,
      failureDomain: server['OS-EXT-AZ:availability_zone'],
    });
  } catch (error) {
    // Progress lives in status (job ids) and on HCS itself, so a failed call costs one short wait.
    const message = describeHcsFailure(error);
    const reason = hcsFailureKind(error) ?? 'HCSError';
    ctx.setCondition(falseCondition(SERVER_READY, reason, message, 'Warning'));
    if (reason === 'QuotaExceeded' || reason === 'AuthenticationFailed') {
      ctx.events.warning(reason, message);
      return requeue(30_000, message);
    }
    return requeue(1_000, message);
  }
}

async function deleteMachine(ctx: Ctx, connections: HcsConnections): Promise<StepResult> {
  const mc = await machineCloud(ctx, connections);
  if ('type' in mc) return mc;
  const { cloud } = mc;
  const namespace = ctx.object.metadata.namespace ?? 'default';
  const poolName = ctx.object.spec.configPoolRef?.name;
  try {
    // Out of the ELB first: the API server endpoint never points at a server that is going away.
    const poolId = mc.cluster.status?.loadBalancer?.poolId;
    if (ctx.isControlPlane && poolId) await removeMachineMembers(cloud, poolId, ctx.object.metadata.name);
    const deleteJob = ctx.status.deleteJobId ?? ctx.object.status?.deleteJobId;
    if (deleteJob) {
      const outcome = await checkJob(cloud, deleteJob);
      if (outcome.state === 'running') return requeue(POLL_MS, `ECS job ${deleteJob} is deleting the server`);
      delete ctx.status.deleteJobId;
      if (outcome.state === 'failed')
        ctx.events.warning('ServerDeleteFailed', `ECS job ${deleteJob}: ${outcome.reason}`);
    }
    const createJob = ctx.status.createJobId ?? ctx.object.status?.createJobId;
    if (createJob) {
      const outcome = await checkJob(cloud, createJob);
      if (outcome.state === 'running') return requeue(POLL_MS, 'waiting for the create job before deleting');
      delete ctx.status.createJobId;
    }
    const name = serverNameOf(ctx, undefined);
    const servers = (await cloud.findServersByName(name)).filter((s) => isOwnedBy(s, ctx));
    const server = servers[0];
    if (server) {
      if (server['OS-EXT-STS:task_state'] === 'deleting')
        return requeue(POLL_MS, `server ${name} is being deleted`);
      if (server.status === 'BUILD') return requeue(POLL_MS, `server ${name} is still building`);
      const held = poolName
        ? await new ClaimablePool(ctx.kube, configPoolKind).heldEntry(namespace, poolName, claimantOf(ctx))
        : undefined;
      const entry = held?.ok ? held.entry : undefined;
      if (entry && poolName) {
        const claim = await claimMigratedDataVolumes(
          cloud,
          poolName,
          entry,
          server,
          ctx.object.spec.dataVolumes ?? [],
        );
        if (claim.wait) {
          ctx.setCondition(falseCondition(SERVER_READY, 'PersistentDiskProblem', claim.message, 'Error'));
          ctx.events.warning('PersistentDiskProblem', claim.message);
          return requeue(30_000, claim.message);
        }
      }
      if (entry && poolName && (await holdsPersistentDisk(cloud, poolName, entry, server.id))) {
        // A clean shutdown first, so the file system on the persistent disk is consistent when it moves.
        const stopJob = ctx.status.stopJobId ?? ctx.object.status?.stopJobId;
        if (stopJob) {
          const outcome = await checkJob(cloud, stopJob);
          if (outcome.state === 'running')
            return requeue(POLL_MS, `ECS job ${stopJob} is stopping the server`);
          delete ctx.status.stopJobId;
          if (outcome.state === 'failed')
            ctx.events.warning('ServerStopFailed', `ECS job ${stopJob}: ${outcome.reason}`);
        }
        if (server.status === 'ACTIVE' && !server['OS-EXT-STS:task_state']) {
          const { jobId } = await cloud.stopServers([server.id]);
          ctx.status.stopJobId = jobId;
          ctx.events.normal(
            'StoppingServer',
            `stopping ECS server ${name} before detaching its persistent disks`,
          );
          return requeue(POLL_MS, 'server stop job started');
        }
        if (server['OS-EXT-STS:task_state'])
          return requeue(POLL_MS, `server ${name} is ${server['OS-EXT-STS:task_state']}`);
        const detach = await detachPersistentDisks(cloud, poolName, entry, server.id);
        if (detach.wait) return requeue(POLL_MS, detach.message);
      }
      // Persistent disks are off the server now; the system and template data disks go with it.
      const { jobId } = await cloud.deleteServers(
        servers.map((s) => s.id),
        true,
      );
      ctx.status.deleteJobId = jobId;
      ctx.events.normal('DeletingServer', `deleting ECS server ${name} (job ${jobId})`);
      return requeue(POLL_MS, 'server delete job started');
    }
    if (poolName)
      await new ClaimablePool(ctx.kube, configPoolKind).release(namespace, poolName, claimantOf(ctx));
    return done();
  } catch (error) {
    const message = describeHcsFailure(error);
    ctx.setCondition(falseCondition(SERVER_READY, hcsFailureKind(error) ?? 'HCSError', message, 'Warning'));
    return requeue(1_000, message);
  }
}

export function hcsMachineHooks(connections: HcsConnections): InfraMachineHooks<typeof HCSMachine> {
  return {
    kind: HCSMachine,
    reconcile: (ctx) => reconcileMachine(ctx, connections),
    delete: (ctx) => deleteMachine(ctx, connections),
  };
}
