import {
  Alert,
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  PageSection,
  Pagination,
  SearchInput,
  Spinner,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import SearchIcon from '@patternfly/react-icons/dist/esm/icons/search-icon';
import { Table, Tbody, Td, Th, Thead, type ThProps, Tr } from '@patternfly/react-table';
import { useState } from 'react';
import { useClusterList } from './query.ts';
import { ReadyProgress, StatusLabel } from './status.tsx';

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
  const [limit, setLimit] = useState(50);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<string>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const { data, error, isPending } = useClusterList({ page, limit, sort, order, search });

  const sortedIndex = COLUMNS.findIndex(([f]) => f === sort);
  const sortParams = (field: string, index: number): NonNullable<ThProps['sort']> => ({
    sortBy: { index: sortedIndex, direction: order, defaultDirection: 'asc' },
    onSort: (_event, _index, direction) => {
      setSort(field);
      setOrder(direction);
    },
    columnIndex: index,
  });

  return (
    <PageSection>
      <Title headingLevel="h1">Clusters</Title>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Search clusters"
              placeholder="Search by name, namespace or provider"
              value={search}
              onChange={(_event, value) => {
                setPage(1);
                setSearch(value);
              }}
              onClear={() => {
                setPage(1);
                setSearch('');
              }}
            />
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="primary" component="a" href="#/create/default">
              Create cluster
            </Button>
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
            <Pagination
              itemCount={data?.total ?? 0}
              page={page}
              perPage={limit}
              perPageOptions={[20, 50, 100].map((n) => ({ title: String(n), value: n }))}
              onSetPage={(_event, next) => setPage(next)}
              onPerPageSelect={(_event, perPage) => {
                setPage(1);
                setLimit(perPage);
              }}
              titles={{ paginationAriaLabel: 'Cluster list pages' }}
              isCompact
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {error && <Alert variant="danger" isInline title={error.message} role="alert" className="error" />}
      <Table aria-label="Clusters" variant="compact" role="table">
        <Thead>
          <Tr>
            {COLUMNS.map(([field, label], index) => (
              <Th key={field} sort={sortParams(field, index)} modifier="nowrap">
                {label}
              </Th>
            ))}
            <Th>Control plane</Th>
            <Th>Workers</Th>
            <Th>Age</Th>
          </Tr>
        </Thead>
        <Tbody>
          {data?.items.map((row) => (
            <Tr key={`${row.namespace}/${row.name}`} data-cluster={row.name} data-namespace={row.namespace}>
              <Td dataLabel="Name">
                <a href={`#/clusters/${encodeURIComponent(row.namespace)}/${encodeURIComponent(row.name)}`}>
                  {row.name}
                </a>
                <div className="muted">{row.namespace}</div>
              </Td>
              <Td dataLabel="Provider">{row.provider}</Td>
              <Td dataLabel="Kubernetes">{row.kubernetesVersion}</Td>
              <Td dataLabel="Phase">
                <StatusLabel status={row.deleting ? 'Deleting' : row.phase} />
                {row.waitingFor && <div className="muted">waiting for {row.waitingFor.condition}</div>}
              </Td>
              <Td dataLabel="Control plane">
                <ReadyProgress
                  ready={row.controlPlane.ready}
                  desired={row.controlPlane.desired}
                  label={`Control plane machines of ${row.name} ready`}
                />
              </Td>
              <Td dataLabel="Workers">
                <ReadyProgress
                  ready={row.workers.ready}
                  desired={row.workers.desired}
                  label={`Worker machines of ${row.name} ready`}
                />
              </Td>
              <Td dataLabel="Age">{age(row.createdAt)}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      {isPending && (
        <EmptyState titleText="Loading the fleet" headingLevel="h2" icon={Spinner} variant="sm" />
      )}
      {data && data.items.length === 0 && (
        <EmptyState
          titleText={search ? 'No match' : 'No cluster yet'}
          headingLevel="h2"
          icon={SearchIcon}
          variant="sm"
        >
          <EmptyStateBody>
            {search
              ? `Nothing you may see matches “${search}”.`
              : 'There is no cluster in the namespaces you may list.'}
          </EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              {search ? (
                <Button variant="link" onClick={() => setSearch('')}>
                  Clear the search
                </Button>
              ) : (
                <Button variant="primary" component="a" href="#/create/default">
                  Create one
                </Button>
              )}
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      )}
      <p className="muted ii-total">{data?.total ?? 0} clusters</p>
    </PageSection>
  );
}
