/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountKindList, nameCell, rowActions } from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';
import { HCS_CLASS, hcsPath } from '../catalog.js';

type Pool = Pick<HCSMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

/** Why a pool may not go now: a machine holds one of its entries (its server would lose its name and addresses). */
function holders(pool: Pool): string | undefined {
  const used = pool.status?.usedConfigs ?? [];
  if (used.length === 0) return undefined;
  return `${pool.metadata.name} has entries in use: ${used.map((u) => `${u.hostname} (${u.machineRef})`).join(', ')}`;
}

/** The namespace's HCSMachineConfigPools: entries free of all, their addresses, and who holds them. */
export const configPoolList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountKindList<Pool>(element, props, {
      collectionPath: hcsPath(props.namespace, 'hcsmachineconfigpools'),
      title: 'HCS machine config pools',
      createLabel: 'Create config pool',
      empty: 'No HCS machine config pools yet.',
      noun: 'config pool',
      extension: 'hcs.config-pool.list',
      className: HCS_CLASS,
      columns: ['Name', 'Available / entries', 'Hostnames', 'IP addresses', 'In use by', ''],
      row: (pool, actions) => {
        const name = pool.metadata.name ?? '';
        const configs = pool.spec.configs;
        const used = pool.status?.usedConfigs ?? [];
        return [
          nameCell(name),
          `${pool.status?.availableCount ?? configs.length - used.length} / ${pool.status?.totalCount ?? configs.length}`,
          configs.map((c) => c.hostname).join(', '),
          configs.flatMap((c) => c.networks.map((n) => n.ipAddress)).join(', '),
          used.map((u) => u.machineRef).join(', ') || '—',
          rowActions(actions, name, () => holders(pool)),
        ];
      },
    });
  },
} satisfies StrictAnchorExport<'ip-pool.list'>;
