import { mountUnitName, quantityBytes } from '@immutable-infra/provider-kit';
import { type SystemAgentPlan, sha256 } from './plans.js';

/**
 * Managed data volumes (`MachineInventory.spec.storage`): the pure part. Normalising and hashing a
 * declaration, checking it against what the host's storage observer reports and against what is
 * prepared already (every problem, each naming its field), the initialization approval, and the
 * storage steps the plans carry. No I/O here: the controllers read and write.
 */

export type FilesystemPolicy = 'Adopt' | 'InitializeIfBlank';
export type FilesystemType = 'xfs' | 'ext4';

export interface StorageVolume {
  name: string;
  source: { deviceID: string; minimumSize?: string | number; multipath?: { minimumActivePaths?: number } };
  filesystem: { type: FilesystemType; policy: FilesystemPolicy; expectedUUID?: string };
  mount: { path: string; options?: string[]; required?: boolean };
}

export interface StorageSpec {
  volumes?: StorageVolume[];
  retryNonce?: number;
}

export interface ObservedDevice {
  id: string;
  kind: 'DirectDisk' | 'Partition' | 'Multipath';
  systemRole: 'System' | 'Data' | 'Unknown';
  path?: string;
  parentID?: string;
  memberIDs?: string[];
  stablePaths?: string[];
  sizeBytes?: number;
  removable?: boolean;
  readOnly?: boolean;
  partitionTableType?: string;
  filesystem?: { type: string; uuid?: string };
  signatures?: { type: string; value: string }[];
  mounts?: { path: string; options?: string[] }[];
  consumers?: { type: string; path: string }[];
  health?: { activePaths?: number; totalPaths?: number };
}

export interface ObservedStorage {
  bootID?: string;
  reportEpoch?: number;
  sequence?: number;
  observedAt?: string;
  devices?: ObservedDevice[];
}

/** One volume as prepared (status.storage.appliedVolumes[]). */
export interface VolumeState {
  name: string;
  deviceID: string;
  resolvedPath?: string;
  mountPath: string;
  mountOptions?: string[];
  required: boolean;
  effectiveRequired: boolean;
  active?: boolean;
  filesystemType: FilesystemType;
  filesystemPolicy: FilesystemPolicy;
  filesystemUUID?: string;
  expectedFilesystemUUID?: string;
  minimumSizeBytes?: number;
  minimumActivePaths?: number;
  phase?: string;
  mutationState?: MutationState;
  lastOperationID?: string;
  lastTransitionTime?: string;
}

export type MutationState = 'None' | 'DurableStateChanged' | 'Unknown';
export type StorageOperationType = 'Prepare' | 'Release' | 'Activate' | 'Deactivate';
export type StoragePhase =
  | 'Unmanaged'
  | 'Observed'
  | 'Validating'
  | 'Preparing'
  | 'Prepared'
  | 'Activating'
  | 'Active'
  | 'Deactivating'
  | 'Releasing'
  | 'Degraded'
  | 'Failed';

export interface StorageOperation {
  operationID: string;
  attemptID: string;
  type: StorageOperationType;
  phase: 'Pending' | 'Running' | 'Applied' | 'Failed';
  mutationState: MutationState;
  targetSpecHash: string;
  retryNonce: number;
  planOwnerKind: string;
  planOwnerUID: string;
  planChecksum?: string;
  initializationApprovalCounter?: number;
  initializationApprovalHash?: string;
  observationBootID?: string;
  observationReportEpoch?: number;
  observationSequence?: number;
  volumes?: VolumeState[];
  startedAt: string;
  updatedAt: string;
}

export interface StorageCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface StorageStatus {
  phase?: StoragePhase;
  appliedSpecHash?: string;
  pendingSpecHash?: string;
  hashVersion?: string;
  lastConsumedRetryNonce?: number;
  lastConsumedInitializationApprovalCounter?: number;
  lastConsumedInitializationApprovalHash?: string;
  operation?: StorageOperation | null;
  appliedVolumes?: VolumeState[];
  conditions?: StorageCondition[];
}

/** The version of the normalisation below: a hash is only compared with one of the same version. */
export const STORAGE_HASH_VERSION = 'v1';

/**
 * The initialization approval on the inventory (what the matching storagectl's render-patch
 * writes): the counter, and a hash binding it to the inventory UID and the normalised declaration.
 */
export const INITIALIZATION_APPROVAL_ANNOTATIONS = {
  counter: 'storage.baremetal.alauda.io/initialization-approval-counter',
  hash: 'storage.baremetal.alauda.io/initialization-approval-hash',
} as const;

/** Where a plan carries its storage step for the host's storage integration. */
export const STORAGE_OPERATION_FILE = '/var/lib/elemental/storage/operation.json';
/** The host-side ownership record of each prepared volume (kept on Deactivate, removed on Release). */
const OWNERSHIP_DIR = '/var/lib/elemental/storage/volumes';
const UNIT_DIR = '/etc/systemd/system';
/** Always on a managed mount: a data volume holds no device nodes and no set-uid programs. */
const FORCED_MOUNT_OPTIONS = ['nodev', 'nosuid'];

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The declared volumes with defaults filled and sorted by name: what the hash covers (retryNonce is not in it). */
export function normaliseVolumes(volumes: readonly StorageVolume[] | undefined) {
  return [...(volumes ?? [])]
    .map((volume) => ({
      name: volume.name,
      deviceID: volume.source.deviceID,
      minimumSizeBytes: quantityBytes(volume.source.minimumSize) ?? null,
      minimumActivePaths: volume.source.multipath ? (volume.source.multipath.minimumActivePaths ?? 1) : null,
      filesystemType: volume.filesystem.type,
      filesystemPolicy: volume.filesystem.policy,
      expectedUUID: volume.filesystem.expectedUUID ?? null,
      mountPath: volume.mount.path,
      mountOptions: [...new Set(volume.mount.options ?? [])],
      required: volume.mount.required ?? true,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The normalised declaration's hash (`appliedSpecHash`, `targetSpecHash`). */
export function storageSpecHash(volumes: readonly StorageVolume[] | undefined): string {
  return `${STORAGE_HASH_VERSION}:${sha256(JSON.stringify(normaliseVolumes(volumes)))}`;
}

/** The approval hash storagectl writes: bound to the inventory UID, the declaration and the counter. */
export function initializationApprovalHash(
  inventoryUID: string,
  volumes: readonly StorageVolume[] | undefined,
  counter: number,
): string {
  return sha256(`storage-initialize\n${inventoryUID}\n${storageSpecHash(volumes)}\n${counter}`);
}

/**
 * The annotations that approve formatting the blank devices of this declaration on this inventory
 * (what `storagectl render-patch --counter` puts in its merge patch).
 */
export function initializationApproval(
  inventoryUID: string,
  volumes: readonly StorageVolume[] | undefined,
  counter: number,
): Record<string, string> {
  return {
    [INITIALIZATION_APPROVAL_ANNOTATIONS.counter]: String(counter),
    [INITIALIZATION_APPROVAL_ANNOTATIONS.hash]: initializationApprovalHash(inventoryUID, volumes, counter),
  };
}

/** One refused part of a declaration: the field and why. */
export interface StorageProblem {
  field: string;
  message: string;
}

export interface StorageCheckInput {
  inventoryUID: string;
  annotations: Record<string, string> | undefined;
  volumes: readonly StorageVolume[];
  observed: ObservedStorage | undefined;
  status: StorageStatus | undefined;
}

export interface StorageCheck {
  problems: StorageProblem[];
  /** The volumes Prepare would format (blank, InitializeIfBlank, not prepared before). */
  toInitialize: string[];
  /** The approval counter Prepare consumes, when something is to be formatted. */
  approvalCounter?: number;
  approvalHash?: string;
}

const isBlank = (device: ObservedDevice) =>
  !device.filesystem &&
  !device.partitionTableType &&
  (device.signatures ?? []).length === 0 &&
  (device.mounts ?? []).length === 0 &&
  (device.consumers ?? []).length === 0;

const describeContent = (device: ObservedDevice) =>
  [
    device.filesystem
      ? `a ${device.filesystem.type} filesystem${device.filesystem.uuid ? ` ${device.filesystem.uuid}` : ''}`
      : '',
    device.partitionTableType ? `a ${device.partitionTableType} partition table` : '',
    (device.signatures ?? []).length > 0 && !device.filesystem
      ? `signatures ${(device.signatures ?? []).map((signature) => signature.type).join(', ')}`
      : '',
    (device.mounts ?? []).length > 0
      ? `mounts ${(device.mounts ?? []).map((mount) => mount.path).join(', ')}`
      : '',
    (device.consumers ?? []).length > 0
      ? `consumers ${(device.consumers ?? []).map((consumer) => consumer.type).join(', ')}`
      : '',
  ]
    .filter(Boolean)
    .join(', ');

/**
 * Checks a declaration against the host's latest observation and what is prepared already, and
 * collects every problem. The unsafe case is refused here, before any plan: InitializeIfBlank on a
 * device that holds anything (a filesystem, a partition table, a signature, a mount, a consumer),
 * or on a blank one without an approval bound to this inventory, this declaration and a counter
 * never used before.
 */
export function checkStorage(input: StorageCheckInput): StorageCheck {
  const problems: StorageProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const toInitialize: string[] = [];
  const devices = new Map((input.observed?.devices ?? []).map((device) => [device.id, device]));
  const members = new Set((input.observed?.devices ?? []).flatMap((device) => device.memberIDs ?? []));
  const applied = new Map((input.status?.appliedVolumes ?? []).map((volume) => [volume.name, volume]));
  const declaredIDs = new Set(input.volumes.map((volume) => volume.source.deviceID));
  if (input.volumes.length > 0 && !input.observed?.devices?.length)
    add(
      'status.observedStorage',
      'the host storage observer has reported no devices: install an observer-capable image and wait for a fresh report before declaring volumes',
    );
  input.volumes.forEach((volume, index) => {
    const at = `spec.storage.volumes[${index}]`;
    const onDevice = (message: string) => add(`${at}.source.deviceID`, message);
    const device = devices.get(volume.source.deviceID);
    const prepared = applied.get(volume.name);
    if (
      prepared &&
      (prepared.deviceID !== volume.source.deviceID ||
        prepared.filesystemPolicy !== volume.filesystem.policy ||
        prepared.filesystemType !== volume.filesystem.type)
    ) {
      add(
        at,
        `volume ${volume.name} is prepared on ${prepared.deviceID} (${prepared.filesystemPolicy} ${prepared.filesystemType}): its deviceID, policy and type cannot change in place; release it first (remove it and wait), then declare the replacement`,
      );
      return;
    }
    if (!input.observed?.devices?.length) return;
    if (!device) {
      onDevice(
        `device ${volume.source.deviceID} is not in status.observedStorage.devices of this inventory (never copy a device id from another host)`,
      );
      return;
    }
    if (device.systemRole !== 'Data')
      onDevice(`device ${device.id} has systemRole ${device.systemRole}: only Data devices can be managed`);
    if (members.has(device.id))
      onDevice(`device ${device.id} is a multipath member: declare the wwid: map instead`);
    if (device.readOnly || device.removable)
      onDevice(`device ${device.id} is ${device.readOnly ? 'read-only' : 'removable'}`);
    if (device.parentID && declaredIDs.has(device.parentID))
      onDevice(
        `device ${device.id} is a partition of ${device.parentID}, which is declared too: a whole disk and its partition cannot both be managed`,
      );
    if (device.kind === 'Partition' && volume.filesystem.policy !== 'Adopt')
      add(`${at}.filesystem.policy`, 'a partition can only be adopted (Adopt)');
    const minimum = quantityBytes(volume.source.minimumSize);
    if (volume.source.minimumSize !== undefined && minimum === undefined)
      add(`${at}.source.minimumSize`, `${volume.source.minimumSize} is not a quantity`);
    if (minimum !== undefined && device.sizeBytes !== undefined && device.sizeBytes < minimum)
      add(
        `${at}.source.minimumSize`,
        `device ${device.id} has ${device.sizeBytes} bytes, less than ${volume.source.minimumSize}`,
      );
    if (volume.source.multipath) {
      const wanted = volume.source.multipath.minimumActivePaths ?? 1;
      const active = device.health?.activePaths ?? 0;
      if (device.kind !== 'Multipath')
        add(`${at}.source.multipath`, `device ${device.id} is no multipath map`);
      else if (active < wanted)
        add(
          `${at}.source.multipath.minimumActivePaths`,
          `multipath map ${device.id} has ${active} active paths, fewer than ${wanted}`,
        );
    }
    const foreignMounts = (device.mounts ?? []).filter((mount) => mount.path !== volume.mount.path);
    if (volume.filesystem.policy === 'Adopt') {
      if (!device.filesystem)
        add(`${at}.filesystem.policy`, `device ${device.id} holds no filesystem to adopt`);
      else {
        if (device.filesystem.type !== volume.filesystem.type)
          add(
            `${at}.filesystem.type`,
            `device ${device.id} holds ${device.filesystem.type}, not ${volume.filesystem.type}`,
          );
        if (device.filesystem.uuid !== volume.filesystem.expectedUUID)
          add(
            `${at}.filesystem.expectedUUID`,
            `device ${device.id} holds filesystem ${device.filesystem.uuid ?? '(no UUID)'}, not ${volume.filesystem.expectedUUID ?? ''}`,
          );
      }
      if (foreignMounts.length > 0)
        onDevice(
          `device ${device.id} is busy: mounted at ${foreignMounts.map((mount) => mount.path).join(', ')}`,
        );
      return;
    }
    // InitializeIfBlank: a device this volume initialized before (its UUID recorded) is ours already.
    const ours =
      prepared?.filesystemUUID !== undefined &&
      device.filesystem?.uuid === prepared.filesystemUUID &&
      device.filesystem.type === volume.filesystem.type;
    if (ours) return;
    if (!isBlank(device)) {
      onDevice(
        `device ${device.id} is not blank (it holds ${describeContent(device)}): InitializeIfBlank never formats a device with data; adopt its filesystem (Adopt with expectedUUID) or clear the device yourself after a backup`,
      );
      return;
    }
    toInitialize.push(volume.name);
  });
  const result: StorageCheck = { problems, toInitialize };
  if (toInitialize.length === 0) return result;
  const counterText = input.annotations?.[INITIALIZATION_APPROVAL_ANNOTATIONS.counter];
  const given = input.annotations?.[INITIALIZATION_APPROVAL_ANNOTATIONS.hash];
  const counter = counterText !== undefined && /^\d+$/.test(counterText) ? Number(counterText) : undefined;
  const consumed = input.status?.lastConsumedInitializationApprovalCounter ?? 0;
  const field = `metadata.annotations[${INITIALIZATION_APPROVAL_ANNOTATIONS.counter}]`;
  if (counter === undefined || given === undefined)
    add(
      field,
      `volumes ${toInitialize.join(', ')} would format blank devices: InitializeIfBlank needs an initialization approval (storagectl render-patch --counter)`,
    );
  else if (
    counter === consumed &&
    given === input.status?.lastConsumedInitializationApprovalHash &&
    input.status?.operation?.phase === 'Failed' &&
    input.status.operation.targetSpecHash === storageSpecHash(input.volumes)
  ) {
    // A retry (retryNonce) of the failed operation this very approval started: the same consent.
    result.approvalCounter = counter;
    result.approvalHash = given;
  } else if (counter <= consumed)
    add(
      field,
      `approval counter ${counter} is used already: choose one greater than status.storage.lastConsumedInitializationApprovalCounter (${consumed})`,
    );
  else if (given !== initializationApprovalHash(input.inventoryUID, input.volumes, counter))
    add(
      `metadata.annotations[${INITIALIZATION_APPROVAL_ANNOTATIONS.hash}]`,
      'the initialization approval does not match this inventory and declaration (it was made for another inventory, another declaration or another counter): render the patch again',
    );
  else {
    result.approvalCounter = counter;
    result.approvalHash = given;
  }
  return result;
}

/** A stable, deterministic filesystem UUID for a volume initialized under an approval counter. */
export function initializedUUID(inventoryUID: string, volumeName: string, counter: number): string {
  const h = sha256(`${inventoryUID}/${volumeName}/${counter}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A volume as a storage step names it to the host. */
export interface StepVolume {
  name: string;
  deviceID: string;
  devicePath: string;
  policy: FilesystemPolicy;
  filesystemType: FilesystemType;
  filesystemUUID: string;
  mountPath: string;
  mountOptions: string[];
  required: boolean;
}

/** A root-only JSON file of a storage step. */
const jsonFile = (path: string, value: unknown) => ({
  path,
  content: b64(JSON.stringify(value)),
  permissions: '0600',
});

const operationFile = (type: StorageOperationType, operationID: string, volumes: readonly StepVolume[]) =>
  jsonFile(STORAGE_OPERATION_FILE, {
    type,
    operationID,
    volumes: volumes.map(
      ({ name, deviceID, policy, filesystemType, filesystemUUID, mountPath, mountOptions }) => ({
        name,
        deviceID,
        policy,
        filesystemType,
        filesystemUUID,
        mountPath,
        mountOptions,
      }),
    ),
  });

const ownershipFile = ({ name, deviceID, filesystemType, filesystemUUID }: StepVolume, operationID: string) =>
  jsonFile(`${OWNERSHIP_DIR}/${name}.json`, { name, deviceID, filesystemType, filesystemUUID, operationID });

/**
 * The storage-prepare plan: each blank device formatted with the UUID chosen here, but only after
 * the host checked again that it holds nothing (`wipefs --no-act` prints nothing), each adopted
 * filesystem checked for its UUID; ownership recorded. Business paths stay unmounted.
 */
export function storagePreparePlan(operationID: string, volumes: readonly StepVolume[]): SystemAgentPlan {
  return {
    files: [
      operationFile('Prepare', operationID, volumes),
      ...volumes.map((volume) => ownershipFile(volume, operationID)),
    ],
    instructions: volumes.map((volume) =>
      volume.policy === 'InitializeIfBlank'
        ? {
            name: `initialize-${volume.name}`,
            command: '/bin/sh',
            args: [
              '-ec',
              // Fail closed: a device that shows any signature now is not touched.
              `dev=${volume.devicePath}; if [ "$(blkid -o value -s UUID "$dev" || true)" = "${volume.filesystemUUID}" ]; then exit 0; fi; test -z "$(wipefs --no-act --output TYPE --noheadings "$dev")"; ${
                volume.filesystemType === 'xfs'
                  ? `mkfs.xfs -m uuid=${volume.filesystemUUID} "$dev"`
                  : `mkfs.ext4 -U ${volume.filesystemUUID} "$dev"`
              }`,
            ],
          }
        : {
            name: `adopt-${volume.name}`,
            command: '/bin/sh',
            args: [
              '-ec',
              `test "$(blkid -o value -s UUID ${volume.devicePath})" = "${volume.filesystemUUID}" && test "$(blkid -o value -s TYPE ${volume.devicePath})" = "${volume.filesystemType}"`,
            ],
          },
    ),
  };
}

/** The storage-release plan: ownership records and mount units removed; filesystems and data kept. */
export function storageReleasePlan(operationID: string, volumes: readonly StepVolume[]): SystemAgentPlan {
  return {
    files: [operationFile('Release', operationID, volumes)],
    instructions: [
      {
        name: 'release-volumes',
        command: '/bin/rm',
        args: [
          '-f',
          ...volumes.flatMap((volume) => [
            `${OWNERSHIP_DIR}/${volume.name}.json`,
            `${UNIT_DIR}/${mountUnitName(volume.mountPath)}`,
          ]),
        ],
      },
    ],
  };
}

/**
 * What the reprovision plan adds to activate prepared volumes: a mount unit each (by filesystem
 * UUID, nodev,nosuid plus the declared options) and a kubelet drop-in so kubelet starts only after
 * the required ones are mounted.
 */
export function activationPlanPart(operationID: string, volumes: readonly StepVolume[]): SystemAgentPlan {
  const required = volumes.filter((volume) => volume.required);
  return {
    files: [
      operationFile('Activate', operationID, volumes),
      ...volumes.map((volume) => ({
        path: `${UNIT_DIR}/${mountUnitName(volume.mountPath)}`,
        content: b64(
          [
            '[Unit]',
            `Description=Managed data volume ${volume.name}`,
            'Before=kubelet.service',
            '',
            '[Mount]',
            `What=/dev/disk/by-uuid/${volume.filesystemUUID}`,
            `Where=${volume.mountPath}`,
            `Type=${volume.filesystemType}`,
            `Options=${[...FORCED_MOUNT_OPTIONS, ...volume.mountOptions].join(',')}`,
            '',
            '[Install]',
            'WantedBy=local-fs.target',
            '',
          ].join('\n'),
        ),
        permissions: '0644',
      })),
      ...(required.length > 0
        ? [
            {
              path: `${UNIT_DIR}/kubelet.service.d/10-managed-data-volumes.conf`,
              content: b64(
                `[Unit]\nRequiresMountsFor=${required.map((volume) => volume.mountPath).join(' ')}\n`,
              ),
              permissions: '0644',
            },
          ]
        : []),
    ],
    instructions: [
      {
        name: 'enable-data-volumes',
        command: 'systemctl',
        args: ['enable', ...volumes.map((volume) => mountUnitName(volume.mountPath))],
      },
    ],
  };
}

/** What the clean plan adds to deactivate: the mounts stopped and disabled; filesystems, ownership and data kept. */
export function deactivationPlanPart(operationID: string, volumes: readonly StepVolume[]): SystemAgentPlan {
  const units = volumes.map((volume) => mountUnitName(volume.mountPath));
  return {
    files: [operationFile('Deactivate', operationID, volumes)],
    instructions: [
      { name: 'unmount-data-volumes', command: 'systemctl', args: ['stop', ...units] },
      { name: 'disable-data-volumes', command: 'systemctl', args: ['disable', ...units] },
    ],
  };
}

/** The step volumes of the prepared volumes (for Activate, Deactivate, Release). */
export function stepVolumesOf(
  applied: readonly VolumeState[] | undefined,
  observed: ObservedStorage | undefined,
): StepVolume[] {
  const devices = new Map((observed?.devices ?? []).map((device) => [device.id, device]));
  return (applied ?? []).map((volume) => ({
    name: volume.name,
    deviceID: volume.deviceID,
    devicePath:
      volume.resolvedPath ??
      devicePathOf(devices.get(volume.deviceID)) ??
      `/dev/disk/by-uuid/${volume.filesystemUUID ?? ''}`,
    policy: volume.filesystemPolicy,
    filesystemType: volume.filesystemType,
    filesystemUUID: volume.filesystemUUID ?? '',
    mountPath: volume.mountPath,
    mountOptions: volume.mountOptions ?? [],
    required: volume.required,
  }));
}

/** A device's stable path on the host: a /dev/disk/by-* link, never a kernel name. */
export function devicePathOf(device: ObservedDevice | undefined): string | undefined {
  return device?.stablePaths?.[0] ?? device?.path;
}

/** A condition of status.storage, its transition time kept when the status did not change. */
export function storageCondition(
  previous: readonly StorageCondition[] | undefined,
  type: string,
  status: StorageCondition['status'],
  reason: string,
  message: string,
  now: string,
): StorageCondition {
  const before = previous?.find((condition) => condition.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
  };
}

/** Whether an inventory's storage lets it be allocated: nothing declared, or the declaration prepared and idle. */
export function storageBlocksAllocation(
  spec: StorageSpec | undefined,
  status: StorageStatus | undefined,
): string | undefined {
  const volumes = spec?.volumes ?? [];
  if (volumes.length === 0 && (status?.appliedVolumes ?? []).length === 0) return undefined;
  if (status?.operation) return `storage ${status.operation.type} is ${status.operation.phase}`;
  if (status?.appliedSpecHash !== storageSpecHash(volumes))
    return `storage is not prepared for spec.storage (phase ${status?.phase ?? 'none'})`;
  if (status?.phase !== 'Prepared' && status?.phase !== 'Unmanaged')
    return `storage phase is ${status?.phase}`;
  return undefined;
}
