import type { KindDefinition, KindObject } from '@immutable-infra/core';
import { z } from 'zod';
import {
  ELEMENTAL_VERSION,
  elementalKindBase,
  int32,
  int64,
  MetaCondition,
  NetworkConfigurator,
  ObjectReference,
  opaque,
  quantity,
  TypedLocalObjectReference,
} from './common.js';

const listMap = (key: string) => ({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
const dateTime = () => z.string().meta({ format: 'date-time' });
const FilesystemPolicy = z.enum(['Adopt', 'InitializeIfBlank']);
const FilesystemType = z.enum(['xfs', 'ext4']);
const MutationState = z.enum(['None', 'DurableStateChanged', 'Unknown']);

/** What the host reports of its network at registration (the fork's observedNetwork). */
const ObservedNetwork = z.object({
  interfaces: z
    .array(
      z.object({
        name: z.string(),
        mac: z.string().optional(),
        mtu: z.number().int().optional(),
        addresses: z.array(z.string()).optional().describe('CIDR addresses, e.g. 192.168.1.10/24.'),
      }),
    )
    .optional(),
  routes: z
    .array(
      z.object({
        destination: z.string(),
        gateway: z.string().optional(),
        interface: z.string().optional(),
        metric: z.number().int().optional(),
      }),
    )
    .optional(),
  dnsServers: z.array(z.string()).optional(),
  searchDomains: z.array(z.string()).optional(),
});

/**
 * Mount points the platform owns (kubelet, containerd, etcd, the OS): a data volume may neither be
 * mounted on one, below one, nor above one (which would hide it).
 */
export const PROTECTED_MOUNT_PATHS = [
  '/',
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

/** The stable device id forms the host observer reports (never a kernel name such as /dev/sdb). */
export const STABLE_DEVICE_ID = '^(wwn|nvme-eui|nvme-nguid|serial|partuuid|wwid):[^/ ]+$';

const celList = (values: readonly string[]) => `[${values.map((value) => `'${value}'`).join(', ')}]`;

const StorageVolume = z
  .object({
    name: z.string().min(1).max(63),
    source: z.object({
      deviceID: z
        .string()
        .min(5)
        .max(512)
        .describe('A stable device id from status.observedStorage.devices.'),
      minimumSize: quantity().optional(),
      multipath: z.object({ minimumActivePaths: int32().min(1).max(1024).default(1) }).optional(),
    }),
    filesystem: z.object({
      type: FilesystemType,
      policy: FilesystemPolicy,
      expectedUUID: z.string().max(128).optional(),
    }),
    mount: z.object({
      path: z.string().min(2).max(255),
      options: z.array(z.string()).max(16).optional(),
      required: z.boolean().default(true),
    }),
  })
  .meta({
    // The admission checks that need nothing but the declaration: each names the field it refuses.
    'x-kubernetes-validations': [
      {
        rule: `self.source.deviceID.matches('${STABLE_DEVICE_ID}')`,
        message:
          'deviceID must be a stable id reported in status.observedStorage.devices (wwn:, nvme-eui:, nvme-nguid:, serial:, partuuid: or wwid:), never a kernel path such as /dev/sdb',
        fieldPath: '.source.deviceID',
        reason: 'FieldValueInvalid',
      },
      {
        rule: "self.filesystem.policy != 'Adopt' || (has(self.filesystem.expectedUUID) && size(self.filesystem.expectedUUID) > 0)",
        message: 'expectedUUID is required when policy is Adopt: it names the filesystem to adopt',
        fieldPath: '.filesystem.expectedUUID',
        reason: 'FieldValueRequired',
      },
      {
        rule: "self.filesystem.policy != 'InitializeIfBlank' || !has(self.filesystem.expectedUUID)",
        message:
          'expectedUUID is forbidden when policy is InitializeIfBlank: a blank device has no filesystem yet',
        fieldPath: '.filesystem.expectedUUID',
        reason: 'FieldValueForbidden',
      },
      {
        rule: "!self.source.deviceID.startsWith('partuuid:') || self.filesystem.policy == 'Adopt'",
        message: 'a partition (partuuid:) can only be adopted: policy must be Adopt',
        fieldPath: '.filesystem.policy',
        reason: 'FieldValueInvalid',
      },
      {
        rule: "!has(self.source.multipath) || self.source.deviceID.startsWith('wwid:')",
        message: 'multipath is valid only for a multipath map (a wwid: deviceID)',
        fieldPath: '.source.multipath',
        reason: 'FieldValueForbidden',
      },
      {
        rule: "self.mount.path.matches('^(/[A-Za-z0-9][A-Za-z0-9._-]*)+$') && !self.mount.path.contains('/..')",
        message: 'path must be a normalized absolute path (no trailing slash, no . or .. components)',
        fieldPath: '.mount.path',
        reason: 'FieldValueInvalid',
      },
      {
        rule: `!${celList(PROTECTED_MOUNT_PATHS)}.exists(p, self.mount.path == p || self.mount.path.startsWith(p + '/') || p.startsWith(self.mount.path + '/'))`,
        message: `path overlaps a protected system path (${PROTECTED_MOUNT_PATHS.join(', ')}); use a business path such as /var/cpaas, /data/*, /srv/* or /mnt/*`,
        fieldPath: '.mount.path',
        reason: 'FieldValueForbidden',
      },
      {
        rule: "self.mount.path != '/var/cpaas' || self.mount.required",
        message: 'a volume mounted at /var/cpaas must be required',
        fieldPath: '.mount.required',
        reason: 'FieldValueInvalid',
      },
      {
        rule: `!has(self.mount.options) || self.mount.options.all(o, o in ${celList(ALLOWED_MOUNT_OPTIONS)})`,
        message: `options may only hold ${ALLOWED_MOUNT_OPTIONS.join(', ')} (nodev,nosuid are always added)`,
        fieldPath: '.mount.options',
        reason: 'FieldValueInvalid',
      },
    ],
  });

export const MachineInventorySpec = z.object({
  tpmHash: z.string().optional(),
  machineHash: z.string().optional(),
  ipAddressPools: z.record(z.string(), TypedLocalObjectReference).optional(),
  ipAddressClaims: z.record(z.string(), ObjectReference).optional(),
  network: z
    .object({
      configurator: NetworkConfigurator,
      ipAddresses: z.record(z.string(), z.string()).optional(),
      config: opaque().optional(),
    })
    .optional(),
  observedNetwork: ObservedNetwork.optional(),
  storage: z
    .object({
      volumes: z
        .array(StorageVolume)
        .max(32)
        .optional()
        .meta({
          ...listMap('name'),
          'x-kubernetes-validations': [
            {
              rule: 'self.all(a, self.filter(b, b.mount.path == a.mount.path).size() == 1)',
              message: 'two volumes have the same mount.path',
              reason: 'FieldValueInvalid',
            },
            {
              rule: 'self.all(a, self.filter(b, b.source.deviceID == a.source.deviceID).size() == 1)',
              message: 'two volumes have the same source.deviceID',
              reason: 'FieldValueInvalid',
            },
          ],
        }),
      retryNonce: int64().min(0).default(0),
    })
    .optional(),
});

const ObservedDevice = z.object({
  id: z.string().min(5).max(512),
  kind: z.enum(['DirectDisk', 'Partition', 'Multipath']),
  systemRole: z.enum(['System', 'Data', 'Unknown']),
  path: z.string().max(512).optional(),
  parentID: z.string().max(512).optional(),
  memberIDs: z.array(z.string()).max(256).optional(),
  stablePaths: z.array(z.string()).max(32).optional(),
  wwn: z.string().max(256).optional(),
  serial: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  transport: z.string().max(64).optional(),
  sizeBytes: int64().optional(),
  startBytes: int64().optional(),
  rotational: z.boolean().optional(),
  removable: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  partitionTableType: z.string().max(32).optional(),
  filesystem: z.object({ type: z.string().max(64), uuid: z.string().max(128).optional() }).optional(),
  signatures: z
    .array(z.object({ type: z.string().max(64), value: z.string().max(256) }))
    .max(64)
    .optional(),
  mounts: z
    .array(z.object({ path: z.string().max(512), options: z.array(z.string()).max(128).optional() }))
    .max(64)
    .optional(),
  consumers: z
    .array(
      z.object({
        type: z.string().max(64),
        path: z.string().max(512),
        filesystemType: z.string().max(64).optional(),
        mounts: z.array(z.string()).max(64).optional(),
      }),
    )
    .max(256)
    .optional(),
  health: z
    .object({ activePaths: int32().min(0).optional(), totalPaths: int32().min(0).optional() })
    .optional(),
  systemEvidence: z.array(z.string()).max(32).optional(),
});

const VolumeState = z.object({
  name: z.string(),
  deviceID: z.string(),
  resolvedPath: z.string().optional(),
  mountPath: z.string(),
  mountOptions: z.array(z.string()).optional(),
  required: z.boolean(),
  effectiveRequired: z.boolean(),
  active: z.boolean().optional(),
  filesystemType: FilesystemType,
  filesystemPolicy: FilesystemPolicy,
  filesystemUUID: z.string().optional(),
  expectedFilesystemUUID: z.string().optional(),
  minimumSizeBytes: int64().optional(),
  minimumActivePaths: int32().optional(),
  phase: z.string().optional(),
  mutationState: MutationState.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastOperationID: z.string().optional(),
  lastTransitionTime: dateTime().optional(),
});

const StorageOperation = z.object({
  operationID: z.string(),
  attemptID: z.string(),
  type: z.enum(['Prepare', 'Release', 'Activate', 'Deactivate']),
  phase: z.enum(['Pending', 'Running', 'Applied', 'Failed']),
  mutationState: MutationState,
  targetSpecHash: z.string(),
  retryNonce: int64(),
  planOwnerKind: z.string(),
  planOwnerUID: z.string(),
  planChecksum: z.string().optional(),
  initializationApprovalCounter: int64().optional(),
  initializationApprovalHash: z.string().optional(),
  observationBootID: z.string().max(128).optional(),
  observationReportEpoch: int64().optional(),
  observationSequence: int64().optional(),
  volumes: z.array(VolumeState).max(32).optional().meta(listMap('name')),
  startedAt: dateTime(),
  updatedAt: dateTime(),
});

export const MachineInventoryStatus = z.object({
  conditions: z.array(MetaCondition).optional(),
  plan: z
    .object({
      secretRef: ObjectReference.optional().describe('The plan Secret the host agent polls.'),
      checksum: z.string().optional().describe('The sha256 of the plan the agent last ran.'),
      state: z.enum(['Applied', 'Failed']).optional(),
    })
    .optional(),
  observedStorage: z
    .object({
      bootID: z.string().max(128).optional(),
      reportEpoch: int64().min(0).optional(),
      sequence: int64().min(0).optional(),
      observedAt: dateTime().optional(),
      devices: z.array(ObservedDevice).max(1024).optional().meta(listMap('id')),
    })
    .optional(),
  storage: z
    .object({
      phase: z
        .enum([
          'Unmanaged',
          'Observed',
          'Validating',
          'Preparing',
          'Prepared',
          'Activating',
          'Active',
          'Deactivating',
          'Releasing',
          'Degraded',
          'Failed',
        ])
        .optional(),
      appliedSpecHash: z.string().optional(),
      pendingSpecHash: z.string().optional(),
      hashVersion: z.string().optional(),
      lastConsumedRetryNonce: int64().optional(),
      lastConsumedInitializationApprovalCounter: int64().optional(),
      lastConsumedInitializationApprovalHash: z.string().optional(),
      operation: StorageOperation.optional(),
      appliedVolumes: z.array(VolumeState).max(32).optional().meta(listMap('name')),
      conditions: z.array(MetaCondition).optional(),
    })
    .optional(),
});

/** elemental-operator's MachineInventory: one registered host, for life, with its plan Secret. */
export const MachineInventory = {
  ...elementalKindBase,
  kind: 'MachineInventory',
  plural: 'machineinventories',
  versions: [
    {
      name: ELEMENTAL_VERSION,
      storage: true,
      spec: MachineInventorySpec.optional(),
      status: MachineInventoryStatus,
    },
  ],
} as const satisfies KindDefinition;
export type MachineInventoryObject = KindObject<(typeof MachineInventory)['versions'][number]>;
