import type { KubeClient } from '@immutable-infra/core';
import { changedFields, controllerReference, releaseOwnedObject } from '@immutable-infra/provider-kit';
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
const VSPHERE_VM_FINALIZER = 'vspherevm.infrastructure.cluster.x-k8s.io';

type StatusOf = NonNullable<VSphereVMObject['status']>;
const MIRRORED_FIELDS = [
  'ready',
  'addresses',
  'network',
  'vmRef',
  'taskRef',
  'cloneMode',
  'snapshot',
  'conditions',
] as const;
type VSphereVMStatusMirror = Pick<StatusOf, (typeof MIRRORED_FIELDS)[number]>;

const vsphereVmRef = (record: { metadata: { namespace?: string | undefined; name: string } }) => ({
  apiVersion: VSPHERE_API_VERSION,
  kind: 'VSphereVM',
  namespace: record.metadata.namespace ?? 'default',
  name: record.metadata.name,
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
        controllerReference({ ...machine, apiVersion: VSPHERE_API_VERSION, kind: 'VSphereMachine' }),
      ],
      finalizers: [VSPHERE_VM_FINALIZER],
    },
    spec: spec as VSphereVMObject['spec'],
  } as VSphereVMObject;
}

/** Writes the mirrored status (and the VM's BIOS UUID into the spec, as CAPV does) when they changed. */
export async function mirrorOnto(
  kube: KubeClient,
  record: VSphereVMObject,
  wanted: VSphereVMStatusMirror,
  biosUUID: string | undefined,
): Promise<void> {
  const ref = vsphereVmRef(record);
  if (biosUUID && record.spec.biosUUID !== biosUUID) {
    await kube.patch(ref, { spec: { biosUUID } });
    record.spec.biosUUID = biosUUID;
  }
  // Written only when something an operator reads changed.
  const patch = changedFields(record.status, wanted, MIRRORED_FIELDS);
  if (!patch) return;
  await kube.patchStatus(ref, { status: patch });
  record.status = { ...record.status, ...(wanted as StatusOf) };
}

/** The machine's delete, once its VM is destroyed: the record's finalizer comes off and the record goes. */
export async function removeVsphereVm(kube: KubeClient, machine: VSphereMachineObject): Promise<void> {
  await releaseOwnedObject(kube, vsphereVmRef(machine), machine, VSPHERE_VM_FINALIZER);
}
