import {
  done,
  falseCondition,
  type InfraMachineContext,
  type InfraMachineHooks,
  machineProvisioned,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import {
  blockedOn,
  claimSlotStep,
  composeIgnition,
  connectMachineStep,
  createOnce,
  detachPersistentDisksStep,
  heldSlot,
  type IgnitionFile,
  type IgnitionUnit,
  ignitionIso,
  kubeletServingFiles,
  type MachineSlots,
  machineAddresses,
  machineStepHooks,
  mountsHome,
  nextAttachAction,
  platformTasks,
  RecordedFactChecks,
  releaseSlotStep,
  reportingFailures,
  retainStep,
  runsKubeadmInit,
  taskReferenceAt,
  waitWhileUnlisted,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';
import type { DCSIpHostnamePoolObject } from '../api/dcs-ip-hostname-pool.js';
import { DCSMachine } from '../api/dcs-machine.js';
import { describeDcsFailure, isNotFound, isStoppedOnlyDelete } from '../cloud/dcs-api-error.js';
import type { DcsCloud } from '../cloud/dcs-client.js';
import { urnToUri } from '../cloud/dcs-ids.js';
import type { DcsSessionPool } from '../cloud/dcs-session.js';
import { type DcsTask, type DcsVm, dcsTaskState } from '../cloud/dcs-types.js';
import { buildCloneRequest, isOwnedBy } from './clone-request.js';
import { cloudForCluster, endpointSha256 } from './cloud-for-cluster.js';
import { bootstrapVipUnit, encryptionFile } from './guest-files.js';
import { guestDisks, guestNics } from './guest-ignition.js';
import {
  createPersistentVolume,
  type DiskLayout,
  declaredDisks,
  diskLayoutOf,
  type LegacyDisk,
  legacyDisks,
  needsConversion,
  observedVolumes,
  persistentDiskSequence,
} from './persistent-disks.js';
import { ipHostnamePoolKind, type PoolEntry, type SlotClaim } from './pool-claims.js';

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

const LISTING_LAG_MS = 30_000;

/** How the machine steps behave; the provider's options set them. */
export interface MachineStepOptions {
  /** The longest DCS takes to list (and get) a VM or volume it created: 30 s by default. */
  listingLagMs?: number | undefined;
}

/** What the steps of one reconcile find out and share. */
class MachineRun {
  /** Set by the Connect step, which runs before every step that calls DCS. */
  cloud!: DcsCloud;
  /** The pool entry this machine holds, set by ClaimPoolEntry (empty on the delete path). */
  entry: PoolEntry = { ip: '' };
  vm: DcsVm | undefined;
  /** Whether `vm` is what DCS said during this reconcile (a finished task looks it up). */
  vmLookedUp = false;
  /** The VM's name: the pool entry's `machineName`, or the DCSMachine's name. */
  vmName: string;
  readonly listingLagMs: number;
  /** The VRM address Connect reached, recorded with the site when the VM is cloned. */
  endpoint = '';
  /** The machine's DCSCluster, set by Connect. */
  cluster!: DCSClusterObject;
  private diskLayout: DiskLayout | undefined;

  constructor(
    readonly ctx: Ctx,
    readonly sessions: DcsSessionPool,
    options: MachineStepOptions,
    /** Persistent disks this process saw in place on the VM, so a reconcile need not look them up again. */
    readonly diskChecks: RecordedFactChecks,
  ) {
    this.listingLagMs = options.listingLagMs ?? LISTING_LAG_MS;
    this.vmName = (ctx.status.networkConfig?.machineName as string | undefined) ?? ctx.object.metadata.name;
  }

  /** Where the entry's persistent disks sit on the VM (read once per reconcile). */
  async layout(): Promise<DiskLayout> {
    this.diskLayout ??= await diskLayoutOf(this.ctx.kube, this.ctx.object);
    return this.diskLayout;
  }
}

/** What stops the machine on VMReady until someone acts. */
const blocked = (reason: string, message: string, afterMs: number) => ({
  condition: VM_READY,
  reason,
  message,
  afterMs,
});

/** What the disks seen in place depended on: the VM, the entry's declaration, and the volumes on the VM. */
const diskFingerprint = (entry: PoolEntry, vm: DcsVm) =>
  JSON.stringify([
    vm.urn,
    entry.persistentDisk ?? [],
    (vm.vmConfig?.disks ?? []).map((disk) => `${disk.sequenceNum}:${disk.volumeUrn}`).sort(),
  ]);

const providerIdOf = (ctx: Ctx) => `dcs://${ctx.object.metadata.name}`;

/** Sends a create at most once per listing lag (the provider kit's createOnce), recorded under `key`. */
const createOnceFor = <T>(run: MachineRun, key: string, what: string, create: () => Promise<T>) =>
  createOnce(run.ctx, { key, what, listingLagMs: run.listingLagMs }, create);

/**
 * The machine's VM: by the URI the clone answered with, else by the URN `spec.vmUrn` names (a machine
 * whose status was lost, e.g. restored from a backup), else by name (a clone whose answer was lost).
 * Whichever finds it, FindVM adopts only a VM made for this machine.
 */
async function lookUpVm(run: MachineRun): Promise<DcsVm | undefined> {
  const recorded =
    run.ctx.status.vmUri ?? (run.ctx.object.spec.vmUrn ? urnToUri(run.ctx.object.spec.vmUrn) : undefined);
  return (recorded && (await run.cloud.getVm(recorded))) || (await run.cloud.findVmByName(run.vmName));
}
/**
 * The bootstrap ISO's file name carries the machine's UID: a DCSMachine deleted and created again
 * under the same name gets a file of its own, which the old one's delete never matches. The name
 * is cut so the whole stays within the 255 characters DCS allows for a file name.
 */
const isoNameOf = (ctx: Ctx) => {
  const suffix = `-${ctx.object.metadata.uid ?? ''}-bootstrap.iso`;
  return `${ctx.object.metadata.name.slice(0, 255 - suffix.length)}${suffix}`;
};
/** The name the ISO had before it carried the UID (machines created by an earlier release). */
const legacyIsoNameOf = (ctx: Ctx) => `${ctx.object.metadata.name}-bootstrap.iso`;

const connect = connectMachineStep<MachineRun, DCSClusterObject>({
  infraCluster: { apiVersion: DCS_API_VERSION, kind: 'DCSCluster' },
  async connect(run, cluster) {
    // A VM is looked for in the site it was cloned into; a Secret that now names another VRM stops here.
    const lookup = await cloudForCluster(run.ctx, run.sessions, cluster, run.ctx.status.location);
    if (!lookup.ok) return requeue(60_000, lookup.message);
    run.cloud = lookup.cloud;
    run.endpoint = lookup.endpoint;
    run.cluster = cluster;
    return done();
  },
});

/** What a machine records in `status.networkConfig` of its entry, besides the IP (each when set). */
const NETWORK_SETTINGS = ['mask', 'gateway', 'dns', 'hostname', 'machineName', 'additionNic'] as const;

/** The machine's entry of its DCSIpHostnamePool: network settings, hostname, VM name. */
const poolEntries: MachineSlots<MachineRun, DCSIpHostnamePoolObject, PoolEntry, SlotClaim> = {
  pool: ipHostnamePoolKind,
  poolName: (run) => run.ctx.object.spec.ipHostPoolRef.name,
  conditionType: VM_READY,
  onClaimed(run, entry) {
    const settings = NETWORK_SETTINGS.flatMap((field) => (entry[field] ? [[field, entry[field]]] : []));
    run.ctx.status.networkConfig = { ip: entry.ip, ...Object.fromEntries(settings) };
    run.entry = entry;
    run.vmName = entry.machineName ?? run.ctx.object.metadata.name;
  },
};

// After FollowTask: while a task is in flight the VM is not needed, and a finished task looked it up.
const findVm: Step<MachineRun> = {
  name: 'FindVM',
  async run(run) {
    const found = run.vmLookedUp ? run.vm : await lookUpVm(run);
    if (found && !isOwnedBy(found, run.ctx.object)) {
      const message = `a VM named ${run.vmName} already exists on DCS and was not created for this machine; it is left alone`;
      return blockedOn(run.ctx, { ...blocked('VMNameInUse', message, 60_000), event: true });
    }
    run.vm = found;
    return done();
  },
};

// The task in flight is kept in `status.taskUrn` (the CRD's name for it, which users may read).
const taskUrn = taskReferenceAt((run: MachineRun) => run.ctx.status as Record<string, unknown>, 'taskUrn');
/** Follows the task recorded in status; a failed task is also told as a `TaskFailed` Event. */
const dcsTasks = platformTasks<MachineRun, DcsTask>({
  name: 'FollowTask',
  taskNoun: 'DCS task',
  reference: taskUrn,
  read: (run, uri) => run.cloud.getTask(uri),
  interpret: dcsTaskState,
  // A task DCS no longer knows finished long ago.
  isNotFound,
  pollAfterMs: POLL_MS,
  // The task changed the VM: every later step decides on what DCS says now.
  async onFinished(run) {
    run.vm = await lookUpVm(run);
    run.vmLookedUp = true;
  },
  onFailed(run, failure) {
    run.ctx.events.warning('TaskFailed', failure.message);
    return undefined;
  },
});
const followTask = dcsTasks.follow;

const startDcsTask = (run: MachineRun, what: string, start: () => Promise<{ taskUri: string }>) =>
  dcsTasks.start(run, what, async () => (await start()).taskUri);

const createSteps: Step<MachineRun>[] = [
  followTask,
  findVm,
  {
    name: 'CloneVM',
    when: (run) => !run.vm,
    async run(run) {
      const template = await run.cloud.findTemplate(run.ctx.object.spec.vmTemplateName);
      if (!template) {
        const message = `VM template ${run.ctx.object.spec.vmTemplateName} not found on DCS`;
        return blockedOn(run.ctx, blocked('TemplateNotFound', message, 60_000));
      }
      const request = await buildCloneRequest(run.cloud, run.ctx.object, template, run.vmName, run.entry);
      const site = await run.cloud.resolveSite();
      run.ctx.status.location = {
        endpointSha256: endpointSha256(run.endpoint),
        site: site.urn.split(':').pop() ?? site.urn,
      };
      const asked = await createOnceFor(run, 'vm', `VM ${run.vmName}`, () =>
        startDcsTask(run, 'cloning the VM', async () => {
          const clone = await run.cloud.cloneVm(template.uri, request);
          run.ctx.status.vmUri = clone.vmUri;
          return clone;
        }),
      );
      if (!asked.sent) return asked.wait;
      // A new VM (the first, or one cloned again after its VM was deleted out of band) needs the
      // bootstrap ISO again: what an earlier VM had done with it says nothing about this one.
      for (const field of ['cdRomFile', 'cdRomDatastoreUrn', 'cdRomDetached', 'cdRomFileDeleted'] as const)
        delete run.ctx.status[field];
      const started = asked.result;
      run.ctx.events.normal('Cloning', `cloning VM ${run.vmName} from ${template.name}`);
      run.ctx.setCondition(falseCondition(VM_READY, 'Cloning', `cloning from ${template.name}`));
      return started;
    },
  },
  {
    name: 'AttachPersistentDisks',
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.status !== 'stopped' && vm.status !== 'running') return done();
      const disks = declaredDisks(run.ctx.object.spec.ipHostPoolRef.name, run.entry);
      if (disks.length === 0) return done();
      // Every reconcile passes here (each task poll, each change Cluster API makes): once the disks were
      // seen in place, the VM's own disk list (read anyway) says whether anything moved since (issue 23).
      const seenKey = `${run.ctx.object.metadata.uid ?? run.ctx.object.metadata.name}/persistent-disks`;
      const inPlace = diskFingerprint(run.entry, vm);
      if (run.diskChecks.isFresh(seenKey, inPlace)) return done();
      const volumes = await observedVolumes(run.cloud, disks, [run.entry]);
      const legacy = await legacyDisks(run.cloud, run.entry, disks, volumes, vm, await run.layout());
      const claiming = await claimLegacyDisks(run, legacy);
      if (claiming) return claiming;
      const next = nextAttachAction(disks, volumes, vm.urn);
      switch (next.action) {
        case 'create': {
          const disk = next.disk;
          const asked = await createOnceFor(run, `volume/${disk.name}`, `volume ${disk.name}`, () =>
            startDcsTask(run, `creating persistent volume ${disk.name}`, () =>
              createPersistentVolume(run.cloud, run.entry, disk),
            ),
          );
          return asked.sent ? asked.result : asked.wait;
        }
        case 'attach': {
          // A stock volume a legacy VM left (its detach was done by an older provider, or by hand).
          const volume = volumes.get(next.disk.name)?.volume;
          if (volume && needsConversion(volume)) return convertVolume(run, next.disk.name, volume.urn);
          const layout = await run.layout();
          return startDcsTask(run, `attaching persistent volume ${next.disk.name}`, () =>
            run.cloud.attachVolume(
              vm.uri,
              next.volumeId,
              persistentDiskSequence(layout, next.disk.slot),
              run.entry.persistentDisk?.find((disk) => disk.slot === next.disk.slot)?.pciType,
            ),
          );
        }
        // Still on the VM this entry's previous machine had; that machine's deletion detaches it.
        // A problem no wait fixes (a volume that does not match its declaration, one in error) is
        // shown on the machine and asked again slowly, until the pool or the platform is corrected.
        case 'wait':
          if (!next.problem) return requeue(5_000, next.message);
          // As a pool with no free entry is asked again: someone has to correct the declaration.
          return blockedOn(run.ctx, { ...blocked('PersistentDiskError', next.message, 30_000), event: true });
        default:
          run.diskChecks.seen(seenKey, inPlace);
          return done();
      }
    },
  },
  {
    name: 'AttachBootstrapISO',
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.status !== 'stopped' || vm.cdRomStatus === 'attached' || run.ctx.status.cdRomDetached)
        return done();
      const bootstrap = await run.ctx.bootstrapData();
      if (bootstrap.format !== 'ignition') {
        const message = `the bootstrap data is in format ${bootstrap.format}: DCS VMs boot with Ignition from a CD-ROM, so the KubeadmConfig needs format: ignition`;
        return blockedOn(run.ctx, blocked('BootstrapFormatUnsupported', message, 60_000));
      }
      const guest = await guestAdditions(run, bootstrap);
      if (!guest.ok) return requeue(2_000, guest.message);
      const config = composeIgnition(bootstrap, {
        hostname: run.entry.hostname,
        disks: guestDisks(run.ctx.object.spec, run.entry, vm.vmConfig?.disks ?? []),
        nics: guestNics(run.entry),
        files: guest.files,
        units: guest.units,
        homeSubvolume: mountsHome(run.ctx.cluster.metadata.annotations),
        bootsWith: 'DCS VMs boot with Ignition from a CD-ROM',
        tokens: { PROVIDER_ID: providerIdOf(run.ctx), NODE_IP: run.entry.ip },
      });
      const datastore = await isoDatastore(run);
      const upload = await run.cloud.uploadIso(datastore, isoNameOf(run.ctx), ignitionIso(config));
      return startDcsTask(run, 'attaching the bootstrap ISO', async () => {
        const task = await run.cloud.attachCdrom(vm.uri, upload.filePath, upload.datastoreUrn);
        run.ctx.status.cdRomFile = upload.filePath;
        run.ctx.status.cdRomDatastoreUrn = upload.datastoreUrn;
        return task;
      });
    },
  },
  {
    name: 'PowerOn',
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.status === 'running') return done();
      if (vm.status !== 'stopped') return requeue(POLL_MS, `VM is ${vm.status}`);
      const started = await startDcsTask(run, 'powering on', () => run.cloud.startVm(vm.uri));
      // No Event: VMReady says it, and the Provisioned Event follows in seconds (every write counts
      // at a thousand machines; Cloning and Provisioned mark the start and the end).
      run.ctx.setCondition(falseCondition(VM_READY, 'PoweringOn', 'the VM is starting'));
      return started;
    },
  },
  {
    name: 'DetachBootstrapISO',
    // The node has registered, so Ignition has run: the ISO (which holds the join secrets) goes.
    when: (run) => Boolean(run.ctx.machine.status?.nodeRef) && !run.ctx.status.cdRomFileDeleted,
    async run(run) {
      const vm = run.vm as DcsVm;
      if (vm.cdRomStatus === 'attached')
        return startDcsTask(run, 'detaching the bootstrap ISO', () => run.cloud.detachCdrom(vm.uri));
      run.ctx.status.cdRomDetached = true;
      await deleteBootstrapIso(run);
      run.ctx.status.cdRomFileDeleted = true;
      run.ctx.events.normal(
        'BootstrapISORemoved',
        'the node registered; the bootstrap ISO was detached and deleted',
      );
      return done();
    },
  },
];

/**
 * The documented migration's claim: each legacy disk (see `legacyDisks`) takes its declared disk's
 * volume name, so from then on it is found, detached, kept and re-attached like any pool volume.
 * Nothing is claimed while any declared disk cannot be (a missing disk, a size, storage or bus that
 * differs): that is shown on the machine and asked again slowly, as the documentation says, until the
 * pool is corrected. Renaming is idempotent, and the step ends only once DCS lists every claimed
 * volume by its new name, so a restart or a slow listing can neither lose a claim nor create a
 * second volume. Undefined when there is nothing to claim.
 */
async function claimLegacyDisks(run: MachineRun, legacy: readonly LegacyDisk[]) {
  if (legacy.length === 0) return undefined;
  const problem = legacy.find((disk) => disk.problem)?.problem;
  if (problem) return blockedOn(run.ctx, { ...blocked('PersistentDiskError', problem, 30_000), event: true });
  for (const disk of legacy) {
    const volumeUrn = disk.volumeUrn as string;
    // Claimed already, and only not listed by that name yet: nothing to send.
    const current = await run.cloud.getVolume(volumeUrn);
    if (current?.name === disk.disk.name) continue;
    const answer = await run.cloud.modifyVolume(volumeUrn, { name: disk.disk.name });
    run.ctx.events.normal(
      'PersistentDiskClaimed',
      `claimed volume ${current?.name ?? volumeUrn}, the disk at sequenceNum ${disk.sequenceNum} of VM ${run.vmName}, for persistent disk ${disk.disk.entryKey}/${disk.disk.slot} as volume ${disk.disk.name}`,
    );
    const taskUri = answer.taskUri;
    if (taskUri) return startDcsTask(run, `claiming volume ${disk.disk.name}`, async () => ({ taskUri }));
  }
  return requeue(POLL_MS, `claimed ${legacy.length} legacy disk(s); waiting for DCS to list them by name`);
}

/** Converts a stock volume to an independent shared one, as the documented migration does off the old VM. */
async function convertVolume(run: MachineRun, name: string, volumeUrn: string) {
  const answer = await run.cloud.modifyVolume(volumeUrn, { type: 'share' });
  run.ctx.events.normal(
    'PersistentDiskConverted',
    `converted volume ${name} from a VM template disk to an independent shared volume`,
  );
  const taskUri = answer.taskUri;
  if (taskUri) return startDcsTask(run, `converting volume ${name}`, async () => ({ taskUri }));
  return requeue(POLL_MS, `converted volume ${name}`);
}

/**
 * The files and units the provider adds to the machine's Ignition: the kubelet serving certificate
 * (every node: the documented kubelet patch points at it), the encryption configuration (control
 * plane nodes only: it holds the key) and, for a self-built VIP, the first node's bootstrap VIP.
 */
async function guestAdditions(
  run: MachineRun,
  bootstrap: Awaited<ReturnType<Ctx['bootstrapData']>>,
): Promise<{ ok: true; files: IgnitionFile[]; units: IgnitionUnit[] } | { ok: false; message: string }> {
  const { ctx, entry, cluster } = run;
  const clusterName = ctx.cluster.metadata.name;
  const files: IgnitionFile[] = [];
  const units: IgnitionUnit[] = [];
  const ips = [entry.ip, ...(entry.additionNic ?? []).flatMap((nic) => (nic.ip ? [nic.ip] : []))];
  const namespace = ctx.object.metadata.namespace ?? 'default';
  const hostname = entry.hostname ?? run.vmName;
  const kubelet = await kubeletServingFiles(ctx.secrets, { namespace, clusterName, hostname, ips });
  if (!kubelet.ok) return kubelet;
  files.push(...kubelet.files);
  if (ctx.isControlPlane) {
    const encryption = await encryptionFile(ctx, cluster, clusterName);
    if (!encryption.ok) return encryption;
    files.push(encryption.file);
    const balancer = cluster.spec.controlPlaneLoadBalancer;
    if (balancer.type === 'internal' && runsKubeadmInit(bootstrap))
      units.push(bootstrapVipUnit(balancer.host, entry.ip, balancer.interface || undefined));
  }
  return { ok: true, files, units };
}

/**
 * Deletes this machine's bootstrap ISO and no other: the one named with its UID, and an ISO named
 * by the machine's name only (an earlier release's) just when this machine's status recorded that
 * very file as attached. Another machine of the same name (created after this one, e.g. a
 * MachineDeployment reusing the name) may own such a file, and a stale copy of this machine
 * re-running its delete must leave it alone.
 */
async function deleteBootstrapIso(run: MachineRun): Promise<void> {
  const own = await run.cloud.findUpload(isoNameOf(run.ctx));
  if (own) await run.cloud.deleteUpload(own.uri);
  const recorded = run.ctx.status.cdRomFile;
  if (!recorded) return;
  const legacy = await run.cloud.findUpload(legacyIsoNameOf(run.ctx), run.ctx.status.cdRomDatastoreUrn);
  if (legacy && legacy.filePath === recorded) await run.cloud.deleteUpload(legacy.uri);
}

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

/** `cpaas.io/retain-vm: "true"` keeps the VM and its pool entry; decided before any platform call. */
const retainVm = retainStep<MachineRun>({
  name: 'RetainVM',
  annotation: RETAIN_VM_ANNOTATION,
  reason: 'VMRetained',
  message: `${RETAIN_VM_ANNOTATION} is set: the VM stays on DCS and keeps its pool entry`,
});

/** On the delete path: the entry the machine still holds and that entry's declared disks and volumes, if any. */
async function entryDisks(run: MachineRun) {
  const entry = await heldSlot(run, poolEntries);
  const disks = entry ? declaredDisks(run.ctx.object.spec.ipHostPoolRef.name, entry) : [];
  if (!entry || disks.length === 0) return undefined;
  return { entry, disks, volumes: await observedVolumes(run.cloud, disks, [entry]) };
}

/** The same, with the VM still there. */
async function heldDisks(run: MachineRun) {
  const vm = run.vm;
  const held = vm && (await entryDisks(run));
  return held && { vm, ...held };
}

const deleteSteps: Step<MachineRun>[] = [
  retainVm,
  connect,
  followTask,
  {
    // A VM of the same name that this machine did not create is never touched.
    name: 'FindVM',
    async run(run) {
      const candidate = run.vm ?? (await lookUpVm(run));
      run.vm = candidate && isOwnedBy(candidate, run.ctx.object) ? candidate : undefined;
      const thing = { key: 'vm', what: `VM ${run.vmName}`, listingLagMs: run.listingLagMs };
      return (!run.vm && waitWhileUnlisted(run.ctx, thing, POLL_MS)) || done();
    },
  },
  {
    // The documented migration, step 1: a legacy VM's disks are claimed before it is stopped.
    name: 'ClaimPersistentDisks',
    async run(run) {
      const held = await heldDisks(run);
      if (!held) return done();
      const { vm, entry, disks, volumes } = held;
      const legacy = await legacyDisks(run.cloud, entry, disks, volumes, vm, await run.layout());
      return (await claimLegacyDisks(run, legacy)) ?? done();
    },
  },
  {
    name: 'StopVM',
    async run(run) {
      const vm = run.vm;
      if (vm?.status === 'running') {
        const started = await startDcsTask(run, 'waiting for the VM to stop', () =>
          run.cloud.stopVm(vm.uri, 'safe'),
        );
        run.ctx.setCondition(
          falseCondition(STOP_PENDING, 'WaitingForStop', `issued safe StopVm for ${run.vmName}`),
        );
        return started;
      }
      if (vm && (TRANSITIONAL.has(vm.status) || vm.status === 'creating')) {
        run.ctx.setCondition(
          falseCondition(
            STOP_PENDING,
            'VMMidTransition',
            `VM ${run.vmName} is ${vm.status}; waiting for running or stopped`,
            'Warning',
          ),
        );
        return requeue(POLL_MS * 5, `VM is ${vm.status}`);
      }
      return done();
    },
  },
  detachPersistentDisksStep<MachineRun>({
    disksOf: heldDisks,
    machineId: (run) => (run.vm as DcsVm).urn,
    detach: (run, disk, volumeId) =>
      startDcsTask(run, `detaching persistent volume ${disk.name}`, () =>
        run.cloud.detachVolume((run.vm as DcsVm).uri, volumeId),
      ),
    pollAfterMs: POLL_MS,
  }),
  {
    // The documented migration, step 4: detached, a stock volume becomes an independent shared one
    // before its old VM is deleted.
    name: 'ConvertPersistentDisks',
    async run(run) {
      for (const [name, observed] of (await entryDisks(run))?.volumes ?? [])
        if (!observed.volume.vmUrn && needsConversion(observed.volume))
          return convertVolume(run, name, observed.volume.urn);
      return done();
    },
  },
  {
    name: 'DeleteVM',
    when: (run) => run.vm !== undefined,
    async run(run) {
      const vm = run.vm as DcsVm;
      try {
        const started = await startDcsTask(run, 'deleting the VM', () => run.cloud.deleteVm(vm.uri));
        run.ctx.setCondition(trueCondition(STOP_PENDING, 'Stopped'));
        return started;
      } catch (error) {
        // The FC "stopped VMs only" policy: the VM is stopping still, so ask again shortly.
        if (isStoppedOnlyDelete(error))
          return requeue(POLL_MS * 5, 'DeleteVm rejected by FC site policy, requeuing');
        throw error;
      }
    },
  },
  {
    name: 'DeleteBootstrapISO',
    run: async (run) => {
      await deleteBootstrapIso(run);
      return done();
    },
  },
  releaseSlotStep('ReleasePoolEntry', poolEntries),
];

const reconcileSteps: Step<MachineRun>[] = [
  connect,
  claimSlotStep('ClaimPoolEntry', poolEntries),
  // Operators read platform trouble on VMReady; the host backs off before the next attempt.
  ...reportingFailures(createSteps, (run, error) =>
    run.ctx.setCondition(falseCondition(VM_READY, 'DCSError', describeDcsFailure(error), 'Warning')),
  ),
];

export function dcsMachineHooks(
  sessions: DcsSessionPool,
  options: MachineStepOptions = {},
): InfraMachineHooks<typeof DCSMachine> {
  const diskChecks = new RecordedFactChecks();
  return machineStepHooks({
    kind: DCSMachine,
    newRun: (ctx) => new MachineRun(ctx, sessions, options, diskChecks),
    reconcile: reconcileSteps,
    provisioned: ({ ctx, entry }) => {
      ctx.setCondition(trueCondition(VM_READY, 'Running'));
      return machineProvisioned({
        providerID: providerIdOf(ctx),
        addresses: machineAddresses([entry.ip], entry.hostname),
      });
    },
    delete: deleteSteps,
  });
}
