import type { NodeColumnsExtension, NodeRow } from '@immutable-infra/core';
import { useQuery } from '@tanstack/react-query';
import type { ClusterDetail, ExtensionInfo } from './api.ts';
import { useExtensions } from './ExtensionSlot.tsx';
import { entriesFor, exportOf } from './extensions.ts';
import { type KubeObject, kube, listKind } from './kube.ts';
import { StatusLabel } from './status.tsx';

interface Column {
  id: string;
  title: string;
  extension: string;
  cell(row: NodeRow): string;
}

/** A provider column's cell, or why it failed: one bad column never breaks the table. */
function cellText(column: Column, row: NodeRow): string {
  try {
    const value = column.cell(row);
    return typeof value === 'string' ? value : String(value ?? '');
  } catch (e) {
    return `(${column.extension} failed: ${e instanceof Error ? e.message : String(e)})`;
  }
}

/** The `node.columns` of the cluster's provider; an extension that fails to load adds none. */
async function providerColumns(extensions: ExtensionInfo[], provider: string): Promise<Column[]> {
  const lists = await Promise.all(
    entriesFor(extensions, 'node.columns', provider).map(async (entry) => {
      try {
        const exported = await exportOf<NodeColumnsExtension>(entry);
        return (exported.columns ?? []).map((c) => ({ ...c, extension: entry.entry.title }));
      } catch {
        return [];
      }
    }),
  );
  return lists.flat();
}

/** Each Machine of the cluster with its infrastructure machine, as the user may read them. */
async function nodeRows(namespace: string, name: string): Promise<Map<string, NodeRow>> {
  const machines = await kube<{ items: KubeObject[] }>({
    method: 'GET',
    path: `/apis/cluster.x-k8s.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/machines?labelSelector=${encodeURIComponent(`cluster.x-k8s.io/cluster-name=${name}`)}`,
  });
  const kinds = new Map<string, { apiGroup: string; kind: string }>();
  for (const m of machines.items) {
    const ref = m.spec?.infrastructureRef as { apiGroup?: string; kind?: string } | undefined;
    if (ref?.apiGroup && ref.kind)
      kinds.set(`${ref.apiGroup}/${ref.kind}`, { apiGroup: ref.apiGroup, kind: ref.kind });
  }
  const infra = new Map<string, KubeObject>();
  for (const { apiGroup, kind } of kinds.values()) {
    try {
      for (const item of await listKind(apiGroup, kind, namespace))
        infra.set(`${apiGroup}/${kind}/${item.metadata.name}`, item);
    } catch {
      // Not readable by this user, or not served: the columns get the Machine alone.
    }
  }
  const rows = new Map<string, NodeRow>();
  for (const m of machines.items) {
    const ref = m.spec?.infrastructureRef as { apiGroup?: string; kind?: string; name?: string } | undefined;
    const infraMachine = ref ? infra.get(`${ref.apiGroup}/${ref.kind}/${ref.name}`) : undefined;
    rows.set(m.metadata.name, {
      machine: m as unknown as Record<string, unknown>,
      ...(infraMachine ? { infraMachine: infraMachine as unknown as Record<string, unknown> } : {}),
    });
  }
  return rows;
}

/**
 * The Nodes table: the host's columns, plus the `node.columns` of the
 * cluster's provider, fed with each Machine and its infrastructure machine
 * as the user may read them.
 */
export function NodesTable({
  namespace,
  name,
  detail,
}: {
  namespace: string;
  name: string;
  detail: ClusterDetail;
}) {
  const extensions = useExtensions();
  const provider = detail.row.provider;
  const { data: columns = [] } = useQuery({
    queryKey: ['node-columns', provider, extensions?.map((e) => e.id).join(',')],
    queryFn: () => providerColumns(extensions ?? [], provider),
    enabled: extensions !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
  // The machines as the page shows them: a change (the event stream refreshed the page's data) reads the rows again.
  const machineKey = detail.machines.map((m) => `${m.name}:${m.phase}:${m.version}`).join(',');
  const { data: rows = new Map<string, NodeRow>(), error } = useQuery({
    queryKey: ['node-rows', namespace, name, machineKey],
    queryFn: () => nodeRows(namespace, name),
    enabled: columns.length > 0,
    placeholderData: (previous) => previous,
  });
  const problem = error?.message;

  return (
    <>
      {problem && <p className="muted">Provider columns unavailable: {problem}</p>}
      <table className="pf-v6-c-table pf-m-compact" aria-label="Nodes">
        <thead>
          <tr>
            <th>Machine</th>
            <th>Pool</th>
            <th>Phase</th>
            <th>Node</th>
            <th>Provider ID</th>
            <th>Version</th>
            <th>Waiting for</th>
            {columns.map((c) => (
              <th key={c.id} data-column={c.id}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {detail.machines.map((m) => {
            const row = rows.get(m.name);
            return (
              <tr key={m.name} data-machine={m.name}>
                <td>{m.name}</td>
                <td>{m.pool}</td>
                <td>{m.phase && <StatusLabel status={m.phase} />}</td>
                <td>{m.nodeName}</td>
                <td>{m.providerID}</td>
                <td>{m.version}</td>
                <td data-waiting-for={m.name}>
                  {m.waitingFor
                    ? `${m.waitingFor.condition}${m.waitingFor.reason ? ` (${m.waitingFor.reason})` : ''}${
                        m.waitingFor.message ? `: ${m.waitingFor.message}` : ''
                      }`
                    : ''}
                </td>
                {columns.map((c) => (
                  <td key={c.id} data-column={c.id}>
                    {row ? cellText(c, row) : ''}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
