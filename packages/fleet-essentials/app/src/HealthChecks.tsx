import { Button } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, type ClusterDetail } from './api.ts';
import { poolsOf } from './NodePools.tsx';
import { clusterPath } from './query.ts';

interface HealthCheckRow {
  name: string;
  pool?: string;
  unhealthyNodeConditions: string[];
  nodeStartupTimeoutSeconds?: number;
  maxUnhealthy: string;
  expectedMachines: number;
  currentHealthy: number;
  remediationsAllowed: number;
  targets: string[];
}

/**
 * The cluster's MachineHealthChecks: what each watches, how many machines are healthy and how many
 * it may still remediate; a check added for a node pool from a short form; each deletable. All as
 * the user: RBAC decides, and a refusal is shown in the API server's words.
 */
export function HealthChecks({
  namespace,
  name,
  detail,
  version,
}: {
  namespace: string;
  name: string;
  detail: ClusterDetail;
  /** Changes whenever the cluster's page data changes. */
  version: string;
}) {
  const pools = poolsOf(detail);
  const [pool, setPool] = useState(pools[0] ? `${pools[0].kind}/${pools[0].name}` : '');
  const [unhealthySeconds, setUnhealthySeconds] = useState('300');
  const [maxUnhealthy, setMaxUnhealthy] = useState('40%');
  const [problem, setProblem] = useState<{ field?: string | undefined; message: string } | undefined>();
  const [changes, setChanges] = useState(0);
  const { data, error } = useQuery({
    queryKey: ['health-checks', namespace, name, version, changes],
    queryFn: () =>
      api<{ healthChecks: HealthCheckRow[] }>('GET', `${clusterPath(namespace, name)}/health-checks`),
    placeholderData: (previous) => previous,
  });
  const run = async (call: () => Promise<unknown>) => {
    setProblem(undefined);
    try {
      await call();
      setChanges((n) => n + 1);
    } catch (e) {
      setProblem({ field: e instanceof ApiError ? e.field : undefined, message: (e as Error).message });
    }
  };
  const add = () => {
    const [kind, poolName] = pool.split('/');
    return run(() =>
      api('POST', `${clusterPath(namespace, name)}/health-checks`, {
        kind,
        pool: poolName,
        unhealthySeconds: Number(unhealthySeconds),
        maxUnhealthy,
      }),
    );
  };
  const rows = data?.healthChecks ?? [];
  return (
    <div>
      {error && (
        <p role="alert" className="error">
          Health checks unavailable: {error.message}
        </p>
      )}
      {rows.length === 0 && !error ? (
        <p role="status">No MachineHealthCheck watches this cluster's machines.</p>
      ) : (
        <Table aria-label="Machine health checks" variant="compact" role="table">
          <Thead>
            <Tr>
              <Th>Name</Th>
              <Th>Pool</Th>
              <Th>Unhealthy when</Th>
              <Th>Healthy</Th>
              <Th>Remediations allowed</Th>
              <Th>Being remediated or watched</Th>
              <Th screenReaderText="Actions" />
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((mhc) => (
              <Tr key={mhc.name} data-health-check={mhc.name}>
                <Td dataLabel="Name">{mhc.name}</Td>
                <Td dataLabel="Pool">{mhc.pool ?? ''}</Td>
                <Td dataLabel="Unhealthy when">
                  {mhc.unhealthyNodeConditions.join(', ')}
                  {mhc.nodeStartupTimeoutSeconds !== undefined
                    ? `; no node after ${mhc.nodeStartupTimeoutSeconds}s`
                    : ''}
                  ; remediates while at most {mhc.maxUnhealthy} unhealthy
                </Td>
                <Td dataLabel="Healthy">
                  {mhc.currentHealthy}/{mhc.expectedMachines}
                </Td>
                <Td dataLabel="Remediations allowed">{mhc.remediationsAllowed}</Td>
                <Td dataLabel="Being remediated or watched">{mhc.targets.join(', ')}</Td>
                <Td dataLabel="Actions">
                  <Button
                    variant="link"
                    isDanger
                    aria-label={`Delete health check ${mhc.name}`}
                    onClick={() =>
                      void run(() =>
                        api(
                          'DELETE',
                          `/api/health-checks/${encodeURIComponent(namespace)}/${encodeURIComponent(mhc.name)}`,
                        ),
                      )
                    }
                  >
                    Delete
                  </Button>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      <form
        aria-label="Add a health check"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label>
          Pool{' '}
          <select aria-label="Health check pool" value={pool} onChange={(e) => setPool(e.target.value)}>
            {pools.map((p) => (
              <option key={`${p.kind}/${p.name}`} value={`${p.kind}/${p.name}`}>
                {p.name}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Node not ready for (seconds){' '}
          <input
            aria-label="Unhealthy after seconds"
            value={unhealthySeconds}
            onChange={(e) => setUnhealthySeconds(e.target.value)}
          />
        </label>{' '}
        <label>
          Remediate while at most{' '}
          <input
            aria-label="Max unhealthy"
            value={maxUnhealthy}
            onChange={(e) => setMaxUnhealthy(e.target.value)}
          />{' '}
          unhealthy
        </label>{' '}
        <Button type="submit" variant="secondary">
          Add health check
        </Button>
      </form>
      {problem && (
        <p role="alert" className="error" data-field={problem.field}>
          {problem.message}
        </p>
      )}
    </div>
  );
}
