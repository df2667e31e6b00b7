import type { HostApi } from '@immutable-infra/core';
import {
  loadPooledClusterFacts,
  type MachineTemplateRecord,
  machineTemplateRecord,
  type PlatformClusterFacts,
  platformFact,
} from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { HCS_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import { platformOf } from '../platform-choices.js';
import type { VpcFact } from '../platform-operations.js';
import { type HcsRelease, listReleases } from '../releases.js';
import type { HcsClusterDraft } from './draft.js';
import { objectNames } from './names.js';

type Template = Pick<HCSMachineTemplateObject, 'metadata' | 'spec'>;
type Pool = Pick<HCSMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

/** An HCSMachineTemplate as the workflow uses it. */
export type TemplateRecord = MachineTemplateRecord<Template['spec']['template']['spec']>;

/** An HCSMachineConfigPool as the workflow uses it. */
export interface ConfigPoolRecord {
  name: string;
  free: number;
  total: number;
  /** The subnets its entries' first NICs name (by name or id). */
  subnets: string[];
  hasPersistentDisks: boolean;
}

export interface HcsClusterFacts extends PlatformClusterFacts<TemplateRecord, ConfigPoolRecord> {
  /** The project's VPCs with subnets and security groups, or why they could not be listed. */
  platform: { vpcs: VpcFact[] } | { error: string } | undefined;
  /** The release ConfigMaps of the namespace: the CoreDNS and etcd tags of the version created. */
  releases?: HcsRelease[] | undefined;
}

export function toTemplateRecord(t: Template): TemplateRecord {
  return machineTemplateRecord(t, (machineSpec) => machineSpec.configPoolRef?.name);
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

/** Reads every fact in parallel; a platform failure becomes a fact (and a problem), not a throw. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: HcsClusterDraft,
): Promise<HcsClusterFacts> {
  const [facts, platform, releases] = await Promise.all([
    loadPooledClusterFacts(api, namespace, {
      credentialKeys: HCS_CREDENTIAL_KEYS,
      kinds: {
        cluster: 'HCSCluster',
        machineTemplate: 'HCSMachineTemplate',
        configPool: 'HCSMachineConfigPool',
      },
      names: objectNames(draft),
      toTemplate: toTemplateRecord,
      toPool: toConfigPoolRecord,
    }),
    draft.credential
      ? platformFact(async () => ({ vpcs: await platformOf(api, namespace, draft.credential).networks() }))
      : Promise.resolve(undefined),
    listReleases(api, namespace),
  ]);
  return { ...facts, platform, releases };
}
