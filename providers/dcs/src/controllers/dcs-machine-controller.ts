import {
  done,
  falseCondition,
  type InfraMachineContext,
  type InfraMachineHooks,
  machineProvisioned,
  requeue,
  runSteps,
  type Step,
  type StepResult,
  trueCondition,
} from '@immutable-infra/core';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import type { DCSIpHostnamePoolObject } from '../api/dcs-ip-hostname-pool.js';
import { DCSMachine } from '../api/dcs-machine.js';
import { describeDcsFailure, isNotFound, isStoppedOnlyDelete } from '../cloud/dcs-api-error.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import type { DcsVm } from '../cloud/dcs-types.js';
import { checkTask } from '../cloud/tasks.js';
import { substituteBootstrapTokens } from './bootstrap-tokens.js';
import { buildCloneRequest, isOwnedBy } from './clone-request.js';
import { cloudForCluster } from './cloud-for-cluster.js';
import { ignitionIso } from './ignition-iso.js';
import { attachPersistentDisks, detachPersistentDisks } from './persistent-disks.js';
import { claimPoolEntry, heldPoolEntry, releasePoolEntry } from './pool-claims.js';

type Ctx = InfraMachineContext<typeof DCSMachine>;

/** Annotation (on the Machine or the DCSMachine) that keeps the VM when the machine is deleted. */
export const RETAIN_VM_ANNOTATION = 'cpaas.io/retain-vm';

const VM_READY = 'VMReady';
const STOP_PENDING = 'VMStopPending';
const POLL_MS = 2_000;
const TRANSITIONAL = new Set([
  'stopping',
  'starting',
  'migrating',
  'pause',
  'paused',
  'hibernated',
  'fault-resuming',
]);

/** What the steps of one reconcile find out and share. */
interface MachineRun {
  ctx: Ctx;
  cloud: DcsCloud;
  vmName: string;
  /** The pool entry this machine holds (empty on the delete path). */
  entry: PoolEntry;
  vm: DcsVm | undefined;
}

type PoolEntry = DCSIpHostnamePoolObject['spec']['pool'][number];

const providerIdOf = (ctx: Ctx) => `dcs://${ctx.object.metadata.name}`;
const isoNameOf = (ctx: Ctx) => `${ctx.object.metadata.name}-bootstrap.iso`;

async function withCloud(ctx: Ctx, sessions: DcsSessionPool): Promise<DcsCloud | StepResult> {
  const cluster = ctx.infraCluster as DCSClusterObject | undefined;
  if (!cluster) return requeue(10_000, 'waiting for the DCSCluster of this machine');
  const lookup = await cloudForCluster(ctx, sessions, cluster);
  if (!lookup.ok) return requeue(60_000, lookup.message);
  return lookup.cloud;
}

/** Follows the task recorded in status; undefined once there is none left to wait for. */
async function awaitRecordedTask(run: MachineRun): Promise<StepResult | undefined> {
  const taskUri = run.ctx.status.taskUrn;
  if (!taskUri) return undefined;
  const outcome = await checkTask(run.cloud, taskUri).catch((error: unknown) => {
    if (isNotFound(error)) return { state: 'success' as const };
    throw error;
  });
  if (outcome.state === 'running')
    return requeue(POLL_MS, `DCS task ${taskUri} at ${outcome.progress ?? 0}%`);
  delete run.ctx.status.taskUrn;
  if (outcome.state === 'failed') {
    run.ctx.events.warning('TaskFailed', `DCS task failed: ${outcome.reason}`);
    return requeue(POLL_MS, `DCS task failed: ${outcome.reason}`);
  }
  run.vm = await run.cloud.findVmByName(run.vmName);
  return undefined;
}

const createSteps: Step<MachineRun>[] = [
  { name: 'FollowTask', run: async (run) => (await awaitRecordedTask(run)) ?? done() },
  {
    name: 'CloneVM',
    async run(run) {
      if (run.vm) return done();
      const template = await run.cloud.findTemplate(run.ctx.object.spec.vmTemplateName);
      if (!template) {
        const message = `VM template ${run.ctx.object.spec.vmTemplateName} not found on DCS`;
        run.ctx.setCondition(falseCondition(VM_READY, 'TemplateNotFound', message, 'Error'));
        return requeue(60_000, message);
      }
      const request = await buildCloneRequest(run.cloud, run.ctx.object, template, run.vmName, run.entry);
      const result = await run.cloud.cloneVm(template.uri, request);
      run.ctx.status.taskUrn = result.taskUri;
      run.ctx.events.normal('Cloning', `cloning VM ${run.vmName} from ${template.name}`);
      run.ctx.setCondition(falseCondition(VM_READY, 'Cloning', `cloning from ${template.name}`));
      return requeue(POLL_MS, 'VM clone started');
    },
  },
  {
    name: 'AttachPersistentDisks',
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.status !== 'stopped' && vm.status !== 'running') return done();
      const change = await attachPersistentDisks(
        run.cloud,
        run.ctx.object.spec.ipHostPoolRef.name,
        run.entry,
        vm,
      );
      if (!change) return done();
      if ('type' in change) return change;
      run.ctx.status.taskUrn = change.taskUri;
      return requeue(POLL_MS, change.message);
    },
  },
  {
    name: 'AttachBootstrapISO',
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.status !== 'stopped' || vm.cdRomStatus === 'attached' || run.ctx.status.cdRomDetached)
        return done();
      const data = substituteBootstrapTokens(await run.ctx.bootstrapData(), {
        PROVIDER_ID: providerIdOf(run.ctx),
        NODE_IP: run.entry.ip,
      });
      const datastore = await isoDatastore(run);
      const upload = await run.cloud.uploadIso(datastore, isoNameOf(run.ctx), ignitionIso(data.value));
      const task = await run.cloud.attachCdrom(vm.uri, upload.filePath, upload.datastoreUrn);
      run.ctx.status.cdRomFile = upload.filePath;
      run.ctx.status.cdRomDatastoreUrn = upload.datastoreUrn;
      run.ctx.status.taskUrn = task.taskUri;
      return requeue(POLL_MS, 'attaching the bootstrap ISO');
    },
  },
  {
    name: 'PowerOn',
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.status === 'running') return done();
      if (vm.status !== 'stopped') return requeue(POLL_MS, `VM is ${vm.status}`);
      const task = await run.cloud.startVm(vm.uri);
      run.ctx.status.taskUrn = task.taskUri;
      run.ctx.events.normal('PoweringOn', `powering on VM ${run.vmName}`);
      run.ctx.setCondition(falseCondition(VM_READY, 'PoweringOn', 'the VM is starting'));
      return requeue(POLL_MS, 'powering on');
    },
  },
  {
    name: 'DetachBootstrapISO',
    async run(run) {
      // The node has registered, so Ignition has run: the ISO (which holds the join secrets) goes.
      if (!run.ctx.machine.status?.nodeRef || run.ctx.status.cdRomFileDeleted) return done();
      const vm = run.vm as DcsVm;
      if (vm.cdRomStatus === 'attached') {
        const task = await run.cloud.detachCdrom(vm.uri);
        run.ctx.status.taskUrn = task.taskUri;
        return requeue(POLL_MS, 'detaching the bootstrap ISO');
      }
      run.ctx.status.cdRomDetached = true;
      const upload = await run.cloud.findUpload(isoNameOf(run.ctx));
      if (upload) await run.cloud.deleteUpload(upload.uri);
      run.ctx.status.cdRomFileDeleted = true;
      run.ctx.events.normal(
        'BootstrapISORemoved',
        'the node registered; the bootstrap ISO was detached and deleted',
      );
      return done();
    },
  },
];

async function isoDatastore(run: MachineRun): Promise<string> {
  const config = run.ctx.object.spec.vmConfig;
  if (config?.cdRomDatastoreName) return (await run.cloud.resolveDatastore(config.cdRomDatastoreName)).urn;
  if (config?.cdRomDatastoreClusterName) {
    return (await run.cloud.resolveDatastoreCluster(config.cdRomDatastoreClusterName)).urn;
  }
  const disk = (run.vm as DcsVm).vmConfig?.disks?.[0];
  if (disk?.datastoreUrn) return disk.datastoreUrn;
  throw new Error('no datastore for the bootstrap ISO: set vmConfig.cdRomDatastoreName');
}

async function reconcileMachine(ctx: Ctx, sessions: DcsSessionPool) {
  const cloud = await withCloud(ctx, sessions);
  if ('type' in cloud) return cloud;
  const claim = await claimPoolEntry(
    ctx.kube,
    ctx.object.metadata.namespace ?? 'default',
    ctx.object.spec.ipHostPoolRef.name,
    { name: ctx.object.metadata.name, uid: ctx.object.metadata.uid ?? '' },
  );
  if (!claim.ok) {
    ctx.setCondition(falseCondition(VM_READY, claim.reason, claim.message, 'Warning'));
    ctx.events.warning(claim.reason, claim.message);
    return requeue(30_000, claim.message);
  }
  const { entry } = claim;
  ctx.status.networkConfig = {
    ip: entry.ip,
    ...(entry.mask ? { mask: entry.mask } : {}),
    ...(entry.gateway ? { gateway: entry.gateway } : {}),
    ...(entry.dns ? { dns: entry.dns } : {}),
    ...(entry.hostname ? { hostname: entry.hostname } : {}),
    ...(entry.machineName ? { machineName: entry.machineName } : {}),
    ...(entry.additionNic ? { additionNic: entry.additionNic } : {}),
  };
  const vmName = entry.machineName ?? ctx.object.metadata.name;
  const found = await cloud.findVmByName(vmName);
  if (found && !isOwnedBy(found, ctx.object)) {
    const message = `a VM named ${vmName} already exists on DCS and was not created for this machine; it is left alone`;
    ctx.setCondition(falseCondition(VM_READY, 'VMNameInUse', message, 'Error'));
    ctx.events.warning('VMNameInUse', message);
    return requeue(60_000, message);
  }
  const run: MachineRun = { ctx, cloud, vmName, entry, vm: found };
  try {
    const result = await runSteps(run, createSteps);
    if (result.type !== 'done') return result;
  } catch (error) {
    // Progress is kept in status (task ids) and on DCS itself, so a failed call costs one
    // short wait, not a restart of the whole sequence.
    const reason = describeDcsFailure(error);
    ctx.setCondition(falseCondition(VM_READY, 'DCSError', reason, 'Warning'));
    return requeue(1_000, reason);
  }
  ctx.setCondition(trueCondition(VM_READY, 'Running'));
  return machineProvisioned({
    providerID: providerIdOf(ctx),
    addresses: [
      { type: 'InternalIP', address: entry.ip },
      ...(entry.hostname ? [{ type: 'Hostname' as const, address: entry.hostname }] : []),
    ],
  });
}

async function deleteMachine(ctx: Ctx, sessions: DcsSessionPool): Promise<StepResult> {
  const namespace = ctx.object.metadata.namespace ?? 'default';
  const retain =
    ctx.object.metadata.annotations?.[RETAIN_VM_ANNOTATION] === 'true' ||
    ctx.machine.metadata.annotations?.[RETAIN_VM_ANNOTATION] === 'true';
  if (retain) {
    ctx.events.normal(
      'VMRetained',
      `${RETAIN_VM_ANNOTATION} is set: the VM stays on DCS and keeps its pool entry`,
    );
    return done();
  }
  const cloud = await withCloud(ctx, sessions);
  if ('type' in cloud) return cloud;
  const vmName = (ctx.status.networkConfig?.machineName as string | undefined) ?? ctx.object.metadata.name;
  const run: MachineRun = { ctx, cloud, vmName, entry: { ip: '' }, vm: undefined };
  const pending = await awaitRecordedTask(run);
  if (pending) return pending;
  const candidate = run.vm ?? (await cloud.findVmByName(vmName));
  // Never stop or delete a VM this machine did not create.
  const vm = candidate && isOwnedBy(candidate, ctx.object) ? candidate : undefined;
  if (vm) {
    if (vm.status === 'running') {
      const task = await cloud.stopVm(vm.uri, 'safe');
      ctx.status.taskUrn = task.taskUri;
      ctx.setCondition(falseCondition(STOP_PENDING, 'WaitingForStop', `issued safe StopVm for ${vmName}`));
      return requeue(POLL_MS, 'waiting for the VM to stop');
    }
    if (TRANSITIONAL.has(vm.status) || vm.status === 'creating') {
      ctx.setCondition(
        falseCondition(
          STOP_PENDING,
          'VMMidTransition',
          `VM ${vmName} is ${vm.status}; waiting for running or stopped`,
          'Warning',
        ),
      );
      return requeue(POLL_MS * 5, `VM is ${vm.status}`);
    }
    const entry = await heldPoolEntry(
      ctx.kube,
      ctx.object.metadata.namespace ?? 'default',
      ctx.object.spec.ipHostPoolRef.name,
      ctx.object.metadata.uid ?? '',
    );
    if (entry) {
      const detach = await detachPersistentDisks(cloud, ctx.object.spec.ipHostPoolRef.name, entry, vm);
      if (detach) {
        ctx.status.taskUrn = detach.taskUri;
        return requeue(POLL_MS, detach.message);
      }
    }
    try {
      const task = await cloud.deleteVm(vm.uri);
      ctx.status.taskUrn = task.taskUri;
      ctx.setCondition(trueCondition(STOP_PENDING, 'Stopped'));
      return requeue(POLL_MS, 'deleting the VM');
    } catch (error) {
      if (isStoppedOnlyDelete(error))
        return requeue(POLL_MS * 5, 'DeleteVm rejected by FC site policy, requeuing');
      throw error;
    }
  }
  const upload = await cloud.findUpload(isoNameOf(ctx));
  if (upload) await cloud.deleteUpload(upload.uri);
  await releasePoolEntry(
    ctx.kube,
    namespace,
    ctx.object.spec.ipHostPoolRef.name,
    ctx.object.metadata.uid ?? '',
  );
  return done();
}

export function dcsMachineHooks(sessions: DcsSessionPool): InfraMachineHooks<typeof DCSMachine> {
  return {
    kind: DCSMachine,
    reconcile: (ctx) => reconcileMachine(ctx, sessions),
    delete: (ctx) => deleteMachine(ctx, sessions),
  };
}
