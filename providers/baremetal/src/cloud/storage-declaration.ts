import { QUANTITY_PATTERN } from '@immutable-infra/provider-kit/kinds';
import {
  INITIALIZATION_APPROVAL_ANNOTATIONS,
  initializationApproval,
  initializationApprovalHash,
  type StorageProblem,
  type StorageSpec,
  type StorageStatus,
  type StorageVolume,
  storageSpecHash,
} from './storage.js';

/**
 * What `storagectl` needs without a cluster: the declaration-only checks (the same ones the
 * elemental MachineInventory CRD enforces on admission, so a declaration refused here is refused
 * there with the same field) and the merge patch that applies a declaration with its
 * initialization approval. Pure: the CLI in src/storagectl.ts reads the files and prints.
 */

/** Mount paths (and everything under or above them) a managed volume may never use. */
export const PROTECTED_MOUNT_PATHS = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sys',
  '/tmp',
  '/usr',
  '/var/lib/cloud',
  '/var/lib/containerd',
  '/var/lib/elemental',
  '/var/lib/etcd',
  '/var/lib/kubelet',
  '/var/lib/rancher',
  '/var/log',
] as const;

/** The extra mount options a declaration may ask for (nodev,nosuid are always added). */
export const ALLOWED_MOUNT_OPTIONS = [
  'noatime',
  'nodiratime',
  'relatime',
  'lazytime',
  'strictatime',
  'noexec',
  'discard',
  'nodiscard',
  'ro',
] as const;

export const MAX_STORAGE_VOLUMES = 32;

const STABLE_DEVICE_ID = /^(wwn|nvme-eui|nvme-nguid|serial|partuuid|wwid):[^/ ]+$/;
const NORMALISED_PATH = /^(\/[A-Za-z0-9][A-Za-z0-9._-]*)+$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a `spec.storage` value on its own (no observation needed) and collects every problem,
 * each naming its field as `spec.storage...`.
 */
export function validateStorageDeclaration(storage: unknown): StorageProblem[] {
  const problems: StorageProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (!isObject(storage)) {
    add('spec.storage', 'must be an object with volumes[] (and optionally retryNonce)');
    return problems;
  }
  const nonce = storage.retryNonce;
  if (nonce !== undefined && !(Number.isSafeInteger(nonce) && (nonce as number) >= 0))
    add('spec.storage.retryNonce', 'must be a non-negative integer');
  const volumes = storage.volumes ?? [];
  if (!Array.isArray(volumes)) {
    add('spec.storage.volumes', 'must be a list');
    return problems;
  }
  if (volumes.length > MAX_STORAGE_VOLUMES)
    add('spec.storage.volumes', `at most ${MAX_STORAGE_VOLUMES} volumes, not ${volumes.length}`);
  const seen = {
    name: new Map<string, number>(),
    device: new Map<string, number>(),
    path: new Map<string, number>(),
  };
  volumes.forEach((raw: unknown, index) => {
    const at = `spec.storage.volumes[${index}]`;
    if (!isObject(raw)) {
      add(at, 'must be an object with name, source, filesystem and mount');
      return;
    }
    const source = isObject(raw.source) ? raw.source : undefined;
    const filesystem = isObject(raw.filesystem) ? raw.filesystem : undefined;
    const mount = isObject(raw.mount) ? raw.mount : undefined;
    const name = raw.name;
    if (typeof name !== 'string' || name.length === 0 || name.length > 63)
      add(`${at}.name`, 'is required: 1 to 63 characters');
    else if (seen.name.has(name)) add(`${at}.name`, `repeats volume ${seen.name.get(name)} (${name})`);
    else seen.name.set(name, index);
    if (!source) add(`${at}.source`, 'is required');
    if (!filesystem) add(`${at}.filesystem`, 'is required');
    if (!mount) add(`${at}.mount`, 'is required');
    const deviceID = source?.deviceID;
    if (source) {
      if (typeof deviceID !== 'string' || !STABLE_DEVICE_ID.test(deviceID))
        add(
          `${at}.source.deviceID`,
          'must be a stable id reported in status.observedStorage.devices (wwn:, nvme-eui:, nvme-nguid:, serial:, partuuid: or wwid:), never a kernel path such as /dev/sdb',
        );
      else if (seen.device.has(deviceID))
        add(`${at}.source.deviceID`, `two volumes have the same source.deviceID (${deviceID})`);
      else seen.device.set(deviceID, index);
      const size = source.minimumSize;
      if (size !== undefined && !(typeof size === 'number' ? size >= 0 : QUANTITY_PATTERN.test(String(size))))
        add(`${at}.source.minimumSize`, 'must be a quantity such as 100Gi');
      if (source.multipath !== undefined) {
        if (typeof deviceID === 'string' && !deviceID.startsWith('wwid:'))
          add(`${at}.source.multipath`, 'multipath is valid only for a multipath map (a wwid: deviceID)');
        const paths = isObject(source.multipath) ? source.multipath.minimumActivePaths : undefined;
        if (
          paths !== undefined &&
          !(Number.isInteger(paths) && (paths as number) >= 1 && (paths as number) <= 1024)
        )
          add(`${at}.source.multipath.minimumActivePaths`, 'must be an integer from 1 to 1024');
      }
    }
    if (filesystem) {
      const { policy, type, expectedUUID } = filesystem;
      if (policy !== 'Adopt' && policy !== 'InitializeIfBlank')
        add(`${at}.filesystem.policy`, 'must be Adopt or InitializeIfBlank');
      if (type !== 'xfs' && type !== 'ext4') add(`${at}.filesystem.type`, 'must be xfs or ext4');
      if (policy === 'Adopt' && (typeof expectedUUID !== 'string' || expectedUUID.length === 0))
        add(
          `${at}.filesystem.expectedUUID`,
          'expectedUUID is required when policy is Adopt: it names the filesystem to adopt',
        );
      if (policy === 'InitializeIfBlank' && expectedUUID !== undefined)
        add(
          `${at}.filesystem.expectedUUID`,
          'expectedUUID is forbidden when policy is InitializeIfBlank: a blank device has no filesystem yet',
        );
      if (typeof deviceID === 'string' && deviceID.startsWith('partuuid:') && policy !== 'Adopt')
        add(`${at}.filesystem.policy`, 'a partition (partuuid:) can only be adopted: policy must be Adopt');
    }
    if (mount) {
      const path = mount.path;
      if (
        typeof path !== 'string' ||
        !NORMALISED_PATH.test(path) ||
        path.includes('/..') ||
        path.length > 255
      )
        add(
          `${at}.mount.path`,
          'path must be a normalized absolute path (no trailing slash, no . or .. components)',
        );
      else {
        const clash = PROTECTED_MOUNT_PATHS.find(
          (p) => path === p || path.startsWith(`${p}/`) || p.startsWith(`${path}/`),
        );
        if (clash)
          add(
            `${at}.mount.path`,
            `path overlaps the protected system path ${clash}; use a business path such as /var/cpaas, /data/*, /srv/* or /mnt/*`,
          );
        if (seen.path.has(path)) add(`${at}.mount.path`, `two volumes have the same mount.path (${path})`);
        else seen.path.set(path, index);
        if (path === '/var/cpaas' && mount.required === false)
          add(`${at}.mount.required`, 'a volume mounted at /var/cpaas must be required');
      }
      if (mount.required !== undefined && typeof mount.required !== 'boolean')
        add(`${at}.mount.required`, 'must be true or false');
      const options = mount.options ?? [];
      if (!Array.isArray(options)) add(`${at}.mount.options`, 'must be a list');
      else
        for (const option of options)
          if (!(ALLOWED_MOUNT_OPTIONS as readonly unknown[]).includes(option))
            add(
              `${at}.mount.options`,
              `${String(option)} is not allowed: options may only hold ${ALLOWED_MOUNT_OPTIONS.join(', ')} (nodev,nosuid are always added)`,
            );
    }
  });
  return problems;
}

/** The part of a live MachineInventory (`kubectl get -o json`) a patch is rendered from. */
export interface InventoryForPatch {
  metadata?: { uid?: string; resourceVersion?: string; name?: string; annotations?: Record<string, string> };
  status?: { storage?: StorageStatus };
}

export interface StoragePatchInput {
  inventory: InventoryForPatch;
  storage: StorageSpec;
  /** The initialization approval counter (`--counter`); only for a declaration with InitializeIfBlank. */
  counter?: number | undefined;
}

export type StoragePatchResult =
  | {
      patch: Record<string, unknown>;
      storageHash: string;
      approvalCounter?: number | undefined;
      problems?: undefined;
    }
  | { problems: StorageProblem[]; patch?: undefined };

/**
 * The merge patch that sets `spec.storage` on the inventory it was read from: bound to its UID and
 * resourceVersion (the API server refuses it once the object changed), with the initialization
 * approval when the declaration formats a blank device. Refuses (every problem) a declaration the
 * API server would refuse, a counter not above the last consumed one, and an InitializeIfBlank
 * volume that is not prepared yet without a counter or a still-valid approval.
 */
export function renderStoragePatch(input: StoragePatchInput): StoragePatchResult {
  const problems = validateStorageDeclaration(input.storage);
  const uid = input.inventory.metadata?.uid;
  const resourceVersion = input.inventory.metadata?.resourceVersion;
  if (!uid || !resourceVersion)
    problems.push({
      field: 'metadata.uid',
      message:
        'the inventory file has no metadata.uid or metadata.resourceVersion: save the live object with kubectl get -o json',
    });
  if (problems.length > 0) return { problems };
  const volumes = (input.storage.volumes ?? []) as StorageVolume[];
  const status = input.inventory.status?.storage;
  const consumed = status?.lastConsumedInitializationApprovalCounter ?? 0;
  const prepared = new Set(
    (status?.appliedVolumes ?? [])
      .filter((applied) => applied.filesystemPolicy === 'InitializeIfBlank' && applied.filesystemUUID)
      .map((applied) => applied.name),
  );
  const initializing = volumes.filter((volume) => volume.filesystem.policy === 'InitializeIfBlank');
  const annotations = input.inventory.metadata?.annotations ?? {};
  let approval: Record<string, string> | undefined;
  if (input.counter !== undefined) {
    if (initializing.length === 0)
      problems.push({
        field: '--counter',
        message:
          'the declaration has no InitializeIfBlank volume: an Adopt-only declaration needs no approval, omit --counter',
      });
    else if (!Number.isSafeInteger(input.counter) || input.counter <= consumed)
      problems.push({
        field: '--counter',
        message: `must be an integer greater than status.storage.lastConsumedInitializationApprovalCounter (${consumed})`,
      });
    else approval = initializationApproval(uid as string, volumes, input.counter);
  } else {
    const current = Number(annotations[INITIALIZATION_APPROVAL_ANNOTATIONS.counter]);
    const stillValid =
      Number.isSafeInteger(current) &&
      annotations[INITIALIZATION_APPROVAL_ANNOTATIONS.hash] ===
        initializationApprovalHash(uid as string, volumes, current);
    const unprepared = initializing
      .filter((volume) => !prepared.has(volume.name))
      .map((volume) => volume.name);
    if (unprepared.length > 0 && !stillValid)
      problems.push({
        field: '--counter',
        message: `volumes ${unprepared.join(', ')} use InitializeIfBlank and are not prepared yet: approve formatting with --counter greater than ${consumed}`,
      });
  }
  if (problems.length > 0) return { problems };
  const spec: StorageSpec = { retryNonce: input.storage.retryNonce ?? 0, volumes };
  return {
    patch: {
      metadata: { uid, resourceVersion, ...(approval ? { annotations: approval } : {}) },
      spec: { storage: spec },
    },
    storageHash: storageSpecHash(volumes),
    ...(approval ? { approvalCounter: input.counter } : {}),
  };
}
