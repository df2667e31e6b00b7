/** The objects of one cluster, as the caches hold them (v1beta2 shapes, loosely typed). */
export interface ClusterObjects {
  cluster: KubeItem;
  controlPlane?: KubeItem;
  machineDeployments: KubeItem[];
  machines: KubeItem[];
}

export interface KubeItem {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
    finalizers?: string[];
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ReplicaCount {
  ready: number;
  desired: number;
}

export interface ClusterRow {
  namespace: string;
  name: string;
  provider: string;
  kubernetesVersion: string;
  phase: string;
  controlPlane: ReplicaCount;
  workers: ReplicaCount;
  createdAt: string;
  deleting: boolean;
  /** What the cluster waits for, when it is not ready: the condition, its reason and message. */
  waitingFor?: { condition: string; reason?: string; message?: string };
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const num = (value: unknown) => (typeof value === 'number' ? value : 0);
// client-node's informers may hand timestamps over as Date objects.
const timestamp = (value: string | Date | undefined) =>
  value === undefined ? '' : value instanceof Date ? value.toISOString() : value;

/** `DCSCluster` -> `dcs`; unknown kinds keep their lower-cased name. */
export function providerOf(cluster: KubeItem): string {
  const ref = cluster.spec?.infrastructureRef as { kind?: string } | undefined;
  if (!ref?.kind) return 'unknown';
  return ref.kind.replace(/Cluster$/, '').toLowerCase();
}

// The order in which a cluster comes up; the first of these not yet True is what it waits for.
const LIFECYCLE_CONDITIONS = [
  'InfrastructureReady',
  'ControlPlaneInitialized',
  'ControlPlaneAvailable',
  'WorkersAvailable',
];

export function clusterRow(objects: ClusterObjects): ClusterRow {
  const { cluster, controlPlane, machineDeployments } = objects;
  const status = cluster.status ?? {};
  const conditions = (status.conditions as Condition[] | undefined) ?? [];
  const waiting = LIFECYCLE_CONDITIONS.map((type) => conditions.find((c) => c.type === type)).find(
    (c) => c !== undefined && c.status !== 'True',
  );
  const row: ClusterRow = {
    namespace: cluster.metadata.namespace ?? '',
    name: cluster.metadata.name,
    provider: providerOf(cluster),
    kubernetesVersion:
      (controlPlane?.spec?.version as string | undefined) ??
      (cluster.spec?.topology as { version?: string } | undefined)?.version ??
      '',
    phase: (status.phase as string | undefined) ?? 'Pending',
    controlPlane: {
      ready: num(controlPlane?.status?.readyReplicas),
      desired: num(controlPlane?.spec?.replicas),
    },
    workers: machineDeployments.reduce<ReplicaCount>(
      (sum, md) => ({
        ready: sum.ready + num(md.status?.readyReplicas),
        desired: sum.desired + num(md.spec?.replicas),
      }),
      { ready: 0, desired: 0 },
    ),
    createdAt: timestamp(cluster.metadata.creationTimestamp),
    deleting: cluster.metadata.deletionTimestamp !== undefined,
  };
  if (waiting) {
    row.waitingFor = {
      condition: waiting.type,
      ...(waiting.reason ? { reason: waiting.reason } : {}),
      ...(waiting.message ? { message: waiting.message } : {}),
    };
  }
  return row;
}

export const SORT_FIELDS = [
  'name',
  'namespace',
  'provider',
  'kubernetesVersion',
  'phase',
  'createdAt',
] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface ClusterQuery {
  page: number;
  limit: number;
  sort: SortField;
  order: 'asc' | 'desc';
  /** Substring of name, namespace or provider. */
  search?: string;
  provider?: string;
  phase?: string;
}

export interface ClusterPage {
  items: ClusterRow[];
  total: number;
  page: number;
  limit: number;
}

/** Filters, sorts and pages rows; `visible` says which namespaces the user may list. */
export function queryClusters(
  rows: Iterable<ClusterRow>,
  query: ClusterQuery,
  visible: (namespace: string) => boolean,
): ClusterPage {
  const search = query.search?.toLowerCase();
  const matching: ClusterRow[] = [];
  for (const row of rows) {
    if (!visible(row.namespace)) continue;
    if (query.provider && row.provider !== query.provider) continue;
    if (query.phase && row.phase !== query.phase) continue;
    if (search && !`${row.namespace}/${row.name} ${row.provider}`.toLowerCase().includes(search)) continue;
    matching.push(row);
  }
  const direction = query.order === 'desc' ? -1 : 1;
  matching.sort(
    (a, b) =>
      direction *
      (String(a[query.sort]).localeCompare(String(b[query.sort])) || a.name.localeCompare(b.name)),
  );
  const start = (query.page - 1) * query.limit;
  return {
    items: matching.slice(start, start + query.limit),
    total: matching.length,
    page: query.page,
    limit: query.limit,
  };
}

/** Reads a list query from URL parameters; every problem is named, none thrown. */
export function parseClusterQuery(
  params: Record<string, string | undefined>,
): { query: ClusterQuery } | { problems: string[] } {
  const problems: string[] = [];
  const page = params.page === undefined ? 1 : Number(params.page);
  const limit = params.limit === undefined ? 50 : Number(params.limit);
  if (!Number.isInteger(page) || page < 1) problems.push('page must be a whole number from 1');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    problems.push('limit must be a whole number from 1 to 500');
  const sort = (params.sort ?? 'name') as SortField;
  if (!SORT_FIELDS.includes(sort)) problems.push(`sort must be one of ${SORT_FIELDS.join(', ')}`);
  const order = params.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') problems.push('order must be asc or desc');
  if (problems.length > 0) return { problems };
  return {
    query: {
      page,
      limit,
      sort,
      order: order as 'asc' | 'desc',
      ...(params.search ? { search: params.search } : {}),
      ...(params.provider ? { provider: params.provider } : {}),
      ...(params.phase ? { phase: params.phase } : {}),
    },
  };
}
