import type { KubeClient } from '@immutable-infra/core';
import {
  allocationStateOf,
  inventoryRef,
  type MachineInventory,
  planSecretNameOf,
} from '../cloud/machine-inventory.js';
import { serializePlan, sha256 } from '../cloud/plans.js';
import {
  checkStorage,
  devicePathOf,
  initializedUUID,
  normaliseVolumes,
  STORAGE_HASH_VERSION,
  type StepVolume,
  type StorageCondition,
  type StorageOperation,
  type StoragePhase,
  type StorageProblem,
  type StorageStatus,
  stepVolumesOf,
  storageCondition,
  storagePreparePlan,
  storageReleasePlan,
  storageSpecHash,
  type VolumeState,
} from '../cloud/storage.js';
import { readPlanSecret, writePlanSecret } from './plan-secret.js';

/**
 * The inventory-side storage lifecycle (Prepare and Release) of one MachineInventory, run while it
 * is unallocated: a changed `spec.storage` is checked (every problem on `StoragePrepared=False`,
 * naming the field; nothing written to the host), then the operation is recorded in
 * `status.storage.operation` before its `storage-prepare` or `storage-release` plan is written to
 * the plan Secret, and followed to Applied or Failed. A failed operation runs again only when
 * `spec.storage.retryNonce` goes up with the same volumes. Activate and Deactivate belong to the
 * machine that holds the host (its reprovision and clean plans).
 */
export async function reconcileInventoryStorage(
  kube: KubeClient,
  namespace: string,
  inventory: MachineInventory,
  now = new Date().toISOString(),
): Promise<void> {
  const volumes = inventory.spec?.storage?.volumes ?? [];
  const retryNonce = inventory.spec?.storage?.retryNonce ?? 0;
  const status: StorageStatus = inventory.status?.storage ?? {};
  const desired = storageSpecHash(volumes);
  const operation = status.operation ?? undefined;
  const ref = inventoryRef(namespace, inventory.metadata.name);
  const save = async (next: StorageStatus) => {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    await kube.patchStatus(ref, { status: { storage: next } });
  };
  const conditions = (
    prepared: [StorageCondition['status'], string, string],
    active: [StorageCondition['status'], string, string] = [
      'False',
      'Inactive',
      'no managed volume is mounted',
    ],
  ) => [
    storageCondition(status.conditions, 'StoragePrepared', ...prepared, now),
    storageCondition(status.conditions, 'StorageActive', ...active, now),
  ];
  // Activate and Deactivate are the holding machine's; an allocated inventory's declaration is frozen.
  if (operation && (operation.type === 'Activate' || operation.type === 'Deactivate')) return;
  const allocation = allocationStateOf(inventory);
  if (allocation !== undefined && allocation !== 'Available') {
    if (desired !== (status.appliedSpecHash ?? storageSpecHash([])) && !operation)
      await save({
        ...status,
        conditions: replaceCondition(
          status.conditions,
          storageCondition(
            status.conditions,
            'StoragePrepared',
            'False',
            'DeclarationChangedWhileAllocated',
            `spec.storage.volumes changed while the inventory is ${allocation}: storage declarations can change only while it is unallocated and inactive; nothing was done`,
            now,
          ),
        ),
      });
    return;
  }

  if (operation?.phase === 'Running') {
    const plan = inventory.status?.plan;
    if (plan?.checksum !== operation.planChecksum || !plan?.state) return; // the host runs it
    if (plan.state === 'Failed') {
      const secret = planSecretNameOf(inventory);
      const output = secret ? ((await readPlanSecret(kube, namespace, secret))?.failedOutput ?? '') : '';
      await save({
        ...status,
        phase: 'Failed',
        operation: { ...operation, phase: 'Failed', updatedAt: now },
        conditions: conditions([
          'False',
          operation.type === 'Prepare' ? 'PrepareFailed' : 'ReleaseFailed',
          `the storage-${operation.type.toLowerCase()} plan failed${output ? `: ${output}` : ''}; after fixing the cause, increment spec.storage.retryNonce with the same volumes`,
        ]),
      });
      return;
    }
    await save(completed(status, operation, inventory, now, conditions));
    return;
  }
  if (operation?.phase === 'Failed') {
    const sameDeclaration = operation.targetSpecHash === desired;
    const retry = sameDeclaration && retryNonce > (status.lastConsumedRetryNonce ?? 0);
    // A failed step that may have changed the disks keeps its declaration until it converges.
    const abandonable = !sameDeclaration && operation.mutationState === 'None';
    if (!retry && !abandonable) return;
  }

  if (!operation && desired === status.appliedSpecHash) return;
  const applied = status.appliedVolumes ?? [];
  if (volumes.length === 0 && applied.length === 0) {
    await save({
      ...status,
      phase: (inventory.status?.observedStorage?.devices ?? []).length > 0 ? 'Observed' : 'Unmanaged',
      appliedSpecHash: desired,
      hashVersion: STORAGE_HASH_VERSION,
      operation: null,
      conditions: conditions(['True', 'NoManagedVolumes', 'spec.storage declares no volumes']),
    });
    return;
  }

  const declaredNames = new Set(volumes.map((volume) => volume.name));
  const appliedByName = new Map(applied.map((volume) => [volume.name, volume]));
  const removed = applied.filter((volume) => !declaredNames.has(volume.name));
  const changed = normaliseVolumes(volumes)
    .filter((volume) => {
      const before = appliedByName.get(volume.name);
      return (
        !before ||
        before.deviceID !== volume.deviceID ||
        before.filesystemPolicy !== volume.filesystemPolicy ||
        before.filesystemType !== volume.filesystemType ||
        before.mountPath !== volume.mountPath ||
        before.required !== volume.required ||
        JSON.stringify(before.mountOptions ?? []) !== JSON.stringify(volume.mountOptions)
      );
    })
    .map((volume) => volume.name);
  const refuse = (reason: string, problems: StorageProblem[]) =>
    save({
      ...status,
      phase: 'Failed',
      pendingSpecHash: desired,
      conditions: conditions([
        'False',
        reason,
        problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      ]),
    });

  if (removed.length > 0 && changed.length > 0)
    return refuse('DeclarationRefused', [
      {
        field: 'spec.storage.volumes',
        message: `volumes ${removed.map((volume) => volume.name).join(', ')} are removed while ${changed.join(', ')} are added or changed: release first (remove only), wait for phase Unmanaged or Prepared, then add`,
      },
    ]);

  const secretName = planSecretNameOf(inventory);
  if (!secretName) return;
  // One plan at a time through the default plan Secret: wait until the host reported the current one.
  const current = await readPlanSecret(kube, namespace, secretName);
  if (current === undefined) return;
  if (current.text.trim() !== '{}' && inventory.status?.plan?.checksum !== current.checksum) return;

  const uid = inventory.metadata.uid ?? '';
  const observation = inventory.status?.observedStorage;
  let type: 'Prepare' | 'Release';
  let step: StepVolume[];
  let approval: { counter?: number; hash?: string } = {};
  if (removed.length > 0) {
    type = 'Release';
    step = stepVolumesOf(removed, observation);
  } else {
    const check = checkStorage({
      inventoryUID: uid,
      annotations: inventory.metadata.annotations,
      volumes,
      observed: observation,
      status,
    });
    if (check.problems.length > 0) return refuse('DeclarationRefused', check.problems);
    type = 'Prepare';
    if (check.approvalCounter !== undefined && check.approvalHash !== undefined)
      approval = { counter: check.approvalCounter, hash: check.approvalHash };
    const devices = new Map((observation?.devices ?? []).map((device) => [device.id, device]));
    const before = new Map(applied.map((volume) => [volume.name, volume]));
    step = volumes.map((volume) => {
      const normal = normaliseVolumes([volume])[0] as ReturnType<typeof normaliseVolumes>[number];
      const device = devices.get(volume.source.deviceID);
      const uuid =
        volume.filesystem.policy === 'Adopt'
          ? (volume.filesystem.expectedUUID ?? '')
          : (before.get(volume.name)?.filesystemUUID ??
            (device?.filesystem?.uuid && !check.toInitialize.includes(volume.name)
              ? device.filesystem.uuid
              : initializedUUID(uid, volume.name, approval.counter ?? 0)));
      return {
        name: volume.name,
        deviceID: volume.source.deviceID,
        devicePath: devicePathOf(device) ?? volume.source.deviceID,
        policy: volume.filesystem.policy,
        filesystemType: volume.filesystem.type,
        filesystemUUID: uuid,
        mountPath: normal.mountPath,
        mountOptions: normal.mountOptions,
        required: normal.required,
      };
    });
  }
  const operationID = sha256(`${type}/${uid}/${desired}/${retryNonce}/${approval.counter ?? 0}`).slice(0, 16);
  const plan =
    type === 'Prepare' ? storagePreparePlan(operationID, step) : storageReleasePlan(operationID, step);
  const { text, checksum } = serializePlan(plan);
  const initializing = type === 'Prepare' && approval.counter !== undefined;
  const next: StorageOperation = {
    operationID,
    attemptID: `${operationID}-${retryNonce}`,
    type,
    phase: 'Running',
    mutationState: initializing ? 'Unknown' : 'None',
    targetSpecHash: desired,
    retryNonce,
    planOwnerKind: 'MachineInventory',
    planOwnerUID: uid,
    planChecksum: checksum,
    ...(approval.counter !== undefined
      ? { initializationApprovalCounter: approval.counter, initializationApprovalHash: approval.hash }
      : {}),
    ...(observation?.bootID ? { observationBootID: observation.bootID } : {}),
    ...(observation?.reportEpoch !== undefined ? { observationReportEpoch: observation.reportEpoch } : {}),
    ...(observation?.sequence !== undefined ? { observationSequence: observation.sequence } : {}),
    volumes: step.map((volume) =>
      volumeState(volume, type === 'Prepare' ? 'Preparing' : 'Releasing', operationID, now),
    ),
    startedAt: now,
    updatedAt: now,
  };
  // The operation (and the approval it consumes) is recorded before its plan is written: a crash in
  // between finds it and writes the same plan again, and the approval can never be used twice.
  await save({
    ...status,
    phase: type === 'Prepare' ? 'Preparing' : 'Releasing',
    pendingSpecHash: desired,
    hashVersion: STORAGE_HASH_VERSION,
    lastConsumedRetryNonce: retryNonce,
    ...(approval.counter !== undefined
      ? {
          lastConsumedInitializationApprovalCounter: approval.counter,
          lastConsumedInitializationApprovalHash: approval.hash,
        }
      : {}),
    operation: next,
    conditions: conditions([
      'False',
      type === 'Prepare' ? 'Preparing' : 'Releasing',
      `the storage-${type.toLowerCase()} plan ${checksum.slice(0, 12)} runs on the host`,
    ]),
  });
  await writePlanSecret(
    kube,
    namespace,
    secretName,
    type === 'Prepare' ? 'storage-prepare' : 'storage-release',
    text,
  );
}

/** The status after an Applied Prepare or Release, checked against the host's new observation. */
function completed(
  status: StorageStatus,
  operation: StorageOperation,
  inventory: MachineInventory,
  now: string,
  conditions: (
    prepared: [StorageCondition['status'], string, string],
    active?: [StorageCondition['status'], string, string],
  ) => StorageCondition[],
): StorageStatus {
  const devices = new Map(
    (inventory.status?.observedStorage?.devices ?? []).map((device) => [device.id, device]),
  );
  const volumes = operation.volumes ?? [];
  if (operation.type === 'Release') {
    const released = new Set(volumes.map((volume) => volume.name));
    const remaining = (status.appliedVolumes ?? []).filter((volume) => !released.has(volume.name));
    return {
      ...status,
      phase: remaining.length === 0 ? 'Unmanaged' : 'Prepared',
      appliedSpecHash: operation.targetSpecHash,
      pendingSpecHash: '',
      appliedVolumes: remaining,
      operation: null,
      conditions: conditions(
        remaining.length === 0
          ? [
              'True',
              'NoManagedVolumes',
              'every volume was released; filesystems and data stay on the devices',
            ]
          : ['True', 'AllRequiredVolumesPrepared', `released ${[...released].join(', ')}`],
      ),
    };
  }
  // Fail closed: the observer's report after the plan must show each filesystem where it belongs.
  const unconfirmed = volumes.filter(
    (volume) =>
      devices.get(volume.deviceID)?.filesystem?.uuid !== volume.filesystemUUID ||
      devices.get(volume.deviceID)?.filesystem?.type !== volume.filesystemType,
  );
  if (unconfirmed.length > 0)
    return {
      ...status,
      phase: 'Failed',
      operation: { ...operation, phase: 'Failed', updatedAt: now },
      conditions: conditions([
        'False',
        'ObservationMismatch',
        `the plan applied, but status.observedStorage does not show ${unconfirmed.map((volume) => `${volume.filesystemType} ${volume.filesystemUUID} on ${volume.deviceID}`).join(', ')}`,
      ]),
    };
  const phase: StoragePhase = 'Prepared';
  return {
    ...status,
    phase,
    appliedSpecHash: operation.targetSpecHash,
    pendingSpecHash: '',
    appliedVolumes: volumes.map((volume) => ({
      ...volume,
      phase: 'Prepared',
      active: false,
      mutationState: operation.mutationState === 'None' ? 'None' : 'DurableStateChanged',
      lastTransitionTime: now,
    })),
    operation: null,
    conditions: conditions([
      'True',
      'AllRequiredVolumesPrepared',
      `${volumes.length} volume(s) prepared, not mounted`,
    ]),
  };
}

export function volumeState(
  volume: StepVolume,
  phase: string,
  operationID: string,
  now: string,
): VolumeState {
  return {
    name: volume.name,
    deviceID: volume.deviceID,
    resolvedPath: volume.devicePath,
    mountPath: volume.mountPath,
    mountOptions: volume.mountOptions,
    required: volume.required,
    effectiveRequired: volume.required || volume.mountPath === '/var/cpaas',
    active: false,
    filesystemType: volume.filesystemType,
    filesystemPolicy: volume.policy,
    filesystemUUID: volume.filesystemUUID,
    ...(volume.policy === 'Adopt' ? { expectedFilesystemUUID: volume.filesystemUUID } : {}),
    phase,
    mutationState: 'None',
    lastOperationID: operationID,
    lastTransitionTime: now,
  };
}

export function replaceCondition(
  conditions: readonly StorageCondition[] | undefined,
  next: StorageCondition,
): StorageCondition[] {
  return [...(conditions ?? []).filter((condition) => condition.type !== next.type), next];
}

/** The prepared volumes a machine's reprovision plan activates and its clean plan deactivates. */
export function machineStorageVolumes(inventory: MachineInventory): StepVolume[] {
  return stepVolumesOf(inventory.status?.storage?.appliedVolumes, inventory.status?.observedStorage);
}

/**
 * Records the holding machine's Activate or Deactivate on the inventory before the plan carrying
 * it is written (a no-op when recorded already, or when no volume is managed).
 */
export async function beginMachineStorageStep(
  kube: KubeClient,
  namespace: string,
  inventory: MachineInventory,
  type: 'Activate' | 'Deactivate',
  planChecksum: string,
  machineUID: string,
  now = new Date().toISOString(),
): Promise<void> {
  const status = inventory.status?.storage ?? {};
  const volumes = machineStorageVolumes(inventory);
  if (volumes.length === 0) return;
  const current = status.operation ?? undefined;
  if (current?.type === type && current.planChecksum === planChecksum) return;
  const operationID = sha256(`${type}/${inventory.metadata.uid ?? ''}/${machineUID}/${planChecksum}`).slice(
    0,
    16,
  );
  const phase = type === 'Activate' ? 'Activating' : 'Deactivating';
  const next: StorageStatus = {
    ...status,
    phase,
    operation: {
      operationID,
      attemptID: operationID,
      type,
      phase: 'Running',
      mutationState: 'None',
      targetSpecHash: status.appliedSpecHash ?? '',
      retryNonce: status.lastConsumedRetryNonce ?? 0,
      planOwnerKind: 'BaremetalMachine',
      planOwnerUID: machineUID,
      planChecksum,
      volumes: volumes.map((volume) => volumeState(volume, phase, operationID, now)),
      startedAt: now,
      updatedAt: now,
    },
  };
  await kube.patchStatus(inventoryRef(namespace, inventory.metadata.name), {
    status: { storage: next },
  });
  inventory.status = { ...inventory.status, storage: next };
}

/**
 * Ends the holding machine's Activate (volumes mounted, `StorageActive=True`) or Deactivate
 * (unmounted, `Prepared`, `StorageActive=False/Inactive`: filesystems, ownership and data stay) once
 * its plan applied. Answers what a machine says in `StorageReady`.
 */
export async function finishMachineStorageStep(
  kube: KubeClient,
  namespace: string,
  inventory: MachineInventory,
  type: 'Activate' | 'Deactivate',
  now = new Date().toISOString(),
): Promise<{ ready: boolean; reason: string; message: string }> {
  const status = inventory.status?.storage ?? {};
  const applied = status.appliedVolumes ?? [];
  if (applied.length === 0)
    return { ready: true, reason: 'NoManagedVolumes', message: 'no managed data volume' };
  const devices = new Map(
    (inventory.status?.observedStorage?.devices ?? []).map((device) => [device.id, device]),
  );
  const mounted = (volume: VolumeState) =>
    (devices.get(volume.deviceID)?.mounts ?? []).some((mount) => mount.path === volume.mountPath);
  const active = type === 'Activate';
  const missing = active ? applied.filter((volume) => volume.effectiveRequired && !mounted(volume)) : [];
  const condition = (kind: string, state: StorageCondition['status'], reason: string, message: string) =>
    storageCondition(status.conditions, kind, state, reason, message, now);
  const prepared = condition(
    'StoragePrepared',
    'True',
    'AllRequiredVolumesPrepared',
    `${applied.length} volume(s) prepared`,
  );
  const activeCondition = !active
    ? condition('StorageActive', 'False', 'Inactive', 'no managed volume is mounted')
    : missing.length === 0
      ? condition(
          'StorageActive',
          'True',
          'AllRequiredVolumesActive',
          `mounted: ${applied.map((volume) => volume.mountPath).join(', ')}`,
        )
      : condition(
          'StorageActive',
          'False',
          'RequiredVolumeNotMounted',
          `not mounted: ${missing.map((volume) => `${volume.name} at ${volume.mountPath}`).join(', ')}`,
        );
  const next: StorageStatus = {
    ...status,
    phase: active ? (missing.length === 0 ? 'Active' : 'Degraded') : 'Prepared',
    appliedVolumes: applied.map((volume) => ({
      ...volume,
      active: active && mounted(volume),
      phase: active ? (mounted(volume) ? 'Active' : 'Degraded') : 'Prepared',
      lastTransitionTime: now,
    })),
    operation: null,
    conditions: [prepared, activeCondition],
  };
  if (status.operation || status.phase !== next.phase)
    await kube.patchStatus(inventoryRef(namespace, inventory.metadata.name), {
      status: { storage: next },
    });
  inventory.status = { ...inventory.status, storage: next };
  return missing.length === 0
    ? { ready: true, reason: active ? 'AllVolumesReady' : 'Inactive', message: activeCondition.message }
    : { ready: false, reason: 'RequiredVolumeNotMounted', message: activeCondition.message };
}
