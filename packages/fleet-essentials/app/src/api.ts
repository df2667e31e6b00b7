// The wire types are the server's own (modules of pure types and logic, no server dependencies),
// so the two sides cannot drift apart.
import type { ClusterPage, ClusterRow } from '../../src/server/cluster-rows.ts';
import type { ApplyReport, ObjectReport } from '../../src/server/manifest-report.ts';
import type { UpgradePlan } from '../../src/server/rollout-plan.ts';

export type { ApplyReport, ClusterPage, ClusterRow, ObjectReport, UpgradePlan };

/** The server's JSON API, with the CSRF token on every change and its error messages kept. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** The whole answer, for routes that explain a refusal in detail (e.g. a per-object report). */
    readonly payload?: unknown,
  ) {
    super(message);
  }
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function csrfHeader(method: string): Record<string, string> {
  return method === 'GET' || method === 'HEAD' ? {} : { 'x-csrf-token': csrfToken };
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const payload = (await response.json().catch(() => ({}))) as {
    error?: { message: string; field?: string };
  };
  if (!response.ok) {
    throw new ApiError(
      response.status,
      payload.error?.message ?? `HTTP ${response.status}`,
      payload.error?.field,
      payload,
    );
  }
  return payload as T;
}

export interface ClusterDetail {
  row: ClusterRow;
  /** Whether RBAC lets the signed-in user read the cluster's <name>-kubeconfig Secret. */
  kubeconfigReadable?: boolean;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  finalizers: string[];
  deletionTimestamp?: string;
  controlPlane?: {
    name: string;
    replicas: number;
    readyReplicas: number;
    upToDateReplicas?: number;
    version: string;
    template?: ObjectRef;
  };
  nodePools: {
    kind: string;
    name: string;
    replicas: number;
    readyReplicas: number;
    upToDateReplicas?: number;
    version?: string;
    template?: ObjectRef;
    bootstrap?: ObjectRef;
    /** The rollout's maxSurge as written (count or percentage); absent for Cluster API's default. */
    maxSurge?: number | string;
    deleting?: boolean;
  }[];
  machines: {
    name: string;
    phase?: string;
    providerID?: string;
    nodeName?: string;
    version?: string;
    owner?: string;
    pool?: string;
    infrastructureRef?: ObjectRef;
    /** The first of the Machine's progress conditions that is not True, with the provider's words. */
    waitingFor?: { condition: string; reason?: string; message?: string };
  }[];
}

export interface ExtensionInfo {
  id: string;
  load: boolean;
  reason?: string;
  /** Manifest entries this host skipped (anchors of a later anchor API). */
  notes?: string[];
  bundleUrl?: string;
  manifest?: {
    name: string;
    version: string;
    provider: string;
    extensions: { anchor: string; id: string; title: string; export: string; order?: number }[];
  };
}

export interface ObjectRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** Creates objects as the user (dry run of all first); the report comes back either way. */
export async function applyManifests(namespace: string, manifests: readonly unknown[]): Promise<ApplyReport> {
  try {
    return await api<ApplyReport>('POST', '/api/manifests', { namespace, manifests });
  } catch (e) {
    if (e instanceof ApiError && (e.payload as ApplyReport | undefined)?.objects)
      return e.payload as ApplyReport;
    throw e;
  }
}
