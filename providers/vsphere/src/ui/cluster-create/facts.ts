import type { HostApi } from '@immutable-infra/core';
import {
  capiObjectLookups,
  listCredentialSecrets,
  loadManagementFacts,
  type ManagementFacts,
  type ObjectLookup,
  platformClient,
} from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../../api/vsphere-machine-config-pool.js';
import type { VSphereMachineTemplateObject } from '../../api/vsphere-machine-template.js';
import { vspherePath } from '../catalog.js';
import { VSPHERE_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import type { VspherePlatformOperations } from '../platform-operations.js';
import type { VsphereClusterDraft } from './draft.js';
import { objectNames } from './names.js';

type Template = Pick<VSphereMachineTemplateObject, 'metadata' | 'spec'>;
type Pool = Pick<VSphereMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

/** A VSphereMachineTemplate as the workflow uses it. */
export interface TemplateRecord {
  name: string;
  labels: Record<string, string>;
  /** spec.template.spec, copied into the cluster's own template. */
  machineSpec: Template['spec']['template']['spec'];
  configPool: string | undefined;
}

/** A VSphereMachineConfigPool as the workflow uses it. */
export interface ConfigPoolRecord {
  name: string;
  /** The Cluster the pool serves (spec.clusterRef). */
  cluster: string;
  datacenter: string | undefined;
  free: number;
  total: number;
  /** The DNS servers of the first slot's primary NIC (the bootstrap writes them to resolv.conf). */
  dns: string[];
  hasPersistentDisks: boolean;
}

export interface VsphereClusterFacts extends ManagementFacts {
  namespace: string;
  /** Credential Secrets by name, with the keys they have (the host empties the values). */
  credentials: Record<string, string[]>;
  machineTemplates: TemplateRecord[];
  configPools: ConfigPoolRecord[];
  /** The datacenters the credential's vCenter has, or why they could not be listed. */
  vcenter: { datacenters: string[] } | { error: string } | undefined;
}

export function toTemplateRecord(t: Template): TemplateRecord {
  const machineSpec = t.spec.template.spec;
  return {
    name: t.metadata.name ?? '',
    labels: { ...(t.metadata.labels ?? {}) },
    machineSpec,
    configPool: machineSpec.machineConfigPoolRef?.name || undefined,
  };
}

export function toConfigPoolRecord(p: Pool): ConfigPoolRecord {
  const total = p.spec.configs.length;
  // Without a status (no controller has seen the pool yet) every slot is free.
  const inUse = (p.status?.configStatuses ?? []).filter((s) => s.state !== 'Available').length;
  return {
    name: p.metadata.name ?? '',
    cluster: p.spec.clusterRef.name ?? '',
    datacenter: p.spec.datacenter,
    free: p.status?.availableCount ?? total - inUse,
    total: p.status?.totalCount ?? total,
    dns: [...(p.spec.configs[0]?.network?.primary.dns ?? [])],
    hasPersistentDisks: p.spec.configs.some((c) => (c.persistentDisks ?? []).length > 0),
  };
}

async function list<T>(api: HostApi, namespace: string, plural: string): Promise<T[]> {
  return (
    (await api.kubernetes<{ items?: T[] }>({ method: 'GET', path: vspherePath(namespace, plural) })).items ??
    []
  );
}

async function vcenterOf(api: HostApi, namespace: string, credential: string) {
  try {
    const found = await platformClient<VspherePlatformOperations>(api, {
      namespace,
      name: credential,
    }).listDatacenters();
    return { datacenters: found.map((d) => d.name) };
  } catch (error) {
    const message = (error as { message?: unknown }).message;
    return { error: typeof message === 'string' ? message : String(error) };
  }
}

/** Reads every fact in parallel; a vCenter failure becomes a fact (and a problem), not a throw. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: VsphereClusterDraft,
): Promise<VsphereClusterFacts> {
  const names = objectNames(draft);
  const lookups: ObjectLookup[] = [
    ...capiObjectLookups(namespace, names),
    [`VSphereCluster/${names.cluster}`, vspherePath(namespace, 'vsphereclusters', names.cluster)],
    ...[names.controlPlaneTemplate, ...names.workers.map((w) => w.machineTemplate)].map(
      (name): ObjectLookup => [
        `VSphereMachineTemplate/${name}`,
        vspherePath(namespace, 'vspheremachinetemplates', name),
      ],
    ),
  ];
  const [credentials, templates, pools, management, vcenter] = await Promise.all([
    listCredentialSecrets(api, namespace, VSPHERE_CREDENTIAL_KEYS),
    list<Template>(api, namespace, 'vspheremachinetemplates'),
    list<Pool>(api, namespace, 'vspheremachineconfigpools'),
    loadManagementFacts(api, namespace, lookups),
    draft.credential ? vcenterOf(api, namespace, draft.credential) : Promise.resolve(undefined),
  ]);
  return {
    namespace,
    credentials: Object.fromEntries(credentials.map((s) => [s.metadata.name, Object.keys(s.data ?? {})])),
    machineTemplates: templates.map(toTemplateRecord),
    configPools: pools.map(toConfigPoolRecord),
    ...management,
    vcenter,
  };
}
