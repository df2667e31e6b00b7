/**
 * MachineHealthChecks (Cluster API v1beta2) for the cluster page: what a node pool's check watches
 * and how many machines it may remediate, and the one a user adds from a form. Pure: the routes
 * read and write them as the user.
 */

export const MHC_PATH = (namespace: string, name?: string) =>
  `/apis/cluster.x-k8s.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/machinehealthchecks${
    name ? `/${encodeURIComponent(name)}` : ''
  }`;

interface MachineHealthCheck {
  metadata: { name: string };
  spec?: {
    clusterName?: string;
    selector?: { matchLabels?: Record<string, string> };
    checks?: {
      nodeStartupTimeoutSeconds?: number;
      unhealthyNodeConditions?: { type: string; status: string; timeoutSeconds?: number }[];
    };
    remediation?: { triggerIf?: { unhealthyLessThanOrEqualTo?: number | string; unhealthyInRange?: string } };
  };
  status?: {
    expectedMachines?: number;
    currentHealthy?: number;
    remediationsAllowed?: number;
    targets?: string[];
  };
}

const POOL_LABELS = {
  MachineDeployment: 'cluster.x-k8s.io/deployment-name',
  KubeadmControlPlane: 'cluster.x-k8s.io/control-plane-name',
} as const;

/** A cluster's health checks as the page lists them. */
export function healthCheckRows(cluster: string, items: readonly MachineHealthCheck[]) {
  return items
    .filter((mhc) => mhc.spec?.clusterName === cluster)
    .map((mhc) => {
      const labels = mhc.spec?.selector?.matchLabels ?? {};
      const pool =
        labels[POOL_LABELS.MachineDeployment] ?? labels[POOL_LABELS.KubeadmControlPlane] ?? undefined;
      const trigger = mhc.spec?.remediation?.triggerIf;
      return {
        name: mhc.metadata.name,
        ...(pool ? { pool } : {}),
        unhealthyNodeConditions: (mhc.spec?.checks?.unhealthyNodeConditions ?? []).map(
          (c) => `${c.type}=${c.status}${c.timeoutSeconds !== undefined ? ` for ${c.timeoutSeconds}s` : ''}`,
        ),
        ...(mhc.spec?.checks?.nodeStartupTimeoutSeconds !== undefined
          ? { nodeStartupTimeoutSeconds: mhc.spec.checks.nodeStartupTimeoutSeconds }
          : {}),
        maxUnhealthy: String(trigger?.unhealthyLessThanOrEqualTo ?? trigger?.unhealthyInRange ?? '100%'),
        expectedMachines: mhc.status?.expectedMachines ?? 0,
        currentHealthy: mhc.status?.currentHealthy ?? 0,
        remediationsAllowed: mhc.status?.remediationsAllowed ?? 0,
        targets: mhc.status?.targets ?? [],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface HealthCheckRequest {
  kind: keyof typeof POOL_LABELS;
  pool: string;
  /** How long a node may be NotReady or Unknown before its machine is remediated. */
  unhealthySeconds: number;
  /** How long a new machine may take to become a node. */
  nodeStartupSeconds: number;
  /** Remediate only while at most this many (a number or a percentage) are unhealthy. */
  maxUnhealthy: string;
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Reads the form; every bad field is named. */
export function parseHealthCheckRequest(
  body: unknown,
): { request: HealthCheckRequest } | { problems: { field: string; message: string }[] } {
  const b = (body ?? {}) as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  if (b.kind !== 'MachineDeployment' && b.kind !== 'KubeadmControlPlane')
    problems.push({ field: 'kind', message: 'kind must be MachineDeployment or KubeadmControlPlane' });
  if (typeof b.pool !== 'string' || !DNS_NAME.test(b.pool))
    problems.push({ field: 'pool', message: 'pool must be the name of a node pool' });
  const seconds = (field: string, value: unknown, min: number) => {
    const n = value === undefined ? undefined : Number(value);
    if (n === undefined || !Number.isInteger(n) || n < min || n > 86_400)
      problems.push({ field, message: `${field} must be a whole number of seconds from ${min} to 86400` });
    return n ?? 0;
  };
  const unhealthySeconds = seconds('unhealthySeconds', b.unhealthySeconds ?? 300, 30);
  const nodeStartupSeconds = seconds('nodeStartupSeconds', b.nodeStartupSeconds ?? 600, 60);
  const maxUnhealthy = String(b.maxUnhealthy ?? '40%');
  if (!/^(\d+|([1-9]\d?|100)%)$/.test(maxUnhealthy))
    problems.push({
      field: 'maxUnhealthy',
      message: 'maxUnhealthy must be a number of machines or a percentage such as 40%',
    });
  if (problems.length > 0) return { problems };
  return {
    request: {
      kind: b.kind as HealthCheckRequest['kind'],
      pool: b.pool as string,
      unhealthySeconds,
      nodeStartupSeconds,
      maxUnhealthy,
    },
  };
}

/** The MachineHealthCheck for one node pool: NotReady or Unknown nodes remediated after the timeout. */
export function healthCheckObject(namespace: string, cluster: string, request: HealthCheckRequest) {
  const max = /^\d+$/.test(request.maxUnhealthy) ? Number(request.maxUnhealthy) : request.maxUnhealthy;
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'MachineHealthCheck',
    metadata: {
      name: `${request.pool}-health`,
      namespace,
      labels: { 'cluster.x-k8s.io/cluster-name': cluster },
    },
    spec: {
      clusterName: cluster,
      selector: { matchLabels: { [POOL_LABELS[request.kind]]: request.pool } },
      checks: {
        nodeStartupTimeoutSeconds: request.nodeStartupSeconds,
        unhealthyNodeConditions: [
          { type: 'Ready', status: 'False', timeoutSeconds: request.unhealthySeconds },
          { type: 'Ready', status: 'Unknown', timeoutSeconds: request.unhealthySeconds },
        ],
      },
      remediation: { triggerIf: { unhealthyLessThanOrEqualTo: max } },
    },
  };
}
