import type { ClaimablePoolKind } from '@immutable-infra/provider-kit';
import { HCS_API_VERSION } from '../api/common.js';
import type { HCSMachineConfigPoolObject } from '../api/hcs-machine-config-pool.js';

export type PoolConfigEntry = HCSMachineConfigPoolObject['spec']['configs'][number];
export type UsedConfig = NonNullable<
  NonNullable<HCSMachineConfigPoolObject['status']>['usedConfigs']
>[number];

/**
 * An HCSMachineConfigPool for the kit's ClaimablePool: entries (hostname, IPs, persistent disks) in
 * `spec.configs`, claims in `status.usedConfigs`, keyed by the HCSMachine's UID. Claims written
 * before the UID was recorded name the machine only; they are adopted by the machine of that
 * name, so an upgraded manager keeps every machine's slot.
 */
export const configPoolKind: ClaimablePoolKind<HCSMachineConfigPoolObject, PoolConfigEntry, UsedConfig> = {
  apiVersion: HCS_API_VERSION,
  kind: 'HCSMachineConfigPool',
  entries: (pool) => pool.spec.configs,
  entryKey: (entry) => entry.hostname,
  claims: (pool) => pool.status?.usedConfigs ?? [],
  claimedEntryKey: (claim) => claim.hostname,
  claimantUid: (claim) => claim.machineUID,
  isLegacyClaimOf: (claim, machine) => claim.machineRef === machine.name,
  newClaim: (entry, machine) => ({
    hostname: entry.hostname,
    machineRef: machine.name,
    machineUID: machine.uid,
  }),
  statusWithClaims: (usedConfigs) => ({ usedConfigs }),
  usageStatus: (usage) => ({ totalCount: usage.total, availableCount: usage.free }),
};
