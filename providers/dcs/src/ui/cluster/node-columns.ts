import type { NodeRow, StrictAnchorExport } from '@immutable-infra/core';

type Json = Record<string, unknown>;

function at(object: Json | undefined, ...path: string[]): unknown {
  let node: unknown = object;
  for (const key of path) node = (node as Json | undefined)?.[key];
  return node;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : '—');

/** The DCS columns of the cluster page's Nodes table: pure functions of the Machine and its DCSMachine. */
export const nodeColumns = {
  columns: [
    {
      id: 'dcs.vm',
      title: 'DCS VM',
      cell: (row: NodeRow) =>
        text(
          at(row.infraMachine, 'status', 'networkConfig', 'machineName') ??
            at(row.infraMachine, 'spec', 'vmUrn'),
        ),
    },
    {
      id: 'dcs.ip',
      title: 'IP',
      cell: (row: NodeRow) => text(at(row.infraMachine, 'status', 'networkConfig', 'ip')),
    },
    {
      id: 'dcs.ip-pool',
      title: 'IP pool',
      cell: (row: NodeRow) => text(at(row.infraMachine, 'spec', 'ipHostPoolRef', 'name')),
    },
    {
      id: 'dcs.vm-template',
      title: 'VM template',
      cell: (row: NodeRow) => text(at(row.infraMachine, 'spec', 'vmTemplateName')),
    },
    {
      id: 'dcs.specs',
      title: 'CPU / memory',
      cell: (row: NodeRow) => {
        const cpu = at(row.infraMachine, 'spec', 'vmConfig', 'dcsMachineCpuSpec', 'quantity');
        const memory = at(row.infraMachine, 'spec', 'vmConfig', 'dcsMachineMemorySpec', 'quantity');
        if (typeof cpu !== 'number' || typeof memory !== 'number') return '—';
        return `${cpu} CPU / ${Math.round((memory / 1024) * 10) / 10} GB`;
      },
    },
  ],
} satisfies StrictAnchorExport<'node.columns'>;
