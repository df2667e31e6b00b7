import type { PlatformCallRecorder } from '@immutable-infra/core';
import type { TaskState } from '@immutable-infra/provider-kit';
import { child, list, type MoRef, readMoRef, readValue, ref, type SoapValue, typedText } from './soap-xml.js';
import { type DeviceChange, nicsOf, type ReadDevice } from './vsphere-devices.js';
import {
  isNotFound,
  isPermanentFault,
  readTaskError,
  VsphereFault,
  vsphereFailureKind,
} from './vsphere-faults.js';
import type { ServiceContent, VsphereSession } from './vsphere-session.js';

/** Properties of one object, as one RetrievePropertiesEx answered them. */
export interface ObjectProperties {
  ref: MoRef;
  /** Property path to plain value (see readValue); a path the object has no value for is absent. */
  properties: Record<string, unknown>;
  /** Paths vSphere could not read for this object, with the fault type (NoPermission, say). */
  missing: Record<string, string>;
  /** The object no longer exists (it was in the request, vSphere reported it missing). */
  gone: boolean;
}

/** Where and how a clone is made. Every reference is the datacenter's own (a failure domain's). */
export interface CloneRequest {
  /** The template (or VM) to clone. */
  source: MoRef;
  /** The new VM's name, unique in its folder (DuplicateName otherwise). */
  name: string;
  folder: MoRef;
  pool: MoRef;
  datastore?: MoRef | undefined;
  host?: MoRef | undefined;
  /**
   * A linked clone: the new VM's disks are children of this snapshot of the source (diskMoveType
   * createNewChildDiskBacking), so cloning copies no disk data. A full clone without it.
   */
  linkedCloneSnapshot?: MoRef | undefined;
  /** Settings applied as part of the clone (CPU, memory, guestinfo), so no reconfigure is needed after. */
  config?: VmConfig | undefined;
  powerOn?: boolean | undefined;
}

/** What ReconfigVM_Task (or a clone's config) changes; anything not given stays as it is. */
export interface VmConfig {
  /**
   * vCenter's own id of the VM, chosen by the caller at clone time (the machine's UID): the VM is
   * then found by FindByUuid even when the clone's answer or task reference was lost.
   */
  instanceUuid?: string | undefined;
  numCPUs?: number | undefined;
  numCoresPerSocket?: number | undefined;
  memoryMiB?: number | undefined;
  annotation?: string | undefined;
  /** NICs re-pointed or added, disks grown (see cloneDeviceChanges). */
  deviceChange?: readonly DeviceChange[] | undefined;
  /**
   * extraConfig keys: `guestinfo.userdata`, `guestinfo.userdata.encoding`, `guestinfo.metadata`...
   * An empty string removes a key.
   */
  extraConfig?: Readonly<Record<string, string>> | undefined;
}

/** What a reconcile reads of a VM, in one property read. */
export interface VmSummary {
  ref: MoRef;
  name: string;
  /** BIOS UUID: what the guest sees as its product UUID, and what the provider ID is made of. */
  biosUuid: string;
  instanceUuid: string;
  powerState: 'poweredOn' | 'poweredOff' | 'suspended';
  /** The MAC addresses of the VM's NICs, in device order (what the guest's network config matches). */
  macAddresses: string[];
  /** The VM's virtual disks, with the file each is backed by. */
  disks: AttachedDisk[];
  /** The first SCSI controller's device key (persistent disks go on it), when the VM has one. */
  scsiControllerKey?: string | undefined;
  /** The datastore of the VM's first disk (`datastore-cp` of `[datastore-cp] vm/disk.vmdk`). */
  datastoreName?: string | undefined;
  /** Addresses VMware Tools reports, per NIC. */
  guestNics: { macAddress: string; network?: string | undefined; ipAddresses: string[] }[];
}

/** A virtual disk of a VM: its device as read (for a detach), its file, and where it sits. */
export interface AttachedDisk {
  device: ReadDevice;
  fileName: string;
  /** The disk's UUID (the guest sees it as the disk's WWN when disk.EnableUUID is on). */
  uuid: string;
  controllerKey: string;
  unitNumber: number;
}

/** The datastore name of a datastore path: `datastore-cp` of `[datastore-cp] a/b.vmdk`. */
export const datastoreOfPath = (path: string) => /^\[([^\]]+)\]/.exec(path)?.[1];

/** A VM anti-affinity (or affinity) rule of a compute cluster, as DRS keeps it. */
export interface ClusterRule {
  key: number;
  name: string;
  type: string;
  vms: MoRef[];
}

/** What cloning needs of a template: its devices and snapshots. */
export interface TemplateInfo {
  ref: MoRef;
  devices: ReadDevice[];
  currentSnapshot?: MoRef | undefined;
  /** Every snapshot by name, depth first (names need not be unique; the first wins). */
  snapshots: { name: string; ref: MoRef }[];
}

const SCSI_CONTROLLERS = new Set([
  'ParaVirtualSCSIController',
  'VirtualLsiLogicController',
  'VirtualLsiLogicSASController',
  'VirtualBusLogicController',
]);

const VM_PATHS = [
  'name',
  'config.uuid',
  'config.instanceUuid',
  'config.hardware.device',
  'runtime.powerState',
  'guest.net',
];

/** A task's info, as read by reference. */
export interface TaskInfo {
  /** The task's reference value (`task-123`): what status records. */
  reference: string;
  name: string;
  state: 'queued' | 'running' | 'success' | 'error';
  progress?: number | undefined;
  entity?: MoRef | undefined;
  /** The task's result: for CloneVM_Task, the new VM. */
  result?: unknown;
  error?: { faultType: string; message: string } | undefined;
}

export const taskRef = (reference: string): MoRef => ({ type: 'Task', value: reference });

/** A VirtualMachineConfigSpec's fields in WSDL order (vCenter reads them in order). */
function configSpec(config: VmConfig): Record<string, SoapValue> {
  return {
    instanceUuid: config.instanceUuid,
    annotation: config.annotation,
    numCPUs: config.numCPUs,
    numCoresPerSocket: config.numCoresPerSocket,
    memoryMB: config.memoryMiB,
    deviceChange: config.deviceChange?.map((change) => ({
      operation: change.operation,
      fileOperation: change.fileOperation,
      device: change.device,
    })),
    extraConfig: config.extraConfig
      ? Object.entries(config.extraConfig).map(([key, value]) => ({
          key,
          value: typedText('xsd:string', value),
        }))
      : undefined,
  };
}

/**
 * The vSphere Web Services calls a VM provider needs, over one account's session: property reads
 * of many objects in one call, inventory search, clone, reconfigure, power, destroy, and tasks
 * read by their reference. Methods that start work return the task's reference at once; the
 * caller records it and reads it later ({@link taskInfo}), so a reconcile never waits for vSphere.
 */
export class VsphereClient {
  constructor(
    readonly session: VsphereSession,
    /** Counts every call by method (the host's platform-call metrics); the session's own when absent. */
    private readonly recorder?: PlatformCallRecorder | undefined,
  ) {}

  serviceContent(signal?: AbortSignal): Promise<ServiceContent> {
    return this.session.content(signal);
  }

  /**
   * Reads `paths` of every object in ONE RetrievePropertiesEx (continued with
   * ContinueRetrievePropertiesEx when vSphere pages the answer). Objects that no longer exist come
   * back with `gone: true` instead of failing the whole read.
   */
  async properties(
    objects: readonly MoRef[],
    paths: readonly string[],
    signal?: AbortSignal,
  ): Promise<ObjectProperties[]> {
    if (objects.length === 0) return [];
    const types = [...new Set(objects.map((o) => o.type))];
    const specSet = {
      propSet: types.map((type) => ({ type, all: false, pathSet: [...paths] })),
      objectSet: objects.map((o) => ({ obj: ref(o), skip: false })),
      reportMissingObjectsInResults: true,
    };
    const collector = (content: ServiceContent) => content.propertyCollector;
    const read = new Map<string, ObjectProperties>();
    const check = (answer: unknown) => {
      for (const content of list(child(answer, 'objects'))) {
        const object = objectProperties(content);
        if (Object.values(object.missing).includes('NotAuthenticated'))
          throw new VsphereFault(
            'NotAuthenticated',
            'RetrievePropertiesEx: the session is not authenticated',
          );
        read.set(`${object.ref.type}:${object.ref.value}`, object);
      }
    };
    let answer = await this.session.call(
      'RetrievePropertiesEx',
      collector,
      { specSet, options: { maxObjects: 500 } },
      { signal, check, recorder: this.recorder },
    );
    for (;;) {
      const token = readValue(child(answer, 'token'));
      if (typeof token !== 'string' || token === '') break;
      answer = await this.session.call(
        'ContinueRetrievePropertiesEx',
        collector,
        { token },
        { signal, check, recorder: this.recorder },
      );
    }
    // In request order; vCenter reports a deleted object missing, vcsim leaves it out: both are gone.
    return objects.map(
      (o) => read.get(`${o.type}:${o.value}`) ?? { ref: o, properties: {}, missing: {}, gone: true },
    );
  }

  /** The object at an inventory path (`/DC0/vm/templates/ubuntu-2404`), or undefined. */
  async findByInventoryPath(inventoryPath: string, signal?: AbortSignal): Promise<MoRef | undefined> {
    const answer = await this.session.call(
      'FindByInventoryPath',
      (content) => content.searchIndex,
      { inventoryPath },
      { signal, recorder: this.recorder },
    );
    return readMoRef(answer);
  }

  /**
   * The VM with this UUID, or undefined: the instance UUID (vCenter's own, `config.instanceUuid`)
   * by default, the BIOS UUID (`config.uuid`, what the guest sees as its product UUID) when asked.
   */
  async findVmByUuid(
    uuid: string,
    options: { bios?: boolean; datacenter?: MoRef | undefined } = {},
    signal?: AbortSignal,
  ): Promise<MoRef | undefined> {
    const answer = await this.session.call(
      'FindByUuid',
      (content) => content.searchIndex,
      {
        datacenter: options.datacenter ? ref(options.datacenter) : undefined,
        uuid,
        vmSearch: true,
        instanceUuid: options.bios !== true,
      },
      { signal, recorder: this.recorder },
    );
    return readMoRef(answer);
  }

  /** The VM's identity, power state and guest addresses; undefined when it no longer exists. */
  async vm(vm: MoRef, signal?: AbortSignal): Promise<VmSummary | undefined> {
    const [read] = await this.properties([vm], VM_PATHS, signal);
    if (!read || read.gone) return undefined;
    const p = read.properties;
    const power = p['runtime.powerState'];
    const devices = list(p['config.hardware.device']) as ReadDevice[];
    const disks = devices
      .filter((d) => d._type === 'VirtualDisk')
      .map((device) => {
        const backing = (device.backing ?? {}) as { fileName?: unknown; uuid?: unknown };
        return {
          device,
          fileName: String(backing.fileName ?? ''),
          uuid: String(backing.uuid ?? ''),
          controllerKey: String(device.controllerKey ?? ''),
          unitNumber: Number(device.unitNumber ?? -1),
        };
      });
    return {
      ref: vm,
      name: String(p.name ?? ''),
      biosUuid: String(p['config.uuid'] ?? ''),
      instanceUuid: String(p['config.instanceUuid'] ?? ''),
      powerState: power === 'poweredOn' || power === 'suspended' ? power : 'poweredOff',
      macAddresses: nicsOf(devices).map((nic) => String(nic.macAddress ?? '')),
      disks,
      scsiControllerKey: devices.find((d) => SCSI_CONTROLLERS.has(d._type ?? ''))?.key,
      datastoreName: disks[0] ? datastoreOfPath(disks[0].fileName) : undefined,
      guestNics: list(p['guest.net']).map((nic) => {
        const n = nic as { macAddress?: unknown; network?: unknown; ipAddress?: unknown };
        return {
          macAddress: String(n.macAddress ?? ''),
          network: typeof n.network === 'string' ? n.network : undefined,
          ipAddresses: list(n.ipAddress).map(String),
        };
      }),
    };
  }

  /** A template's devices and snapshots, for a clone's device changes and a linked clone's snapshot. */
  async template(template: MoRef, signal?: AbortSignal): Promise<TemplateInfo> {
    const [read] = await this.properties([template], ['config.hardware.device', 'snapshot'], signal);
    const p = read?.properties ?? {};
    const snapshot = (p.snapshot ?? {}) as { currentSnapshot?: MoRef; rootSnapshotList?: unknown };
    const snapshots: TemplateInfo['snapshots'] = [];
    const walk = (nodes: unknown) => {
      for (const node of list(nodes)) {
        const n = node as { name?: unknown; snapshot?: MoRef; childSnapshotList?: unknown };
        if (n.snapshot) snapshots.push({ name: String(n.name ?? ''), ref: n.snapshot });
        walk(n.childSnapshotList);
      }
    };
    walk(snapshot.rootSnapshotList);
    return {
      ref: template,
      devices: list(p['config.hardware.device']) as ReadDevice[],
      currentSnapshot: snapshot.currentSnapshot,
      snapshots,
    };
  }

  /**
   * The UUID of the disk file at a datastore path (`[ds] dir/disk.vmdk`), or undefined when there is
   * no such file: how a persistent disk is looked up before it is made.
   */
  async diskUuid(path: string, datacenter: MoRef, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const answer = await this.session.call(
        'QueryVirtualDiskUuid',
        (content) => this.need(content.virtualDiskManager, 'VirtualDiskManager'),
        { name: path, datacenter: ref(datacenter) },
        { signal, recorder: this.recorder },
      );
      const uuid = readValue(answer);
      return typeof uuid === 'string' ? uuid : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Makes a datastore directory and its parents; one that exists already is fine. */
  async makeDirectory(path: string, datacenter: MoRef, signal?: AbortSignal): Promise<void> {
    try {
      await this.session.call(
        'MakeDirectory',
        (content) => this.need(content.fileManager, 'FileManager'),
        { name: path, datacenter: ref(datacenter), createParentDirectories: true },
        { signal, recorder: this.recorder },
      );
    } catch (error) {
      if (!(error instanceof VsphereFault && error.faultType === 'FileAlreadyExists')) throw error;
    }
  }

  /** Starts DeleteVirtualDisk_Task for a disk file no VM uses; returns the task's reference. */
  async deleteDisk(path: string, datacenter: MoRef, signal?: AbortSignal): Promise<string> {
    const content = await this.session.content(signal);
    return this.startTask(
      'DeleteVirtualDisk_Task',
      this.need(content.virtualDiskManager, 'VirtualDiskManager'),
      { name: path, datacenter: ref(datacenter) },
      signal,
    );
  }

  private need(moRef: MoRef | undefined, what: string): MoRef {
    if (!moRef) throw new VsphereFault('NotSupported', `this vCenter has no ${what}`);
    return moRef;
  }

  /** The compute cluster (or standalone compute resource) each VM runs in, by VM reference value. */
  async computeClustersOf(vms: readonly MoRef[], signal?: AbortSignal): Promise<Map<string, MoRef>> {
    const pools = await this.properties(vms, ['resourcePool'], signal);
    const poolOf = new Map(
      pools.flatMap((p) =>
        p.properties.resourcePool ? [[p.ref.value, p.properties.resourcePool as MoRef]] : [],
      ),
    );
    const unique = [...new Map([...poolOf.values()].map((pool) => [pool.value, pool])).values()];
    const owners = new Map(
      (await this.properties(unique, ['owner'], signal)).map((p) => [
        p.ref.value,
        p.properties.owner as MoRef,
      ]),
    );
    const out = new Map<string, MoRef>();
    for (const [vm, pool] of poolOf) {
      const owner = owners.get(pool.value);
      if (owner) out.set(vm, owner);
    }
    return out;
  }

  /** The DRS rules of a compute cluster. */
  async clusterRules(cluster: MoRef, signal?: AbortSignal): Promise<ClusterRule[]> {
    const [read] = await this.properties([cluster], ['configurationEx'], signal);
    const config = (read?.properties.configurationEx ?? {}) as { rule?: unknown };
    return list(config.rule).map((rule) => {
      const r = rule as { _type?: string; key?: unknown; name?: unknown; vm?: unknown };
      return {
        key: Number(r.key),
        name: String(r.name ?? ''),
        type: r._type ?? '',
        vms: list(r.vm) as MoRef[],
      };
    });
  }

  /**
   * Starts ReconfigureComputeResource_Task with one change to the cluster's DRS rules: a VM
   * anti-affinity rule added or edited (to exactly `vms`), or removed by its key.
   */
  changeAntiAffinityRule(
    cluster: MoRef,
    change:
      | { operation: 'add'; name: string; vms: readonly MoRef[] }
      | { operation: 'edit'; key: number; name: string; vms: readonly MoRef[] }
      | { operation: 'remove'; key: number },
    signal?: AbortSignal,
  ): Promise<string> {
    const rule =
      change.operation === 'remove'
        ? { operation: 'remove', removeKey: typedText('xsd:int', change.key) }
        : {
            operation: change.operation,
            info: {
              $type: 'ClusterAntiAffinityRuleSpec',
              key: change.operation === 'edit' ? change.key : undefined,
              enabled: true,
              name: change.name,
              // Soft: DRS keeps the VMs apart, but a host failure still lets HA restart one beside another.
              mandatory: false,
              vm: change.vms.map(ref),
            },
          };
    return this.startTask(
      'ReconfigureComputeResource_Task',
      cluster,
      { spec: { $type: 'ClusterConfigSpecEx', rulesSpec: [rule] }, modify: true },
      signal,
    );
  }

  /** Starts CloneVM_Task; returns the task's reference. */
  async cloneVm(request: CloneRequest, signal?: AbortSignal): Promise<string> {
    const linked = request.linkedCloneSnapshot !== undefined;
    const spec = {
      location: {
        datastore: request.datastore ? ref(request.datastore) : undefined,
        diskMoveType: linked ? 'createNewChildDiskBacking' : undefined,
        pool: ref(request.pool),
        host: request.host ? ref(request.host) : undefined,
      },
      template: false,
      config: request.config ? configSpec(request.config) : undefined,
      powerOn: request.powerOn === true,
      snapshot: request.linkedCloneSnapshot ? ref(request.linkedCloneSnapshot) : undefined,
    };
    return this.startTask(
      'CloneVM_Task',
      request.source,
      { folder: ref(request.folder), name: request.name, spec },
      signal,
    );
  }

  /** Starts ReconfigVM_Task; returns the task's reference. */
  reconfigureVm(vm: MoRef, config: VmConfig, signal?: AbortSignal): Promise<string> {
    return this.startTask('ReconfigVM_Task', vm, { spec: configSpec(config) }, signal);
  }

  powerOnVm(vm: MoRef, signal?: AbortSignal): Promise<string> {
    return this.startTask('PowerOnVM_Task', vm, {}, signal);
  }

  /** A hard power off; {@link shutdownGuest} asks the guest first. */
  powerOffVm(vm: MoRef, signal?: AbortSignal): Promise<string> {
    return this.startTask('PowerOffVM_Task', vm, {}, signal);
  }

  /** Asks the guest OS (through VMware Tools) to shut down; returns at once, no task. */
  async shutdownGuest(vm: MoRef, signal?: AbortSignal): Promise<void> {
    await this.session.call('ShutdownGuest', vm, {}, { signal, recorder: this.recorder });
  }

  /** Starts Destroy_Task (the VM must be powered off); returns the task's reference. */
  destroyVm(vm: MoRef, signal?: AbortSignal): Promise<string> {
    return this.startTask('Destroy_Task', vm, {}, signal);
  }

  /**
   * Reads tasks by reference, in one call; a task vCenter no longer knows (it keeps finished
   * tasks for a while only) is absent from the map.
   */
  async taskInfos(references: readonly string[], signal?: AbortSignal): Promise<Map<string, TaskInfo>> {
    const read = await this.properties(references.map(taskRef), ['info'], signal);
    const out = new Map<string, TaskInfo>();
    for (const object of read) {
      if (object.gone || object.properties.info === undefined) continue;
      out.set(object.ref.value, taskInfoOf(object.ref.value, object.properties.info));
    }
    return out;
  }

  /** One task by reference; undefined when vCenter no longer knows it. */
  async taskInfo(reference: string, signal?: AbortSignal): Promise<TaskInfo | undefined> {
    return (await this.taskInfos([reference], signal)).get(reference);
  }

  private async startTask(
    method: string,
    self: MoRef,
    fields: Record<string, SoapValue>,
    signal?: AbortSignal,
  ): Promise<string> {
    const task = readMoRef(
      await this.session.call(method, self, fields, { signal, recorder: this.recorder }),
    );
    if (!task) throw new Error(`${method}: vCenter returned no task`);
    return task.value;
  }
}

function objectProperties(content: unknown): ObjectProperties {
  const obj = readMoRef(child(content, 'obj')) ?? { type: 'unknown', value: '' };
  const properties: Record<string, unknown> = {};
  for (const prop of list(child(content, 'propSet'))) {
    const name = readValue(child(prop, 'name'));
    if (typeof name === 'string') properties[name] = readValue(child(prop, 'val'));
  }
  const missing: Record<string, string> = {};
  let gone = false;
  for (const entry of list(child(content, 'missingSet'))) {
    const path = readValue(child(entry, 'path'));
    const { faultType } = readTaskError(readValue(child(entry, 'fault')));
    if (faultType === 'ManagedObjectNotFound') gone = true;
    missing[typeof path === 'string' ? path : ''] = faultType;
  }
  return { ref: obj, properties, missing, gone };
}

function taskInfoOf(reference: string, info: unknown): TaskInfo {
  const fields = (info ?? {}) as Record<string, unknown>;
  const state = fields.state;
  const progress = typeof fields.progress === 'string' ? Number(fields.progress) : undefined;
  const entity = fields.entity as MoRef | undefined;
  return {
    reference,
    name: typeof fields.name === 'string' ? fields.name : '',
    state: state === 'queued' || state === 'success' || state === 'error' ? state : 'running',
    progress: Number.isFinite(progress) ? progress : undefined,
    entity: entity && typeof entity === 'object' ? entity : undefined,
    result: fields.result,
    error: state === 'error' ? readTaskError(fields.error) : undefined,
  };
}

/** A task's info as the kit's task following reads it: running, succeeded, or failed with a kind. */
export function interpretTask(task: TaskInfo): TaskState {
  if (task.state === 'success') return { state: 'succeeded' };
  if (task.state === 'error') {
    const faultType = task.error?.faultType ?? 'TaskFailed';
    return {
      state: 'failed',
      message:
        `vSphere task ${task.reference} (${task.name}) failed: ${faultType}: ${task.error?.message ?? ''}`.trim(),
      platformCode: faultType,
      kind: vsphereFailureKind(faultType),
      permanent: isPermanentFault(faultType),
    };
  }
  return { state: 'running', progress: task.progress };
}
