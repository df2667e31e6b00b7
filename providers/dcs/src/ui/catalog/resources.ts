import type { HostApi } from '@immutable-infra/core';
import { type Choice, listCredentialSecrets } from '@immutable-infra/ui-kit';
import { CLUSTER_NAME_LABEL, MACHINE_TYPE_LABEL, type MachineType, VM_TEMPLATE_LABEL } from './labels.js';

/** The keys every DCS credential Secret has: how its Secrets are told from the namespace's others. */
export const DCS_CREDENTIAL_KEYS = ['authUser', 'authKey'] as const;

export { isAlreadyExists } from '@immutable-infra/ui-kit';

export const INFRA_API = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';

interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  uid?: string;
}

export interface KubeObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  data?: Record<string, string>;
}

interface List<T> {
  items: T[];
}

/** One version ConfigMap: which Kubernetes release (and OS image) a DCS VM template carries. */
export interface VersionRecord {
  configMap: string;
  vmTemplateName: string;
  kubernetesVersion: string;
  distributionVersion: string;
  vmImageVersion: string;
  corednsTag: string;
  etcdTag: string;
  /** The release's Kube-OVN version, when its ConfigMap names one (`kubeOvnVersion`). */
  kubeOvnVersion?: string | undefined;
}

export interface MachineTemplateRecord {
  name: string;
  type: MachineType;
  vmTemplateName: string;
  ipPool: string;
  cpu: number | undefined;
  memoryMB: number | undefined;
  /** The template's `spec.template.spec`, for copies. */
  machineSpec: Record<string, unknown>;
  labels: Record<string, string>;
}

export interface PoolRecord {
  name: string;
  total: number;
  used: number;
  /** Entries no machine holds. */
  free: number;
  hasPersistentDisks: boolean;
  nodeIps: string[];
}

export function basePath(namespace: string, plural: string, api = INFRA_API): string {
  return `${api}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

export async function listObjects<T extends KubeObject>(api: HostApi, path: string): Promise<T[]> {
  return (await api.kubernetes<List<T>>({ method: 'GET', path })).items ?? [];
}

/** GET of one object, or undefined on 404. */
export async function readObject<T extends KubeObject>(api: HostApi, path: string): Promise<T | undefined> {
  try {
    return await api.kubernetes<T>({ method: 'GET', path });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The host rejects with the API server's Status (code 404) or an object saying so; both count. */
export function isNotFound(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; reason?: unknown };
  return e.code === 404 || e.status === 404 || e.statusCode === 404 || e.reason === 'NotFound';
}

/** A create refused because the name is taken (409 AlreadyExists), however the host shapes the error. */

export function machineTypeOf(template: KubeObject): MachineType {
  const label = template.metadata.labels?.[MACHINE_TYPE_LABEL];
  if (label === 'control-plane' || label === 'worker') return label;
  const disks = diskSpecsOf(template.spec);
  return disks.some((disk) => disk.path === '/var/lib/etcd') ? 'control-plane' : 'worker';
}

function machineSpecOf(spec: unknown): Record<string, unknown> {
  const template = (spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template;
  return template?.spec ?? {};
}

function diskSpecsOf(spec: unknown): { path?: string }[] {
  const vmConfig = machineSpecOf(spec).vmConfig as { dcsMachineDiskSpec?: { path?: string }[] } | undefined;
  return vmConfig?.dcsMachineDiskSpec ?? [];
}

export function toMachineTemplateRecord(template: KubeObject): MachineTemplateRecord {
  const spec = machineSpecOf(template.spec);
  const vmConfig = (spec.vmConfig ?? {}) as {
    dcsMachineCpuSpec?: { quantity?: number };
    dcsMachineMemorySpec?: { quantity?: number };
  };
  return {
    name: template.metadata.name,
    type: machineTypeOf(template),
    vmTemplateName: typeof spec.vmTemplateName === 'string' ? spec.vmTemplateName : '',
    ipPool: (spec.ipHostPoolRef as { name?: string } | undefined)?.name ?? '',
    cpu: vmConfig.dcsMachineCpuSpec?.quantity,
    memoryMB: vmConfig.dcsMachineMemorySpec?.quantity,
    machineSpec: spec,
    labels: template.metadata.labels ?? {},
  };
}

export function toPoolRecord(pool: KubeObject): PoolRecord {
  const entries = ((pool.spec as { pool?: { ip: string; persistentDisk?: unknown[] }[] } | undefined)?.pool ??
    []) as { ip: string; persistentDisk?: unknown[] }[];
  const slots = ((pool.status as { slots?: { ip: string }[] } | undefined)?.slots ?? []) as { ip: string }[];
  const held = new Set(slots.map((slot) => slot.ip));
  const used = entries.filter((entry) => held.has(entry.ip)).length;
  return {
    name: pool.metadata.name,
    total: entries.length,
    used,
    free: entries.length - used,
    hasPersistentDisks: entries.some((entry) => (entry.persistentDisk?.length ?? 0) > 0),
    nodeIps: entries.map((entry) => entry.ip),
  };
}

export function toVersionRecord(configMap: KubeObject): VersionRecord | undefined {
  const labels = configMap.metadata.labels ?? {};
  const data = configMap.data ?? {};
  const vmTemplateName = labels[VM_TEMPLATE_LABEL];
  if (!vmTemplateName || !data.kubernetesVersion) return undefined;
  return {
    configMap: configMap.metadata.name,
    vmTemplateName,
    kubernetesVersion: data.kubernetesVersion,
    distributionVersion: labels['cpaas.io/distribution-version'] ?? '',
    vmImageVersion: data.vmImageVersion ?? '',
    corednsTag: data.corednsTag ?? '',
    etcdTag: data.etcdTag ?? '',
    ...(data.kubeOvnVersion ? { kubeOvnVersion: data.kubeOvnVersion } : {}),
  };
}

export async function listVersions(api: HostApi, namespace: string): Promise<VersionRecord[]> {
  const configMaps = await listObjects<KubeObject>(
    api,
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?labelSelector=${encodeURIComponent(VM_TEMPLATE_LABEL)}`,
  );
  return configMaps.flatMap((cm) => toVersionRecord(cm) ?? []);
}

export async function listMachineTemplates(
  api: HostApi,
  namespace: string,
): Promise<MachineTemplateRecord[]> {
  return (await listObjects<KubeObject>(api, basePath(namespace, 'dcsmachinetemplates'))).map(
    toMachineTemplateRecord,
  );
}

export async function listPools(api: HostApi, namespace: string): Promise<PoolRecord[]> {
  return (await listObjects<KubeObject>(api, basePath(namespace, 'dcsiphostnamepools'))).map(toPoolRecord);
}

/** Secrets shaped like DCS credentials (their keys, since the host empties the values). */
export async function listCredentials(api: HostApi, namespace: string): Promise<KubeObject[]> {
  return listCredentialSecrets(api, namespace, DCS_CREDENTIAL_KEYS);
}

/** The namespace's DCS credentials as a select's choices, by name. */
export async function credentialChoices(api: HostApi, namespace: string): Promise<Choice[]> {
  return (await listCredentials(api, namespace)).map((s) => ({
    value: s.metadata.name,
    label: s.metadata.name,
  }));
}

/** The object a form updates (`name` set), or undefined when it creates one or the object is gone. */
export async function readEdited(
  api: HostApi,
  namespace: string,
  plural: string,
  name: string | undefined,
): Promise<KubeObject | undefined> {
  if (name === undefined || name === '') return undefined;
  return readObject<KubeObject>(api, `${basePath(namespace, plural)}/${encodeURIComponent(name)}`);
}

// The version order is the kit's, shared with the other providers' workflows.
export { compareVersions, minorOf } from '@immutable-infra/ui-kit';

export { CLUSTER_NAME_LABEL };
