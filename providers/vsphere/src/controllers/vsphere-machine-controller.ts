import {
  type BootstrapData,
  done,
  falseCondition,
  type InfraMachineContext,
  type InfraMachineHooks,
  isPlatformFailure,
  type MachineAddress,
  machineProvisioned,
  requeue,
  type Step,
  type StepResult,
  trueCondition,
} from '@immutable-infra/core';
import {
  addressClaimRequests,
  addressClaimSteps,
  type BootstrapVipInput,
  blockedOn,
  bootstrapVipUnit,
  claimSlotStep,
  cloudInitBootstrapVip,
  composeCloudInit,
  connectMachineStep,
  consumerOfMachine,
  createOnce,
  describeFailureWithAdvice,
  heldSlot,
  type MachineSlots,
  machineAddresses,
  machineStepHooks,
  ownedBy,
  parseGoDuration,
  platformTasks,
  readOrCreate,
  releaseSlotStep,
  reportingFailures,
  reportingStops,
  runsKubeadmInit,
  substituteBootstrapTokens,
  taskReferenceAt,
  waitWhileUnlisted,
  withIgnitionUnits,
} from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import { VSphereMachine } from '../api/vsphere-machine.js';
import type { VSphereMachineConfigPoolObject } from '../api/vsphere-machine-config-pool.js';
import type { VSphereVMObject } from '../api/vsphere-vm.js';
import { interpretTask, type TaskInfo, type VmSummary } from '../cloud/vsphere-client.js';
import {
  attachDiskChange,
  cloneDeviceChanges,
  type DeviceChange,
  detachDiskChange,
  growDiskChange,
} from '../cloud/vsphere-devices.js';
import { isNotFound, VsphereFault } from '../cloud/vsphere-faults.js';
import { cloudForCluster, type VsphereAccess, type VsphereCloud } from './cloud-for-cluster.js';
import { type ConfigSlot, configPoolKind, type SlotRecord } from './config-pool-claims.js';
import { type Placement, placementOf, zoneNamed } from './failure-domains.js';
import {
  BOOTSTRAP_KEYS_CLEARED,
  guestInfo,
  guestMetadata,
  type PlannedNic,
  plannedNics,
  staticNodeIp,
} from './guest-info.js';
import { guestDisks, isPersistentDisk, type PlannedDisk, plannedDisks } from './persistent-disks.js';
import {
  BOOTSTRAP_VIP_UNIT,
  describeVipSlotConflicts,
  readConfigPools,
  selfBuiltVip,
  vipSlotConflicts,
} from './self-built-vip.js';
import { mirrorOnto, removeVsphereVm, vsphereVmFor } from './vsphere-vm-record.js';

type Ctx = InfraMachineContext<typeof VSphereMachine>;

/** CAPV's condition for the VM: why it is not there or not running yet. */
const VM_PROVISIONED = 'VMProvisioned';
const TASK_NOUN = 'vSphere task';
const POLL_MS = 2_000;
/** vCenter lists a clone's VM at once; the lag covers a clone whose answer was lost. */
const LISTING_LAG_MS = 30_000;
const DEFAULT_SOFT_POWER_OFF_TIMEOUT_MS = 5 * 60_000;

export interface MachineStepOptions {
  /** The longest vCenter takes to list a VM it was asked to clone: 30 s by default. */
  listingLagMs?: number | undefined;
}

/** What the steps of one reconcile find out and share. */
class MachineRun {
  /** Set by Connect, which runs before every step that calls vCenter. */
  cloud!: VsphereCloud;
  /** The machine's VSphereCluster, set by Connect. */
  cluster: VSphereClusterObject | undefined;
  /** The config pool slot the machine holds, when it names a pool. */
  slot: ConfigSlot | undefined;
  vm: VmSummary | undefined;
  /** Where the Machine's failure domain (a deployment zone) puts the VM, when it has one. */
  placement: Placement | undefined;
  /** The machine's VSphereVM, set by RecordVSphereVM. */
  record: VSphereVMObject | undefined;
  readonly listingLagMs: number;

  constructor(
    readonly ctx: Ctx,
    readonly access: VsphereAccess,
    options: MachineStepOptions,
  ) {
    this.listingLagMs = options.listingLagMs ?? LISTING_LAG_MS;
  }

  /** The VM's name and the node's hostname: the slot's hostname, else the VSphereMachine's name. */
  get hostname(): string {
    return this.slot?.hostname ?? this.ctx.status.poolHostname ?? this.ctx.object.metadata.name;
  }

  /** The VSphereMachineConfigPool the machine names, if it names one. */
  get poolRef() {
    const name = this.ctx.object.spec.machineConfigPoolRef?.name;
    const { namespace } = this.ctx.object.metadata;
    return name
      ? { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereMachineConfigPool', namespace, name }
      : undefined;
  }

  get nics(): PlannedNic[] {
    return plannedNics(
      this.ctx.object.spec,
      this.slot,
      this.placement?.networks,
      this.ctx.status.claimedAddresses,
    );
  }

  /**
   * The slot's persistent disks on this VM: their files (on the disk's datastore, else the
   * machine's, else the VM's own) and SCSI units (clear of the VM's other disks).
   */
  persistentDisks(vm: VmSummary): PlannedDisk[] {
    const slot = this.slot;
    const pool = this.ctx.object.spec.machineConfigPoolRef?.name;
    if (!slot || !pool) return [];
    const recorded = new Set(
      (slot.persistentDisks ?? []).flatMap((d) => (d.volumePath ? [d.volumePath] : [])),
    );
    const occupied = vm.disks
      .filter((d) => d.controllerKey === vm.scsiControllerKey && !recorded.has(d.fileName))
      .filter((d) => !isPersistentDisk(d, []))
      .map((d) => d.unitNumber);
    return plannedDisks(
      {
        namespace: this.ctx.object.metadata.namespace ?? 'default',
        pool,
        slot,
        defaultDatastore: this.ctx.object.spec.datastore ?? vm.datastoreName,
      },
      new Set(occupied),
    );
  }
}

/** What stops the machine on VMProvisioned until someone acts. */
const blocked = (reason: string, message: string, afterMs: number) => ({
  condition: VM_PROVISIONED,
  reason,
  message,
  afterMs,
});

const providerIdOf = (biosUuid: string) => `vsphere://${biosUuid}`;

/**
 * The VM's instance UUID is the VSphereMachine's UID, set in the clone itself: whatever was lost
 * (the clone's answer, the task reference, the status write), FindByUuid finds this machine's VM
 * and no other.
 */
const instanceUuidOf = (ctx: Ctx) => ctx.object.metadata.uid ?? '';

async function lookUpVm(run: MachineRun): Promise<VmSummary | undefined> {
  const found = await run.cloud.client.findVmByUuid(instanceUuidOf(run.ctx));
  return found && (await run.cloud.client.vm(found));
}

const connect = connectMachineStep<MachineRun, VSphereClusterObject>({
  infraCluster: { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereCluster' },
  async connect(run, cluster) {
    const { ctx } = run;
    // The VM is in the vCenter it was cloned in: a machine or cluster that now names another one
    // would clone a second VM there, or delete nothing and leave this one behind.
    const recorded = ctx.status.location?.server;
    const named = ctx.object.spec.server ?? cluster.spec.server;
    if (recorded && named && recorded !== named) {
      const message = `the VM was cloned in vCenter ${recorded}, but the machine now names ${named}; put ${recorded} back to manage the VM`;
      return blockedOn(ctx, blocked('ServerChanged', message, 60_000));
    }
    const lookup = await cloudForCluster(ctx, run.access, cluster, {
      server: recorded ?? ctx.object.spec.server,
      thumbprint: ctx.object.spec.thumbprint,
    });
    if (!lookup.ok) return blockedOn(ctx, blocked(lookup.reason, lookup.message, 60_000));
    run.cloud = lookup;
    run.cluster = cluster;
    return done();
  },
});

/**
 * A Self-built VIP that is also a slot's address breaks the cluster (the node and keepalived would
 * both answer for it): no VM is cloned for any machine of the cluster while one is. A VM already
 * asked for is left running.
 */
const vipConflict: Step<MachineRun> = {
  name: 'CheckVIPConflict',
  when: (run) => selfBuiltVip(run.cluster) !== undefined && run.ctx.status.location === undefined,
  async run(run) {
    const { ctx } = run;
    const vip = (selfBuiltVip(run.cluster) as { host: string }).host;
    const pools = await readConfigPools(ctx.kube, ctx.object.metadata.namespace ?? 'default');
    const conflicts = vipSlotConflicts(pools, ctx.cluster.metadata.name, vip);
    if (conflicts.length === 0) return done();
    const message = describeVipSlotConflicts(vip, conflicts);
    return blockedOn(ctx, blocked('VIPConflictsWithSlot', message, 30_000));
  },
};

/**
 * The first half of a Self-built VIP: the control plane node that runs `kubeadm init` holds the VIP
 * from before kubeadm starts (the kit's unit, started by the first runcmd entry), so the endpoint
 * answers before alive is installed. Joining nodes and workers reach the VIP and hold nothing.
 */
function bootstrapVip(
  run: MachineRun,
  bootstrap: BootstrapData,
  nodeIp: string | undefined,
): Omit<BootstrapVipInput, 'startAtBoot'> | undefined {
  const balancer = selfBuiltVip(run.cluster);
  if (!balancer || !run.ctx.isControlPlane || !runsKubeadmInit(bootstrap)) return undefined;
  return {
    name: BOOTSTRAP_VIP_UNIT,
    vip: balancer.host,
    nodeIp,
    interfaceName: balancer.interface || undefined,
  };
}

/**
 * Where the Machine's failure domain puts the VM. Two reads (zone and failure domain), so only while
 * the placement is still to be used: before the VM is cloned and its guestinfo written. A VM cloned
 * again (its own deleted out of band) resolves it in CloneVM.
 */
async function resolvePlacement(run: MachineRun): Promise<StepResult> {
  const name = run.ctx.machine.spec.failureDomain as string;
  const zone = await zoneNamed(run.ctx.kube, name);
  if (!zone) {
    const message = `the Machine's failure domain ${name} names no VSphereDeploymentZone with a VSphereFailureDomain`;
    return blockedOn(run.ctx, blocked('FailureDomainNotFound', message, 30_000));
  }
  run.placement = placementOf(zone);
  return done();
}

const resolveFailureDomain: Step<MachineRun> = {
  name: 'ResolveFailureDomain',
  when: (run) =>
    Boolean(run.ctx.machine?.spec?.failureDomain) &&
    (run.ctx.status.biosUUID === undefined || run.ctx.status.guestInfoWrittenTo !== run.ctx.status.biosUUID),
  run: resolvePlacement,
};

/** The condition the documentation's node runbook reads when a machine gets no slot of its pool. */
export const MACHINE_CONFIG_POOL_READY = 'MachineConfigPoolReady';

/** The machine's slot of its VSphereMachineConfigPool: hostname, static addresses, disks. */
const configSlots: MachineSlots<MachineRun, VSphereMachineConfigPoolObject, ConfigSlot, SlotRecord> = {
  pool: configPoolKind,
  poolName: (run) => run.ctx.object.spec.machineConfigPoolRef?.name,
  conditionType: MACHINE_CONFIG_POOL_READY,
  // The reasons the documentation tells apart: a pool bound to another KubeadmControlPlane or
  // MachineDeployment, and one with no slot for the machine's datacenter or failure domain.
  refusalReasons: { PoolBoundElsewhere: 'PoolBoundToOtherConsumer', PoolExhausted: 'NoAvailableSlots' },
  claimedReason: 'SlotClaimed',
  onClaimed(run, slot) {
    run.slot = slot;
    run.ctx.status.poolHostname = slot.hostname;
  },
  consumerOf: (run) => consumerOfMachine(run.ctx.machine),
  // A machine in a failure domain takes a slot of that domain's datacenter (or one naming none).
  eligible: (run, slot) => !run.placement || !slot.datacenter || slot.datacenter === run.placement.datacenter,
};

/**
 * An IPAddressClaim per pool of each NIC (`addressesFromPools`): its own pools, else its failure
 * domain's for the NIC at that place, claimed before the VM is cloned and held (CAPV's finalizer)
 * until the machine's delete released it.
 */
const ipAddresses = addressClaimSteps<MachineRun>({
  owner: { apiVersion: VSPHERE_API_VERSION, kind: 'VSphereMachine' },
  finalizer: 'vspheremachine.infrastructure.cluster.x-k8s.io/ip-claim-protection',
  requests: (run) =>
    addressClaimRequests(
      run.ctx.object.metadata.name,
      run.ctx.object.spec.network.devices,
      run.placement?.addressesFromPools,
    ),
  conditionType: 'IPAddressClaimed',
  onWaiting: (run, message) =>
    run.ctx.setCondition(falseCondition(VM_PROVISIONED, 'WaitingForIPAllocation', message)),
});

/**
 * The machine's VSphereVM exists before anything is asked of vCenter, so a crash between the clone
 * and the next status write never leaves a VM without its record.
 */
const recordVsphereVm: Step<MachineRun> = {
  name: 'RecordVSphereVM',
  async run(run) {
    const { ctx } = run;
    // Made when missing; a lost race reads the winner's.
    const record = await readOrCreate(
      ctx.kube,
      vsphereVmFor(ctx.object, {
        clusterName: ctx.cluster.metadata.name,
        server: run.cluster?.spec.server,
        bootstrapSecret: ctx.machine.spec.bootstrap?.dataSecretName,
      }),
    );
    if (!ownedBy(record, ctx.object)) {
      // A same-named record of an earlier machine still being removed: this machine's comes next.
      const message = `VSphereVM ${record.metadata.name} belongs to an earlier VSphereMachine of this name; waiting for it to go`;
      return blockedOn(ctx, { ...blocked('WaitingForVSphereVM', message, 10_000), severity: 'Info' });
    }
    run.record = record;
    return done();
  },
};

/** What the VSphereVM shows: what this reconcile knows of the VM, read from vCenter by the steps already. */
async function mirrorVmStatus(run: MachineRun, ready: boolean): Promise<void> {
  const { ctx, record, vm } = run;
  if (!record) return;
  const provisioned = ctx.getCondition(VM_PROVISIONED);
  const conditions = provisioned
    ? [{ ...provisioned, type: 'Ready' }, provisioned].map((c) =>
        ready ? { ...c, status: 'True' as const } : c,
      )
    : undefined;
  await mirrorOnto(
    ctx.kube,
    record,
    {
      ready,
      addresses: vm
        ? addressesOf(run, vm)
            .filter((a) => a.type === 'InternalIP')
            .map((a) => a.address)
        : undefined,
      network: ctx.status.network,
      vmRef: vm?.ref.value ?? ctx.status.vmRef,
      taskRef: ctx.status.taskRef,
      cloneMode: vm ? (ctx.object.spec.cloneMode ?? 'fullClone') : undefined,
      snapshot: vm && ctx.object.spec.cloneMode === 'linkedClone' ? ctx.object.spec.snapshot : undefined,
      conditions,
    },
    vm?.biosUuid,
  );
}

const findVm: Step<MachineRun> = {
  name: 'FindVM',
  async run(run) {
    run.vm = await lookUpVm(run);
    return done();
  },
};

// The task in flight is kept in `status.taskRef`, so a restarted manager follows it instead of starting another.
const taskRef = taskReferenceAt((run: MachineRun) => run.ctx.status as Record<string, unknown>, 'taskRef');

const vsphereTasks = platformTasks<MachineRun, TaskInfo>({
  name: 'FollowTask',
  taskNoun: TASK_NOUN,
  reference: taskRef,
  async read(run, reference) {
    const task = await run.cloud.client.taskInfo(reference);
    // vCenter keeps finished tasks for a while only: one it no longer knows finished long ago.
    if (!task)
      throw new VsphereFault('ManagedObjectNotFound', `${TASK_NOUN} ${reference} is no longer known`);
    return task;
  },
  interpret: interpretTask,
  isNotFound,
  pollAfterMs: POLL_MS,
  // The task changed the VM: every later step decides on what vCenter says now.
  async onFinished(run) {
    run.vm = await lookUpVm(run);
  },
  onFailed(run, failure) {
    run.ctx.events.warning('TaskFailed', failure.message);
    return undefined;
  },
});
const followTask = vsphereTasks.follow;
const startVsphereTask = vsphereTasks.start;

/**
 * The datacenter of the VM: its failure domain's, else the slot's, else the pool's, else the
 * machine's (else vCenter's only one).
 */
async function datacenterName(run: MachineRun): Promise<string | undefined> {
  if (run.placement) return run.placement.datacenter;
  if (run.slot?.datacenter) return run.slot.datacenter;
  const pool = run.poolRef && (await run.ctx.kube.get<VSphereMachineConfigPoolObject>(run.poolRef));
  if (pool?.spec.datacenter) return pool.spec.datacenter;
  return run.ctx.object.spec.datacenter;
}

const cloneVm: Step<MachineRun> = {
  name: 'CloneVM',
  when: (run) => !run.vm,
  async run(run) {
    const { ctx, cloud } = run;
    if (ctx.machine.spec.failureDomain && !run.placement) {
      const resolved = await resolvePlacement(run);
      if (resolved.type !== 'done') return resolved;
    }
    const spec = ctx.object.spec;
    const datacenter = await cloud.inventory.datacenter(await datacenterName(run));
    let template: Awaited<ReturnType<typeof cloud.inventory.find>>;
    try {
      template = await cloud.inventory.find(datacenter, 'vm', spec.template, 'template');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const message = `VM template ${spec.template} not found in datacenter ${datacenter.name}`;
      return blockedOn(ctx, { ...blocked('TemplateNotFound', message, 60_000), event: true });
    }
    const source = await cloud.client.template(template);
    let snapshot = source.currentSnapshot;
    if (spec.snapshot) snapshot = source.snapshots.find((s) => s.name === spec.snapshot)?.ref;
    if (spec.cloneMode === 'linkedClone' && !snapshot) {
      const message = spec.snapshot
        ? `template ${spec.template} has no snapshot ${spec.snapshot} for a linked clone`
        : `template ${spec.template} has no snapshot: a linked clone needs one (or use cloneMode fullClone)`;
      return blockedOn(ctx, blocked('SnapshotNotFound', message, 60_000));
    }
    // A failure domain places the VM in its own pool, folder and datastore.
    const folder = run.placement?.folder ?? spec.folder;
    const datastore = run.placement?.datastore ?? spec.datastore;
    const nics = run.nics;
    const networks = await Promise.all(
      nics.map((nic) => cloud.inventory.find(datacenter, 'network', nic.networkName, 'network')),
    );
    const deviceChange = await cloneDeviceChanges(
      cloud.client,
      source.devices,
      nics.map((nic, i) => ({ network: networks[i] as (typeof networks)[number], macAddress: nic.macAddr })),
    );
    const request = {
      source: template,
      name: run.hostname,
      folder: folder ? await cloud.inventory.find(datacenter, 'vm', folder, 'folder') : datacenter.vmFolder,
      pool: await cloud.inventory.resourcePool(datacenter, run.placement?.resourcePool ?? spec.resourcePool),
      datastore: datastore
        ? await cloud.inventory.find(datacenter, 'datastore', datastore, 'datastore')
        : undefined,
      linkedCloneSnapshot: spec.cloneMode === 'linkedClone' ? snapshot : undefined,
      config: {
        instanceUuid: instanceUuidOf(ctx),
        numCPUs: spec.numCPUs,
        numCoresPerSocket: spec.numCoresPerSocket,
        memoryMiB: spec.memoryMiB,
        annotation: `Kubernetes node ${run.hostname} (${ctx.object.metadata.namespace}/${ctx.object.metadata.name})`,
        deviceChange,
        // The guest sees each disk's UUID (as its WWN): how it finds the persistent disks.
        extraConfig: { 'disk.EnableUUID': 'TRUE', ...spec.customVMXKeys },
      },
    };
    ctx.status.location = { server: cloud.server, datacenter: datacenter.name };
    const asked = await createOnce(
      ctx,
      { key: 'vm', what: `VM ${run.hostname}`, listingLagMs: run.listingLagMs },
      () => startVsphereTask(run, 'cloning the VM', () => cloud.client.cloneVm(request)),
    );
    if (!asked.sent) return asked.wait;
    // A new VM (the first, or one cloned again after its VM was deleted out of band) gets its
    // bootstrap data written afresh.
    delete ctx.status.guestInfoWrittenTo;
    delete ctx.status.bootstrapDataCleared;
    ctx.events.normal('Cloning', `cloning VM ${run.hostname} from ${spec.template}`);
    ctx.setCondition(falseCondition(VM_PROVISIONED, 'Cloning', `cloning from ${spec.template}`));
    return asked.result;
  },
};

const growSystemDisk: Step<MachineRun> = {
  name: 'GrowSystemDisk',
  when: (run) => run.vm?.powerState === 'poweredOff' && run.ctx.object.spec.diskGiB !== undefined,
  async run(run) {
    const vm = run.vm as VmSummary;
    // The system disk: the VM's first disk that is not a persistent one.
    const system = vm.disks.find((disk) => !isPersistentDisk(disk, run.persistentDisks(vm)));
    const change = system && growDiskChange(system.device, run.ctx.object.spec.diskGiB as number);
    if (!change) return done();
    return startVsphereTask(run, `growing the system disk to ${run.ctx.object.spec.diskGiB} GiB`, () =>
      run.cloud.client.reconfigureVm(vm.ref, { deviceChange: [change] }),
    );
  },
};

const attachPersistentDisks: Step<MachineRun> = {
  name: 'AttachPersistentDisks',
  // Before the first power-on: the guest formats and mounts them on its first boot.
  when: (run) => run.vm?.powerState === 'poweredOff' && (run.slot?.persistentDisks?.length ?? 0) > 0,
  async run(run) {
    const vm = run.vm as VmSummary;
    const missing = run.persistentDisks(vm).filter((p) => !vm.disks.some((d) => d.fileName === p.path));
    if (missing.length === 0) return done();
    if (!vm.scsiControllerKey)
      throw new VsphereFault('NotSupported', `VM ${vm.name} has no SCSI controller for its persistent disks`);
    const { client, inventory } = run.cloud;
    const datacenter = (await inventory.datacenter(run.ctx.status.location?.datacenter)).ref;
    // Each disk is looked up by its path first: a released slot's disks are attached as they are.
    const changes: DeviceChange[] = [];
    const made: string[] = [];
    for (const [i, planned] of missing.entries()) {
      const exists = (await client.diskUuid(planned.path, datacenter)) !== undefined;
      if (!exists) {
        await client.makeDirectory(planned.directory, datacenter);
        made.push(planned.disk.name);
      }
      changes.push(
        attachDiskChange(
          {
            fileName: planned.path,
            controllerKey: vm.scsiControllerKey,
            unitNumber: planned.unitNumber,
            capacityKb: exists ? undefined : planned.disk.sizeGiB * 1024 * 1024,
          },
          -300 - i,
        ),
      );
    }
    const names = missing.map((p) => p.disk.name).join(', ');
    run.ctx.events.normal(
      'AttachingPersistentDisks',
      made.length > 0 ? `creating ${made.join(', ')}; attaching ${names}` : `attaching ${names}`,
    );
    return startVsphereTask(run, `attaching persistent disks ${names}`, () =>
      client.reconfigureVm(vm.ref, { deviceChange: changes }),
    );
  },
};

/** Writes each persistent disk's file and UUID into the pool's slot (`volumePath`, `diskUUID`), as documented. */
const recordPersistentDisks: Step<MachineRun> = {
  name: 'RecordPersistentDisks',
  when: (run) => (run.slot?.persistentDisks ?? []).some((d) => !d.volumePath || !d.diskUUID),
  async run(run) {
    const vm = run.vm as VmSummary;
    const slot = run.slot as ConfigSlot;
    const planned = run.persistentDisks(vm);
    const found = new Map(planned.map((p) => [p.disk.name, vm.disks.find((d) => d.fileName === p.path)]));
    if ([...found.values()].some((d) => d === undefined)) return done();
    const ref = run.poolRef;
    const pool = ref && (await run.ctx.kube.get<VSphereMachineConfigPoolObject>(ref));
    if (!ref || !pool) return done();
    const configs = pool.spec.configs.map((config) =>
      config.hostname !== slot.hostname
        ? config
        : {
            ...config,
            persistentDisks: (config.persistentDisks ?? []).map((disk) => {
              const attached = found.get(disk.name);
              return attached ? { ...disk, volumePath: attached.fileName, diskUUID: attached.uuid } : disk;
            }),
          },
    );
    // A compare-and-swap: the whole list is written, so a pool edited meanwhile is read again next time.
    await run.ctx.kube.patch(ref, {
      metadata: { resourceVersion: pool.metadata.resourceVersion },
      spec: { configs },
    });
    return done();
  },
};

const writeGuestInfo: Step<MachineRun> = {
  name: 'WriteBootstrapData',
  when: (run) => run.vm?.powerState === 'poweredOff' && run.ctx.status.guestInfoWrittenTo !== run.vm.biosUuid,
  async run(run) {
    const vm = run.vm as VmSummary;
    const nics = run.nics;
    const tokens = { PROVIDER_ID: providerIdOf(vm.biosUuid), NODE_IP: staticNodeIp(nics) ?? '' };
    const bootstrap = await run.ctx.bootstrapData();
    const vip = bootstrapVip(run, bootstrap, tokens.NODE_IP || undefined);
    const cloudInitVip = vip && cloudInitBootstrapVip(vip);
    // cloud-init also gets the hostname, the persistent disks to format (when blank) and mount, and
    // on the first control plane node of a Self-built VIP, the VIP (Ignition gets it as an enabled unit).
    const data =
      bootstrap.format === 'cloud-config'
        ? {
            format: bootstrap.format,
            value: composeCloudInit(bootstrap, {
              hostname: run.hostname,
              disks: guestDisks(run.persistentDisks(vm), vm.disks),
              tokens,
              ...(cloudInitVip ? { files: cloudInitVip.files, runFirst: cloudInitVip.runFirst } : {}),
            }),
          }
        : withIgnitionUnits(
            substituteBootstrapTokens(bootstrap, tokens),
            vip ? [bootstrapVipUnit({ ...vip, startAtBoot: true })] : [],
          );
    const extraConfig = guestInfo(data, guestMetadata(run.hostname, nics, vm.macAddresses));
    return startVsphereTask(run, 'writing the bootstrap data', async () => {
      const task = await run.cloud.client.reconfigureVm(vm.ref, { extraConfig });
      run.ctx.status.guestInfoWrittenTo = vm.biosUuid;
      return task;
    });
  },
};

const powerOn: Step<MachineRun> = {
  name: 'PowerOn',
  when: (run) => run.vm?.powerState !== 'poweredOn',
  async run(run) {
    const vm = run.vm as VmSummary;
    const started = await startVsphereTask(run, 'powering on', () => run.cloud.client.powerOnVm(vm.ref));
    run.ctx.events.normal('PoweringOn', `powering on VM ${vm.name}`);
    run.ctx.setCondition(falseCondition(VM_PROVISIONED, 'PoweringOn', 'the VM is starting'));
    return started;
  },
};

const clearBootstrapData: Step<MachineRun> = {
  name: 'ClearBootstrapData',
  // The node registered, so the bootstrap data has done its work; it holds join secrets that anyone
  // who may read the VM's configuration in vCenter could otherwise read for the VM's whole life.
  when: (run) => Boolean(run.ctx.machine.status?.nodeRef) && run.ctx.status.bootstrapDataCleared !== true,
  async run(run) {
    const vm = run.vm as VmSummary;
    const started = await startVsphereTask(run, 'removing the bootstrap data', async () => {
      const task = await run.cloud.client.reconfigureVm(vm.ref, { extraConfig: BOOTSTRAP_KEYS_CLEARED });
      run.ctx.status.bootstrapDataCleared = true;
      return task;
    });
    run.ctx.events.normal(
      'BootstrapDataRemoved',
      'the node registered; its bootstrap data was removed from guestinfo',
    );
    return started;
  },
};

const createSteps: Step<MachineRun>[] = [
  followTask,
  cloneVm,
  growSystemDisk,
  attachPersistentDisks,
  recordPersistentDisks,
  writeGuestInfo,
  powerOn,
  clearBootstrapData,
];

/** The machine's addresses: its static node IP and hostname, else what VMware Tools reports. */
function addressesOf(run: MachineRun, vm: VmSummary): MachineAddress[] {
  const ip = staticNodeIp(run.nics);
  const reported = vm.guestNics.flatMap((nic) => nic.ipAddresses).filter((a) => !a.includes(':'));
  return machineAddresses(ip ? [ip] : reported, run.hostname);
}

const powerOff: Step<MachineRun> = {
  name: 'PowerOff',
  when: (run) => run.vm?.powerState === 'poweredOn' || run.vm?.powerState === 'suspended',
  async run(run) {
    const { ctx } = run;
    const vm = run.vm as VmSummary;
    const mode = ctx.object.spec.powerOffMode ?? 'hard';
    const hard = () => startVsphereTask(run, 'powering off', () => run.cloud.client.powerOffVm(vm.ref));
    if (mode === 'hard' || vm.powerState === 'suspended') return hard();
    const askedAt = Date.parse(ctx.status.guestShutdownRequestedAt ?? '');
    const now = ctx.clock.now();
    if (!Number.isFinite(askedAt)) {
      try {
        await run.cloud.client.shutdownGuest(vm.ref);
      } catch (error) {
        // No VMware Tools in the guest: trySoft goes on with a hard power off, soft waits and says why.
        if (mode === 'trySoft' && isPlatformFailure(error)) return hard();
        throw error;
      }
      ctx.status.guestShutdownRequestedAt = now.toISOString();
      return requeue(POLL_MS, `asked the guest of ${vm.name} to shut down`);
    }
    const timeoutMs =
      parseGoDuration(ctx.object.spec.guestSoftPowerOffTimeout) ?? DEFAULT_SOFT_POWER_OFF_TIMEOUT_MS;
    if (mode === 'trySoft' && now.getTime() - askedAt >= timeoutMs) return hard();
    return requeue(POLL_MS * 2, `waiting for the guest of ${vm.name} to shut down`);
  },
};

const deleteSteps: Step<MachineRun>[] = [
  connect,
  followTask,
  {
    name: 'FindVM',
    async run(run) {
      run.vm = await lookUpVm(run);
      const thing = { key: 'vm', what: `VM ${run.hostname}`, listingLagMs: run.listingLagMs };
      return (!run.vm && waitWhileUnlisted(run.ctx, thing, POLL_MS)) || done();
    },
  },
  powerOff,
  {
    // Destroying a VM deletes every disk on it: the slot's disks come off first and wait for the next VM.
    name: 'DetachPersistentDisks',
    when: (run) => run.vm?.powerState === 'poweredOff',
    async run(run) {
      const vm = run.vm as VmSummary;
      run.slot = await heldSlot(run, configSlots);
      const planned = run.persistentDisks(vm);
      const persistent = vm.disks.filter((disk) => isPersistentDisk(disk, planned));
      if (persistent.length === 0) return done();
      return startVsphereTask(run, `detaching persistent disks of ${vm.name}`, () =>
        run.cloud.client.reconfigureVm(vm.ref, {
          deviceChange: persistent.map((disk) => detachDiskChange(disk.device)),
        }),
      );
    },
  },
  {
    name: 'DestroyVM',
    when: (run) => run.vm?.powerState === 'poweredOff',
    async run(run) {
      const vm = run.vm as VmSummary;
      run.ctx.events.normal('Destroying', `destroying VM ${vm.name}`);
      return startVsphereTask(run, 'destroying the VM', () => run.cloud.client.destroyVm(vm.ref));
    },
  },
  releaseSlotStep('ReleaseConfigSlot', configSlots),
  ipAddresses.release,
  {
    // Last: the VSphereVM shows the VM until the VM is destroyed.
    name: 'RemoveVSphereVM',
    when: (run) => !run.vm,
    async run(run) {
      await removeVsphereVm(run.ctx.kube, run.ctx.object);
      return done();
    },
  },
];

export function vsphereMachineHooks(
  access: VsphereAccess,
  options: MachineStepOptions = {},
): InfraMachineHooks<typeof VSphereMachine> {
  return machineStepHooks({
    kind: VSphereMachine,
    newRun: (ctx) => new MachineRun(ctx, access, options),
    reconcile: [
      connect,
      recordVsphereVm,
      // Each step that stops the reconcile (waits or fails) leaves the VSphereVM showing why.
      ...reportingStops(
        [
          vipConflict,
          resolveFailureDomain,
          claimSlotStep('ClaimConfigSlot', configSlots),
          ipAddresses.claim,
          // Operators read vCenter trouble on VMProvisioned; the host backs off before the next attempt.
          ...reportingFailures([findVm, ...createSteps], (run, error) =>
            run.ctx.setCondition(
              falseCondition(
                VM_PROVISIONED,
                'VCenterError',
                describeFailureWithAdvice(error, { platform: 'vCenter' }),
                'Warning',
              ),
            ),
          ),
        ],
        (run) => mirrorVmStatus(run, false),
      ),
    ],
    async provisioned(run) {
      const { ctx } = run;
      const vm = run.vm as VmSummary;
      ctx.status.vmRef = vm.ref.value;
      ctx.status.biosUUID = vm.biosUuid;
      ctx.status.powerState = vm.powerState;
      ctx.status.network = vm.guestNics.map((nic) => ({
        macAddr: nic.macAddress,
        ...(nic.network ? { networkName: nic.network } : {}),
        ipAddrs: nic.ipAddresses,
      }));
      const addresses = addressesOf(run, vm);
      if (!addresses.some((a) => a.type === 'InternalIP')) {
        await mirrorVmStatus(run, false);
        return requeue(10_000, `waiting for VMware Tools in VM ${vm.name} to report an IP address`);
      }
      ctx.setCondition(trueCondition(VM_PROVISIONED, 'Running'));
      await mirrorVmStatus(run, true);
      return machineProvisioned({
        providerID: providerIdOf(vm.biosUuid),
        addresses,
        ...(ctx.machine.spec.failureDomain ? { failureDomain: ctx.machine.spec.failureDomain } : {}),
      });
    },
    delete: deleteSteps,
  });
}
