import type { Condition, KubeClient } from '@immutable-infra/core';
import { isKubeConflict } from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereMachineObject } from '../api/vsphere-machine.js';
import { vmCloneSpecFields } from '../api/vsphere-machine.js';
import type { VSphereVMObject } from '../api/vsphere-vm.js';

/**
 * The VSphereVM of a VSphereMachine, as CAPV keeps one: same name and namespace, owned by the
 * machine, the clone spec copied from it and the VM's status mirrored onto it. The machine's
 * reconcile keeps it (no controller of its own): it is the record the documented runtime chain
 * `Machine -> VSphereMachine -> VSphereVM` and its troubleshooting read, not a second source of truth.
 */

/** Held until the machine's delete destroyed the VM: the record never outlives what it describes by less. */
export const VSPHERE_VM_FINALIZER = 'vspherevm.infrastructure.cluster.x-k8s.io';

type StatusOf = NonNullable<VSphereVMObject['status']>;
export type VSphereVMStatusMirror = Pick<
  StatusOf,
  'ready' | 'addresses' | 'network' | 'vmRef' | 'taskRef' | 'cloneMode' | 'snapshot' | 'conditions'
>;

export const vsphereVmRef = (machine: VSphereMachineObject) => ({
  apiVersion: VSPHERE_API_VERSION,
  kind: 'VSphereVM',
  namespace: machine.metadata.namespace ?? 'default',
  name: machine.metadata.name,
});

const CLONE_SPEC_KEYS = Object.keys(vmCloneSpecFields) as (keyof typeof vmCloneSpecFields)[];

/** The VSphereVM to create for a machine: its clone spec (the cluster's vCenter when it names none) and the bootstrap Secret. */
export function vsphereVmFor(
  machine: VSphereMachineObject,
  facts: { clusterName: string; server: string | undefined; bootstrapSecret: string | undefined },
): VSphereVMObject {
  const spec: Record<string, unknown> = {};
  const source = machine.spec as Record<string, unknown>;
  for (const key of CLONE_SPEC_KEYS) if (source[key] !== undefined) spec[key] = source[key];
  if (spec.server === undefined && facts.server) spec.server = facts.server;
  const namespace = machine.metadata.namespace ?? 'default';
  if (facts.bootstrapSecret)
    spec.bootstrapRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: facts.bootstrapSecret };
  return {
    apiVersion: VSPHERE_API_VERSION,
    kind: 'VSphereVM',
    metadata: {
      name: machine.metadata.name,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': facts.clusterName },
      ownerReferences: [
        {
          apiVersion: VSPHERE_API_VERSION,
          kind: 'VSphereMachine',
          name: machine.metadata.name,
          uid: machine.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      finalizers: [VSPHERE_VM_FINALIZER],
    },
    spec: spec as VSphereVMObject['spec'],
  } as VSphereVMObject;
}

/** True when the record belongs to this machine (a same-named leftover of an earlier machine does not). */
export const ownedBy = (record: VSphereVMObject, machine: VSphereMachineObject) =>
  (record.metadata.ownerReferences ?? []).some(
    (owner) => owner.kind === 'VSphereMachine' && owner.uid === machine.metadata.uid,
  );

/** Looks the record up, and creates it when missing. A lost race (409) reads the winner's. */
export async function ensureVsphereVm(kube: KubeClient, wanted: VSphereVMObject): Promise<VSphereVMObject> {
  const ref = { ...refOf(wanted) };
  const found = await kube.get<VSphereVMObject>(ref);
  if (found) return found;
  try {
    return await kube.create(wanted);
  } catch (error) {
    if (!isKubeConflict(error)) throw error;
    const raced = await kube.get<VSphereVMObject>(ref);
    if (!raced) throw error;
    return raced;
  }
}

const refOf = (vm: VSphereVMObject) => ({
  apiVersion: VSPHERE_API_VERSION,
  kind: 'VSphereVM',
  namespace: vm.metadata.namespace ?? 'default',
  name: vm.metadata.name,
});

/** Conditions compared without their transition times, so an unchanged condition writes nothing. */
const conditionKey = (conditions: readonly Condition[] | undefined) =>
  JSON.stringify(
    (conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.severity ?? '']),
  );

const SCALAR_FIELDS = ['ready', 'vmRef', 'taskRef', 'cloneMode', 'snapshot'] as const;

/**
 * The merge patch that brings the record's status to `wanted`, or undefined when it already shows
 * it: the status is written only when something an operator reads changed.
 */
export function statusPatch(
  current: StatusOf | undefined,
  wanted: VSphereVMStatusMirror,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const field of SCALAR_FIELDS)
    if ((current?.[field] ?? null) !== (wanted[field] ?? null)) patch[field] = wanted[field] ?? null;
  if (JSON.stringify(current?.addresses ?? []) !== JSON.stringify(wanted.addresses ?? []))
    patch.addresses = wanted.addresses ?? null;
  if (JSON.stringify(current?.network ?? []) !== JSON.stringify(wanted.network ?? []))
    patch.network = wanted.network ?? null;
  if (conditionKey(current?.conditions) !== conditionKey(wanted.conditions))
    patch.conditions = wanted.conditions ?? null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Writes the mirrored status (and the VM's BIOS UUID into the spec, as CAPV does) when they changed. */
export async function mirrorOnto(
  kube: KubeClient,
  record: VSphereVMObject,
  wanted: VSphereVMStatusMirror,
  biosUUID: string | undefined,
): Promise<void> {
  const ref = refOf(record);
  if (biosUUID && record.spec.biosUUID !== biosUUID) {
    await kube.patch(ref, { spec: { biosUUID } });
    record.spec.biosUUID = biosUUID;
  }
  const patch = statusPatch(record.status, wanted);
  if (!patch) return;
  await kube.patchStatus(ref, { status: patch });
  record.status = { ...record.status, ...(wanted as StatusOf) };
}

/** The machine's delete, once its VM is destroyed: the record's finalizer comes off and the record goes. */
export async function removeVsphereVm(kube: KubeClient, machine: VSphereMachineObject): Promise<void> {
  const ref = vsphereVmRef(machine);
  const found = await kube.get<VSphereVMObject>(ref);
  if (!found || !ownedBy(found, machine)) return;
  if ((found.metadata.finalizers ?? []).includes(VSPHERE_VM_FINALIZER))
    await kube.patch(ref, {
      metadata: {
        resourceVersion: found.metadata.resourceVersion,
        finalizers: (found.metadata.finalizers ?? []).filter((f) => f !== VSPHERE_VM_FINALIZER),
      },
    });
  if (!found.metadata.deletionTimestamp) await kube.delete(ref);
}
