import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError, api, type ClusterDetail, type ClusterPage } from './api.ts';

/**
 * Server state lives in one cache. Nothing is refetched on a timer or on focus:
 * the server's event stream says what changed (see useLiveUpdates), and a change
 * the user makes invalidates what it touched.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A refusal (RBAC, not found, bad parameter) does not change on a retry; a network blip might.
      retry: (failures, error) => !(error instanceof ApiError) && failures < 2,
    },
  },
});

export const queryKeys = {
  session: ['session'] as const,
  extensions: ['extensions'] as const,
  clusters: ['clusters'] as const,
  clusterList: (params: Record<string, string | number>) => ['clusters', params] as const,
  cluster: (namespace: string, name: string) => ['cluster', namespace, name] as const,
  kind: (apiGroup: string, kind: string, namespace: string) => ['kind', apiGroup, kind, namespace] as const,
};

export const clusterPath = (namespace: string, name: string) =>
  `/api/clusters/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

export function useClusterList(params: {
  page: number;
  limit: number;
  sort: string;
  order: string;
  search: string;
}) {
  return useQuery({
    queryKey: queryKeys.clusterList(params),
    queryFn: () => {
      const query = new URLSearchParams({
        page: String(params.page),
        limit: String(params.limit),
        sort: params.sort,
        order: params.order,
      });
      if (params.search) query.set('search', params.search);
      return api<ClusterPage>('GET', `/api/clusters?${query}`);
    },
    // The page the user is on stays while the next one (or a new search) loads.
    placeholderData: (previous) => previous,
  });
}

const notFound = (error: unknown) => error instanceof ApiError && error.status === 404;

/**
 * One cluster's page data. A cluster just created may reach the server's caches a
 * moment after its page opens: a 404 before it was ever seen is asked again each
 * second; a 404 after it was seen means it is gone.
 */
export function useCluster(namespace: string, name: string) {
  const query = useQuery({
    queryKey: queryKeys.cluster(namespace, name),
    queryFn: () => api<ClusterDetail>('GET', clusterPath(namespace, name)),
    refetchInterval: (q) => (notFound(q.state.error) && q.state.data === undefined ? 1_000 : false),
  });
  const missing = notFound(query.error);
  return {
    ...query,
    gone: missing && query.data !== undefined,
    notYet: missing && query.data === undefined,
  };
}

/**
 * The app's one EventSource. Each changed cluster row invalidates that cluster's
 * page and, at most twice a second, the cluster list pages; a reconnect (events
 * may have been missed) invalidates everything the stream covers.
 */
export function useLiveUpdates(enabled: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const events = new EventSource('/api/events');
    let listTimer: ReturnType<typeof setTimeout> | undefined;
    let opened = false;
    events.addEventListener('open', () => {
      if (opened) {
        void client.invalidateQueries({ queryKey: queryKeys.clusters });
        void client.invalidateQueries({ queryKey: ['cluster'] });
      }
      opened = true;
    });
    events.addEventListener('cluster', (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as { namespace: string; name: string };
      void client.invalidateQueries({ queryKey: queryKeys.cluster(change.namespace, change.name) });
      listTimer ??= setTimeout(() => {
        listTimer = undefined;
        void client.invalidateQueries({ queryKey: queryKeys.clusters });
      }, 500);
    });
    return () => {
      events.close();
      if (listTimer) clearTimeout(listTimer);
    };
  }, [enabled, client]);
}
