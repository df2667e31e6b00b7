import type { HostApi } from '@immutable-infra/core';
import {
  capiObjectLookups,
  listCredentialSecrets,
  loadManagementFacts,
  type ManagementFacts,
  type ObjectLookup,
} from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { hcsPath } from '../catalog.js';
import { HCS_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import { platformOf } from '../platform-choices.js';
import type { VpcFact } from '../platform-operations.js';
import { type HcsRelease, listReleases } from '../releases.js';
import type { HcsClusterDraft } from './draft.js';
import { objectNames } from './names.js';

type Template = Pick<HCSMachineTemplateObject, 'metadata' | 'spec'>;
type Pool = Pick<HCSMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

/** An HCSMachineTemplate as the workflow uses it. */
export interface TemplateRecord {
  name: string;
  labels: Record<string, string>;
  /** spec.template.spec, copied into the cluster's own template. */
  machineSpec: Template['spec']['template']['spec'];
  configPool: string | undefined;
}

/** An HCSMachineConfigPool as the workflow uses it. */
export interface ConfigPoolRecord {
  name: string;
  free: number;
  total: number;
  /** The subnets its entries' first NICs name (by name or id). */
  subnets: string[];
  hasPersistentDisks: boolean;
}

export interface HcsClusterFacts extends ManagementFacts {
  namespace: string;
  /** Credential Secrets by name, with the keys they have (the host empties the values). */
  credentials: Record<string, string[]>;
  machineTemplates: TemplateRecord[];
  configPools: ConfigPoolRecord[];
  /** The project's VPCs with subnets and security groups, or why they could not be listed. */
  platform: { vpcs: VpcFact[] } | { error: string } | undefined;
  /** The release ConfigMaps of the namespace: the CoreDNS and etcd tags of the version created. */
  releases?: HcsRelease[] | undefined;
}

export function toTemplateRecord(t: Template): TemplateRecord {
  const machineSpec = t.spec.template.spec;
  return {
    name: t.metadata.name ?? '',
    labels: { ...(t.metadata.labels ?? {}) },
    machineSpec,
    configPool: machineSpec.configPoolRef?.name || undefined,
  };
}

export function toConfigPoolRecord(p: Pool): ConfigPoolRecord {
  const total = p.spec.configs.length;
  return {
    name: p.metadata.name ?? '',
    // Without a status (no controller has seen the pool yet) every entry is free.
    free: p.status?.availableCount ?? total - (p.status?.usedConfigs ?? []).length,
    total: p.status?.totalCount ?? total,
    subnets: [
      ...new Set(
        p.spec.configs.flatMap((c) =>
          c.networks.map((n) => n.subnetName ?? n.subenetName ?? n.subnetId ?? ''),
        ),
      ),
    ],
    hasPersistentDisks: p.spec.configs.some((c) => (c.persistentDisks ?? []).length > 0),
  };
}

async function list<T>(api: HostApi, namespace: string, plural: string): Promise<T[]> {
  return (
    (await api.kubernetes<{ items?: T[] }>({ method: 'GET', path: hcsPath(namespace, plural) })).items ?? []
  );
}

async function platformFacts(api: HostApi, namespace: string, credential: string) {
  try {
    return { vpcs: await platformOf(api, namespace, credential).networks() };
  } catch (error) {
    const message = (error as { message?: unknown }).message;
    return { error: typeof message === 'string' ? message : String(error) };
  }
}

/** Reads every fact in parallel; a platform failure becomes a fact (and a problem), not a throw. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: HcsClusterDraft,
): Promise<HcsClusterFacts> {
  const names = objectNames(draft);
  const lookups: ObjectLookup[] = [
    ...capiObjectLookups(namespace, names),
    [`HCSCluster/${names.cluster}`, hcsPath(namespace, 'hcsclusters', names.cluster)],
    ...[names.controlPlaneTemplate, ...names.workers.map((w) => w.machineTemplate)].map(
      (name): ObjectLookup => [`HCSMachineTemplate/${name}`, hcsPath(namespace, 'hcsmachinetemplates', name)],
    ),
  ];
  const [credentials, templates, pools, management, platform, releases] = await Promise.all([
    listCredentialSecrets(api, namespace, HCS_CREDENTIAL_KEYS),
    list<Template>(api, namespace, 'hcsmachinetemplates'),
    list<Pool>(api, namespace, 'hcsmachineconfigpools'),
    loadManagementFacts(api, namespace, lookups),
    draft.credential ? platformFacts(api, namespace, draft.credential) : Promise.resolve(undefined),
    listReleases(api, namespace),
  ]);
  return {
    namespace,
    credentials: Object.fromEntries(credentials.map((s) => [s.metadata.name, Object.keys(s.data ?? {})])),
    machineTemplates: templates.map(toTemplateRecord),
    configPools: pools.map(toConfigPoolRecord),
    ...management,
    platform,
    releases,
  };
}
