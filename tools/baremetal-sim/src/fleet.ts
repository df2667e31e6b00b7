import { createHash } from 'node:crypto';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ELEMENTAL_GROUP, ELEMENTAL_VERSION } from './api/common.js';
import { MachineInventory } from './api/machine-inventory.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ELEMENTAL = { group: ELEMENTAL_GROUP, version: ELEMENTAL_VERSION, plural: MachineInventory.plural };
/** The Secret type elemental-operator gives plan Secrets. */
export const PLAN_SECRET_TYPE = 'elemental.cattle.io/plan';
/** The annotation the provider puts on a plan Secret to say which plan it wrote. */
const PLAN_TYPE_ANNOTATION = 'baremetal.alauda.io/plan.type';
/**
 * The file a plan that touches managed data volumes carries: which storage step the host runs
 * (Prepare, Release, Activate, Deactivate) on which volumes. The host's storage integration reads
 * it; the simulator plays that integration on its simulated disks.
 */
export const STORAGE_OPERATION_FILE = '/var/lib/elemental/storage/operation.json';

/** One block device as the host's storage observer reports it (status.observedStorage.devices[]). */
export interface ObservedDevice {
  id: string;
  kind: 'DirectDisk' | 'Partition' | 'Multipath';
  systemRole: 'System' | 'Data' | 'Unknown';
  path?: string;
  stablePaths?: string[];
  sizeBytes?: number;
  partitionTableType?: string;
  filesystem?: { type: string; uuid?: string };
  signatures?: { type: string; value: string }[];
  mounts?: { path: string; options?: string[] }[];
}

/** What a storage plan asks the host to do (the STORAGE_OPERATION_FILE). */
interface StorageOperationRequest {
  type: 'Prepare' | 'Release' | 'Activate' | 'Deactivate';
  volumes: {
    name: string;
    deviceID: string;
    policy: 'Adopt' | 'InitializeIfBlank';
    filesystemType: string;
    filesystemUUID: string;
    mountPath: string;
    mountOptions?: string[];
  }[];
}

/** What a registered host reports about itself. */
export interface HostDefinition {
  /** The MachineInventory name (elemental's `machineName`, e.g. `<cluster>-<SMBIOS UUID>`). */
  name: string;
  cpuCores?: number;
  memoryGiB?: number;
  /** The live ISO's address, reported as `spec.observedNetwork`. */
  address?: string;
  /**
   * The block devices the storage observer reports; by default a system disk (/dev/sda), a blank
   * data disk (/dev/sdb) and a data disk holding an xfs filesystem with data (/dev/sdc), each with
   * a `wwn:` id derived from the name.
   */
  devices?: ObservedDevice[];
}

/** How long each plan type runs on a host (an `elemental upgrade` and a reboot take minutes; tests make it short). */
export interface PlanDurations {
  reprovisionMs: number;
  cleanMs: number;
  /** Any other plan. */
  otherMs: number;
}

export interface BaremetalFleetOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Hosts registered at start: a count (named `<prefix>-<n>`) or their definitions. */
  hosts: number | readonly HostDefinition[];
  namePrefix?: string;
  /** How often each host's agent reads its plan Secret; 5 s by default (system-agent's default). */
  pollMs?: number;
  durations?: Partial<PlanDurations>;
}

/** A plan a host ran, as the agent read it from the plan Secret. */
export interface ExecutedPlan {
  /** What the provider called it (the plan.type annotation), or `unknown`. */
  type: string;
  checksum: string;
  outcome: 'Applied' | 'Failed' | 'Interrupted';
  /** The files the plan wrote, path to content (decoded). */
  files: Record<string, string>;
  /** The commands it ran, each as one line. */
  commands: string[];
}

interface Running {
  checksum: string;
  type: string;
  timer: NodeJS.Timeout;
}

interface Host {
  definition: HostDefinition;
  lost: boolean;
  /** Plans started by the agent since the host registered (restarts run a plan again). */
  starts: number;
  running?: Running | undefined;
  failNext?: string | undefined;
  executed: ExecutedPlan[];
  /**
   * The checksum reported last: a poll that read the Secret before that report does not run the plan
   * again. Only the last one: the same plan written again after another was applied (a host cleaned
   * a second time) runs again, as system-agent runs any plan that is not the applied one.
   */
  lastReported?: string | undefined;
  poll?: NodeJS.Timeout | undefined;
  /** The disks: they outlive a reset (an operator deleting the inventory reinstalls the OS only). */
  devices: ObservedDevice[];
  /** The observer's report counter (status.observedStorage.sequence). */
  sequence: number;
}

/** What a test may read of a host. */
export interface HostView {
  name: string;
  lost: boolean;
  /** The plan the agent is executing now, if any. */
  running: { type: string; checksum: string } | undefined;
  planStarts: number;
  executed: readonly ExecutedPlan[];
  /** The host's disks as its observer sees them now. */
  devices: readonly ObservedDevice[];
}

interface SystemAgentPlan {
  files?: { path?: string; content?: string; encoding?: string }[];
  instructions?: { name?: string; command?: string; args?: string[] }[];
  oneTimeInstructions?: { name?: string; command?: string; args?: string[] }[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string | undefined) =>
  text === undefined ? undefined : Buffer.from(text, 'base64').toString();

/**
 * A fleet of simulated bare-metal hosts on a real kube-apiserver, playing the elemental side:
 * each host registers (its MachineInventory with hardware labels, observedNetwork and
 * observedStorage, and its plan Secret, as elemental-operator makes them), and its
 * elemental-system-agent reads the plan Secret, runs a new plan for as long as its type takes,
 * writes `applied-checksum` or `failed-checksum` and `failed-output` into the Secret, and the
 * operator's part reports it in `MachineInventory.status.plan`. Faults: a plan that fails, a host
 * that is lost (its agent stops, its inventory turns Ready=False), an agent restarted mid-plan
 * (the plan runs again from the start, as system-agent does with a plan it has not recorded).
 */
export class BaremetalFleet {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly hostsByName = new Map<string, Host>();
  private readonly durations: PlanDurations;
  private readonly pollMs: number;
  private stopped = false;

  private constructor(private readonly options: BaremetalFleetOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.pollMs = options.pollMs ?? 5_000;
    this.durations = {
      reprovisionMs: options.durations?.reprovisionMs ?? 240_000,
      cleanMs: options.durations?.cleanMs ?? 20_000,
      otherMs: options.durations?.otherMs ?? 5_000,
    };
  }

  /** Registers the fleet's hosts and starts their agents. */
  static async start(options: BaremetalFleetOptions): Promise<BaremetalFleet> {
    const fleet = new BaremetalFleet(options);
    const prefix = options.namePrefix ?? 'host';
    const definitions =
      typeof options.hosts === 'number'
        ? Array.from({ length: options.hosts }, (_, i) => ({ name: `${prefix}-${i + 1}` }))
        : options.hosts;
    for (const definition of definitions) await fleet.register(definition);
    return fleet;
  }

  /** Boots one more host from the ISO: it registers and its agent starts. */
  async register(definition: HostDefinition): Promise<void> {
    const { namespace } = this.options;
    const index = this.hostsByName.size + 1;
    const address = definition.address ?? `192.168.254.${10 + index}`;
    const uuid = sha256(definition.name).slice(0, 32);
    const previous = this.hostsByName.get(definition.name);
    const host: Host = {
      definition: { ...definition, address },
      lost: false,
      starts: 0,
      executed: [],
      devices:
        previous?.devices ?? structuredClone(definition.devices ?? defaultDevices(definition.name, uuid)),
      sequence: previous?.sequence ?? 0,
    };
    this.hostsByName.set(definition.name, host);
    const inventory = (await this.custom.createNamespacedCustomObject({
      ...ELEMENTAL,
      namespace,
      body: {
        apiVersion: 'elemental.cattle.io/v1beta1',
        kind: 'MachineInventory',
        metadata: {
          name: definition.name,
          namespace,
          labels: {
            'app.kubernetes.io/part-of': 'cluster-api-provider-baremetal',
            'elemental.cattle.io/CpuTotalCores': String(definition.cpuCores ?? 16),
            'elemental.cattle.io/TotalMemory': String((definition.memoryGiB ?? 64) * 1024 ** 3),
            'elemental.cattle.io/serial-number': `SN${uuid.slice(0, 10).toUpperCase()}`,
          },
          annotations: { 'elemental.cattle.io/machine-uuid': uuid },
        },
        spec: {
          tpmHash: sha256(`tpm:${definition.name}`),
          machineHash: sha256(`machine:${definition.name}`),
          observedNetwork: {
            interfaces: [{ name: 'eth0', mac: macOf(uuid), mtu: 1500, addresses: [`${address}/24`] }],
            routes: [{ destination: '0.0.0.0/0', gateway: '192.168.254.1', interface: 'eth0', metric: 100 }],
            dnsServers: ['192.168.16.19'],
            searchDomains: ['example.local'],
          },
        },
      },
    })) as { metadata: { uid: string } };
    // elemental-operator's plan Secret: owned by the inventory, one per host, an empty plan to begin.
    await this.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: {
          name: definition.name,
          namespace,
          ownerReferences: [
            {
              apiVersion: 'elemental.cattle.io/v1beta1',
              kind: 'MachineInventory',
              name: definition.name,
              uid: inventory.metadata.uid,
            },
          ],
        },
        type: PLAN_SECRET_TYPE,
        data: { plan: b64('{}') },
      },
    });
    const now = new Date().toISOString();
    await this.patchInventoryStatus(definition.name, {
      conditions: [readyCondition(true, 'PlanReady', 'the host agent polls its plan Secret', now)],
      plan: { secretRef: { name: definition.name, namespace } },
      observedStorage: this.observation(host, now),
    });
    this.schedulePoll(host, 0);
  }

  /** Every host, as the simulator sees it. */
  hosts(): HostView[] {
    return [...this.hostsByName.values()].map((host) => this.view(host));
  }

  host(name: string): HostView {
    return this.view(this.get(name));
  }

  /** The next plan this host runs fails with this output. */
  failNextPlan(name: string, output = 'elemental upgrade: failed to pull the system image'): void {
    this.get(name).failNext = output;
  }

  /** The host goes dark: its agent stops mid-plan, and its inventory turns Ready=False. */
  async loseHost(name: string): Promise<void> {
    const host = this.get(name);
    host.lost = true;
    this.interrupt(host);
    clearTimeout(host.poll);
    await this.patchInventoryStatus(name, {
      conditions: [
        readyCondition(
          false,
          'AgentDisconnected',
          'the host agent stopped reporting',
          new Date().toISOString(),
        ),
      ],
    });
  }

  /** The host is back: its agent reports again. */
  async recoverHost(name: string): Promise<void> {
    const host = this.get(name);
    host.lost = false;
    await this.patchInventoryStatus(name, {
      conditions: [
        readyCondition(true, 'PlanReady', 'the host agent polls its plan Secret', new Date().toISOString()),
      ],
    });
    this.schedulePoll(host, 0);
  }

  /** The agent process restarts: the plan it was running is forgotten, and run again from the start. */
  restartAgent(name: string): void {
    const host = this.get(name);
    this.interrupt(host);
    clearTimeout(host.poll);
    this.schedulePoll(host, 0);
  }

  /**
   * An operator deletes the host's MachineInventory (`kubectl delete machineinventory`), as elemental
   * users decommission or reset a host: elemental-operator resets it (the plan it runs stops, the
   * plans it recorded are forgotten), the MachineInventory and its plan Secret go, and the host boots
   * the registration ISO again and registers under the same name (elemental's machineName comes from
   * the SMBIOS UUID) with a new UID, an empty plan and none of the annotations it had. Answers once
   * it registered again. The plans it ran stay in `executed`.
   */
  async deleteInventory(name: string): Promise<void> {
    const host = this.get(name);
    const { namespace } = this.options;
    // This agent is gone for good: a poll in flight neither runs a plan nor polls again.
    host.lost = true;
    this.interrupt(host);
    clearTimeout(host.poll);
    await this.custom.deleteNamespacedCustomObject({ ...ELEMENTAL, namespace, name });
    await this.core.deleteNamespacedSecret({ name, namespace }).catch((error: unknown) => {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    });
    await this.register(host.definition);
    const again = this.get(name);
    again.executed.unshift(...host.executed);
    again.starts += host.starts;
  }

  /** Stops every agent (the objects stay: the API server belongs to the test). */
  stop(): void {
    this.stopped = true;
    for (const host of this.hostsByName.values()) {
      clearTimeout(host.poll);
      if (host.running) clearTimeout(host.running.timer);
    }
  }

  private get(name: string): Host {
    const host = this.hostsByName.get(name);
    if (!host) throw new Error(`no simulated host ${name}`);
    return host;
  }

  private view(host: Host): HostView {
    return {
      name: host.definition.name,
      lost: host.lost,
      running: host.running ? { type: host.running.type, checksum: host.running.checksum } : undefined,
      planStarts: host.starts,
      executed: [...host.executed],
      devices: structuredClone(host.devices),
    };
  }

  private interrupt(host: Host): void {
    if (!host.running) return;
    clearTimeout(host.running.timer);
    host.executed.push({
      type: host.running.type,
      checksum: host.running.checksum,
      outcome: 'Interrupted',
      files: {},
      commands: [],
    });
    host.running = undefined;
  }

  private schedulePoll(host: Host, afterMs: number): void {
    if (this.stopped || host.lost) return;
    clearTimeout(host.poll);
    host.poll = setTimeout(() => {
      this.pollOnce(host)
        .catch(() => undefined) // an API hiccup: the agent tries again on its next poll
        .finally(() => this.schedulePoll(host, this.pollMs));
    }, afterMs);
  }

  /** One poll of system-agent: a plan whose checksum is recorded neither as applied nor as failed is run. */
  private async pollOnce(host: Host): Promise<void> {
    const name = host.definition.name;
    let secret: { metadata?: { annotations?: Record<string, string> }; data?: Record<string, string> };
    try {
      secret = await this.core.readNamespacedSecret({ name, namespace: this.options.namespace });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return;
      throw error;
    }
    const plan = unb64(secret.data?.plan) ?? '{}';
    const checksum = sha256(plan);
    const data = secret.data ?? {};
    if (unb64(data['applied-checksum']) === checksum || unb64(data['failed-checksum']) === checksum) return;
    if (plan.trim() === '{}' || host.running?.checksum === checksum || host.lastReported === checksum) return;
    if (host.lost) return; // lost while this poll read the Secret
    // A new plan replaces one still running (the provider wrote another).
    this.interrupt(host);
    const type = secret.metadata?.annotations?.[PLAN_TYPE_ANNOTATION] ?? 'unknown';
    const ms =
      type === 'reprovision'
        ? this.durations.reprovisionMs
        : type === 'clean'
          ? this.durations.cleanMs
          : this.durations.otherMs;
    host.starts += 1;
    host.running = {
      checksum,
      type,
      timer: setTimeout(() => {
        this.finish(host, plan, checksum, type).catch(() => {
          // Not reported: the next poll finds the plan unrecorded and runs it again.
          host.running = undefined;
        });
      }, ms),
    };
  }

  private async finish(host: Host, plan: string, checksum: string, type: string): Promise<void> {
    const name = host.definition.name;
    const parsed = parsePlan(plan);
    let failure = host.failNext;
    host.failNext = undefined;
    // The host's storage integration runs the plan's storage step (a fault fails the plan before it).
    const storage = parseStorageOperation(parsed.files[STORAGE_OPERATION_FILE]);
    let devices: ObservedDevice[] | undefined;
    if (failure === undefined && storage) {
      const result = applyStorageOperation(host.devices, storage);
      if (typeof result === 'string') failure = result;
      else devices = result;
    }
    const outcome = failure === undefined ? 'Applied' : 'Failed';
    const data: Record<string, string> =
      failure === undefined
        ? { 'applied-checksum': b64(checksum), 'applied-output': b64(`${type} plan applied on ${name}`) }
        : { 'failed-checksum': b64(checksum), 'failed-output': b64(failure) };
    await this.core.patchNamespacedSecret(
      {
        name,
        namespace: this.options.namespace,
        body: {
          data: {
            ...data,
            ...(failure === undefined ? { 'failed-checksum': null, 'failed-output': null } : {}),
          },
        },
      },
      MERGE,
    );
    host.lastReported = checksum;
    host.executed.push({ type, checksum, outcome, ...parsed });
    host.running = undefined;
    if (devices) host.devices = devices;
    // elemental-operator's part: the plan's result in the inventory's status; the storage observer
    // reports the disks again in the same write, so the result is never newer than the report.
    await this.patchInventoryStatus(name, {
      plan: { checksum, state: outcome },
      ...(storage ? { observedStorage: this.observation(host, new Date().toISOString()) } : {}),
    });
  }

  /** A fresh report of the host's storage observer (the sequence goes up with every report). */
  private observation(host: Host, at: string) {
    host.sequence += 1;
    return {
      bootID: sha256(`boot:${host.definition.name}`).slice(0, 32),
      observedAt: at,
      reportEpoch: 1,
      sequence: host.sequence,
      devices: host.devices,
    };
  }

  private async patchInventoryStatus(name: string, status: Record<string, unknown>): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      { ...ELEMENTAL, namespace: this.options.namespace, name, body: { status } },
      MERGE,
    );
  }
}

function readyCondition(ready: boolean, reason: string, message: string, at: string) {
  return { type: 'Ready', status: ready ? 'True' : 'False', reason, message, lastTransitionTime: at };
}

function macOf(uuid: string): string {
  return `52:54:00:${uuid.slice(0, 2)}:${uuid.slice(2, 4)}:${uuid.slice(4, 6)}`;
}

function parsePlan(plan: string): { files: Record<string, string>; commands: string[] } {
  let parsed: SystemAgentPlan;
  try {
    parsed = JSON.parse(plan) as SystemAgentPlan;
  } catch {
    return { files: {}, commands: [] };
  }
  const files: Record<string, string> = {};
  for (const file of parsed.files ?? [])
    if (file.path)
      files[file.path] =
        file.encoding === 'base64' || file.encoding === undefined
          ? (unb64(file.content) ?? '')
          : (file.content ?? '');
  const commands = [...(parsed.oneTimeInstructions ?? []), ...(parsed.instructions ?? [])].map((i) =>
    [i.command, ...(i.args ?? [])].filter(Boolean).join(' '),
  );
  return { files, commands };
}

function uuidOf(seed: string): string {
  const h = sha256(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A host's disks when its definition names none: a system disk, a blank data disk, a data disk with data. */
function defaultDevices(name: string, uuid: string): ObservedDevice[] {
  const wwn = (part: string) => `0x5000c500${part}`;
  const existing = uuidOf(`xfs:${name}`);
  return [
    {
      id: `wwn:${wwn(uuid.slice(0, 8))}`,
      kind: 'DirectDisk',
      systemRole: 'System',
      path: '/dev/sda',
      stablePaths: [`/dev/disk/by-id/wwn-${wwn(uuid.slice(0, 8))}`],
      sizeBytes: 480 * 1024 ** 3,
      partitionTableType: 'gpt',
    },
    {
      id: `wwn:${wwn(uuid.slice(8, 16))}`,
      kind: 'DirectDisk',
      systemRole: 'Data',
      path: '/dev/sdb',
      stablePaths: [`/dev/disk/by-id/wwn-${wwn(uuid.slice(8, 16))}`],
      sizeBytes: 1920 * 1024 ** 3,
    },
    {
      id: `wwn:${wwn(uuid.slice(16, 24))}`,
      kind: 'DirectDisk',
      systemRole: 'Data',
      path: '/dev/sdc',
      stablePaths: [`/dev/disk/by-id/wwn-${wwn(uuid.slice(16, 24))}`],
      sizeBytes: 960 * 1024 ** 3,
      filesystem: { type: 'xfs', uuid: existing },
      signatures: [{ type: 'xfs', value: existing }],
    },
  ];
}

function parseStorageOperation(text: string | undefined): StorageOperationRequest | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as StorageOperationRequest;
  } catch {
    return undefined;
  }
}

const isBlank = (device: ObservedDevice) =>
  !device.filesystem &&
  !device.partitionTableType &&
  (device.signatures ?? []).length === 0 &&
  (device.mounts ?? []).length === 0;

/**
 * What the host's storage integration does with a storage step, fail closed: the disks after it,
 * or why it refused (the plan then fails and no disk changed). Prepare formats a blank device with
 * the UUID the plan chose (a device already holding that filesystem is prepared already) and
 * checks an adopted one; it never formats a device holding anything. Activate mounts, Deactivate
 * unmounts, Release only drops the ownership record: filesystems and data stay.
 */
function applyStorageOperation(
  current: readonly ObservedDevice[],
  operation: StorageOperationRequest,
): ObservedDevice[] | string {
  const devices = structuredClone(current) as ObservedDevice[];
  for (const volume of operation.volumes) {
    const device = devices.find((candidate) => candidate.id === volume.deviceID);
    if (!device)
      return `storage ${operation.type}: device ${volume.deviceID} of volume ${volume.name} not found`;
    const ours =
      device.filesystem?.type === volume.filesystemType && device.filesystem.uuid === volume.filesystemUUID;
    switch (operation.type) {
      case 'Prepare':
        if (ours) break;
        if (volume.policy === 'Adopt')
          return `storage Prepare: volume ${volume.name}: ${volume.deviceID} holds ${device.filesystem ? `${device.filesystem.type} ${device.filesystem.uuid ?? ''}` : 'no filesystem'}, not ${volume.filesystemType} ${volume.filesystemUUID}`;
        if (!isBlank(device))
          return `storage Prepare: refusing to format ${volume.deviceID} (volume ${volume.name}): it is not blank (${(device.signatures ?? []).map((sig) => sig.type).join(', ') || device.filesystem?.type || device.partitionTableType || 'mounted'})`;
        device.filesystem = { type: volume.filesystemType, uuid: volume.filesystemUUID };
        device.signatures = [{ type: volume.filesystemType, value: volume.filesystemUUID }];
        break;
      case 'Activate':
        if (!ours)
          return `storage Activate: volume ${volume.name}: ${volume.deviceID} no longer holds filesystem ${volume.filesystemUUID}`;
        device.mounts = [
          ...(device.mounts ?? []).filter((mount) => mount.path !== volume.mountPath),
          { path: volume.mountPath, options: ['nodev', 'nosuid', ...(volume.mountOptions ?? [])] },
        ];
        break;
      case 'Deactivate':
        device.mounts = (device.mounts ?? []).filter((mount) => mount.path !== volume.mountPath);
        if (device.mounts.length === 0) delete device.mounts;
        break;
      case 'Release':
        break;
    }
  }
  return devices;
}
