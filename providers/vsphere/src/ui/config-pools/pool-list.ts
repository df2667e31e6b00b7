/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountKindList, nameCell, rowActions } from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../../api/vsphere-machine-config-pool.js';
import { VSPHERE_CLASS, vspherePath } from '../catalog.js';

type Pool = Pick<VSphereMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

const words = {
  title: 'vSphere machine config pools',
  createLabel: 'Create config pool',
  empty: 'No vSphere machine config pools yet.',
  noun: 'config pool',
};

/** Why a pool may not go now: a machine holds one of its slots (its VM would lose its name and addresses). */
function holders(pool: Pool): string | undefined {
  const held = (pool.status?.configStatuses ?? []).filter((slot) => slot.state === 'InUse');
  if (held.length === 0) return undefined;
  const by = held.map((slot) => `${slot.hostname} (${slot.machineRef?.name ?? 'a machine'})`).join(', ');
  return `${pool.metadata.name} has slots in use: ${by}`;
}

/** The namespace's VSphereMachineConfigPools: cluster, slots free of all, who is bound to it. */
export const configPoolList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountKindList<Pool>(element, props, {
      ...words,
      collectionPath: vspherePath(props.namespace, 'vspheremachineconfigpools'),
      extension: 'vsphere.config-pool.list',
      className: VSPHERE_CLASS,
      columns: ['Name', 'Cluster', 'Datacenter', 'Available / slots', 'Bound to', ''],
      row: (pool, actions) => {
        const name = pool.metadata.name ?? '';
        const total = pool.status?.totalCount ?? pool.spec.configs.length;
        const consumer = pool.status?.consumerRef;
        return [
          nameCell(name),
          pool.spec.clusterRef.name ?? '',
          pool.spec.datacenter ?? '—',
          `${pool.status?.availableCount ?? '?'} / ${total}`,
          consumer ? `${consumer.kind ?? ''} ${consumer.name ?? ''}`.trim() : '—',
          rowActions(actions, name, () => holders(pool)),
        ];
      },
    });
  },
} satisfies StrictAnchorExport<'ip-pool.list'>;
