import { Label } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import { clusterPath } from './query.ts';

export interface ClusterEvent {
  time: string;
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
  source: string;
}

/**
 * The cluster's events, newest first: what the controllers said about the Cluster, its control
 * plane, node pools and machines (Warnings marked), read as the user. The page's data changing
 * (the event stream) reads them again.
 */
export function EventsTimeline({
  namespace,
  name,
  version,
}: {
  namespace: string;
  name: string;
  /** Changes whenever the cluster's page data changes. */
  version: string;
}) {
  const { data, error, isPending } = useQuery({
    queryKey: ['cluster-events', namespace, name, version],
    queryFn: () => api<{ events: ClusterEvent[] }>('GET', `${clusterPath(namespace, name)}/events`),
    placeholderData: (previous) => previous,
  });
  if (error)
    return (
      <p role="alert" className="error">
        Events unavailable: {error.message}
      </p>
    );
  if (isPending) return <p className="muted">Loading events…</p>;
  const events = data?.events ?? [];
  if (events.length === 0) return <p role="status">No events for this cluster's objects.</p>;
  return (
    <Table aria-label="Events" variant="compact" role="table">
      <Thead>
        <Tr>
          <Th>Time</Th>
          <Th>Type</Th>
          <Th>Reason</Th>
          <Th>Object</Th>
          <Th>Message</Th>
          <Th>Source</Th>
        </Tr>
      </Thead>
      <Tbody>
        {events.map((e) => (
          <Tr key={`${e.time}/${e.object}/${e.reason}/${e.message}`} data-event-reason={e.reason}>
            <Td dataLabel="Time">{e.time ? new Date(e.time).toLocaleString() : ''}</Td>
            <Td dataLabel="Type">
              {e.type === 'Warning' ? (
                <Label color="orange">Warning</Label>
              ) : (
                <Label color="grey">{e.type}</Label>
              )}
            </Td>
            <Td dataLabel="Reason">{e.reason}</Td>
            <Td dataLabel="Object">{e.object}</Td>
            <Td dataLabel="Message">
              {e.message}
              {e.count > 1 ? <span className="muted"> (×{e.count})</span> : null}
            </Td>
            <Td dataLabel="Source">{e.source}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
