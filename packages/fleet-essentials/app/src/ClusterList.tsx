import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type ClusterPage } from './api.ts';

const COLUMNS = [
  ['name', 'Name'],
  ['provider', 'Provider'],
  ['kubernetesVersion', 'Kubernetes'],
  ['phase', 'Phase'],
] as const;

function age(createdAt: string): string {
  const seconds = Math.max(0, (Date.now() - new Date(createdAt).getTime()) / 1000);
  if (seconds < 120) return `${Math.floor(seconds)}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function ClusterList() {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<string>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [data, setData] = useState<ClusterPage | undefined>();
  const [error, setError] = useState<string | undefined>();
  const limit = 50;

  const load = useCallback(() => {
    const query = new URLSearchParams({ page: String(page), limit: String(limit), sort, order });
    if (search) query.set('search', search);
    api<ClusterPage>('GET', `/api/clusters?${query}`)
      .then((result) => {
        setData(result);
        setError(undefined);
      })
      .catch((e) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [page, search, sort, order]);

  useEffect(load, [load]);

  // Live updates: reload the visible page when any cluster changes, at most twice a second.
  useEffect(() => {
    const events = new EventSource('/api/events');
    let timer: ReturnType<typeof setTimeout> | undefined;
    events.addEventListener('cluster', () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        load();
      }, 500);
    });
    return () => {
      events.close();
      if (timer) clearTimeout(timer);
    };
  }, [load]);

  const sortBy = (field: string) => {
    setOrder(sort === field && order === 'asc' ? 'desc' : 'asc');
    setSort(field);
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / limit)) : 1;

  return (
    <section>
      <h1>Clusters</h1>
      <input
        aria-label="Search clusters"
        placeholder="Search by name, namespace or provider"
        value={search}
        onChange={(e) => {
          setPage(1);
          setSearch(e.target.value);
        }}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table aria-label="Clusters">
        <thead>
          <tr>
            {COLUMNS.map(([field, label]) => (
              <th
                key={field}
                aria-sort={sort === field ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
              >
                <button type="button" onClick={() => sortBy(field)}>
                  {label}
                </button>
              </th>
            ))}
            <th>Control plane</th>
            <th>Workers</th>
            <th>Age</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((row) => (
            <tr key={`${row.namespace}/${row.name}`} data-cluster={row.name} data-namespace={row.namespace}>
              <td>
                <a href={`#/clusters/${encodeURIComponent(row.namespace)}/${encodeURIComponent(row.name)}`}>
                  {row.name}
                </a>
                <div className="muted">{row.namespace}</div>
              </td>
              <td>{row.provider}</td>
              <td>{row.kubernetesVersion}</td>
              <td>
                {row.deleting ? 'Deleting' : row.phase}
                {row.waitingFor && <div className="muted">waiting for {row.waitingFor.condition}</div>}
              </td>
              <td>
                {row.controlPlane.ready}/{row.controlPlane.desired}
              </td>
              <td>
                {row.workers.ready}/{row.workers.desired}
              </td>
              <td>{age(row.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>{' '}
        page {page} of {pages} ({data?.total ?? 0} clusters){' '}
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </p>
    </section>
  );
}
