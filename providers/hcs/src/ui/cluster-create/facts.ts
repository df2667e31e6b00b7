import type { HostApi } from '@immutable-infra/core';
import {
  type ConfigPoolCapacity,
  configPoolCapacity,
  loadPooledClusterFacts,
  machineTemplateRecord,
  type PlatformClusterFacts,
  platformFact,
  type TemplateRecordOf,
} from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { HCS_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import { platformOf } from '../platform-choices.js';
import type { VpcFact } from '../platform-operations.js';
import { type HcsRelease, listReleases } from '../releases.js';
import type { HcsClusterDraft } from './draft.js';
import { objectNames } from './names.js';

/** An HCSMachineTemplate as the workflow uses it. */
export type TemplateRecord = TemplateRecordOf<HCSMachineTemplateObject>;

/** An HCSMachineConfigPool as the workflow uses it. */
export interface ConfigPoolRecord extends ConfigPoolCapacity {
  /** The subnets its entries' first NICs name (by name or id). */
  subnets: string[];
}

export interface HcsClusterFacts extends PlatformClusterFacts<TemplateRecord, ConfigPoolRecord> {
  /** The project's VPCs with subnets and security groups, or why they could not be listed. */
  platform: { vpcs: VpcFact[] } | { error: string } | undefined;
  /** The release ConfigMaps of the namespace: the CoreDNS and etcd tags of the version created. */
  releases?: HcsRelease[] | undefined;
}

export function toTemplateRecord(t: Pick<HCSMachineTemplateObject, 'metadata' | 'spec'>): TemplateRecord {
  return machineTemplateRecord(t, (machineSpec) => machineSpec.configPoolRef?.name);
}

export function toConfigPoolRecord(
  p: Pick<HCSMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>,
): ConfigPoolRecord {
  return {
    ...configPoolCapacity(p, (p.status?.usedConfigs ?? []).length),
    subnets: [
      ...new Set(
        p.spec.configs.flatMap((c) =>
          c.networks.map((n) => n.subnetName ?? n.subenetName ?? n.subnetId ?? ''),
        ),
      ),
    ],
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
