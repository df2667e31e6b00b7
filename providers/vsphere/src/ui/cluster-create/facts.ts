import type { HostApi } from '@immutable-infra/core';
import {
  type ConfigPoolCapacity,
  configPoolCapacity,
  loadPooledClusterFacts,
  machineTemplateRecord,
  type PlatformClusterFacts,
  platformClient,
  platformFact,
  type TemplateRecordOf,
} from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../../api/vsphere-machine-config-pool.js';
import type { VSphereMachineTemplateObject } from '../../api/vsphere-machine-template.js';
import { VSPHERE_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import type { VspherePlatformOperations } from '../platform-operations.js';
import type { VsphereClusterDraft } from './draft.js';
import { objectNames } from './names.js';

type Pool = Pick<VSphereMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

/** A VSphereMachineTemplate as the workflow uses it. */
export type TemplateRecord = TemplateRecordOf<VSphereMachineTemplateObject>;

/** A VSphereMachineConfigPool as the workflow uses it. */
export interface ConfigPoolRecord extends ConfigPoolCapacity {
  /** The Cluster the pool serves (spec.clusterRef). */
  cluster: string;
  datacenter: string | undefined;
  /** The DNS servers of the first slot's primary NIC (the bootstrap writes them to resolv.conf). */
  dns: string[];
}

export interface VsphereClusterFacts extends PlatformClusterFacts<TemplateRecord, ConfigPoolRecord> {
  /** The datacenters the credential's vCenter has, or why they could not be listed. */
  vcenter: { datacenters: string[] } | { error: string } | undefined;
}

export function toTemplateRecord(t: Pick<VSphereMachineTemplateObject, 'metadata' | 'spec'>): TemplateRecord {
  return machineTemplateRecord(t, (machineSpec) => machineSpec.machineConfigPoolRef?.name);
}

export function toConfigPoolRecord(p: Pool): ConfigPoolRecord {
  return {
    ...configPoolCapacity(p, (p.status?.configStatuses ?? []).filter((s) => s.state !== 'Available').length),
    cluster: p.spec.clusterRef.name ?? '',
    datacenter: p.spec.datacenter,
    dns: [...(p.spec.configs[0]?.network?.primary.dns ?? [])],
  };
}

/** Reads every fact in parallel; a vCenter failure becomes a fact (and a problem), not a throw. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: VsphereClusterDraft,
): Promise<VsphereClusterFacts> {
  const [facts, vcenter] = await Promise.all([
    loadPooledClusterFacts(api, namespace, {
      credentialKeys: VSPHERE_CREDENTIAL_KEYS,
      kinds: {
        cluster: 'VSphereCluster',
        machineTemplate: 'VSphereMachineTemplate',
        configPool: 'VSphereMachineConfigPool',
      },
      names: objectNames(draft),
      toTemplate: toTemplateRecord,
      toPool: toConfigPoolRecord,
    }),
    draft.credential
      ? platformFact(async () => {
          const client = platformClient<VspherePlatformOperations>(api, {
            namespace,
            name: draft.credential,
          });
          return { datacenters: (await client.listDatacenters()).map((d) => d.name) };
        })
      : Promise.resolve(undefined),
  ]);
  return { ...facts, vcenter };
}
