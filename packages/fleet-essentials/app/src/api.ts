/** The server's JSON API, with the CSRF token on every change and its error messages kept. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
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
    );
  }
  return payload as T;
}

export interface ClusterRow {
  namespace: string;
  name: string;
  provider: string;
  kubernetesVersion: string;
  phase: string;
  controlPlane: { ready: number; desired: number };
  workers: { ready: number; desired: number };
  createdAt: string;
  deleting: boolean;
  waitingFor?: { condition: string; reason?: string; message?: string };
}

export interface ClusterPage {
  items: ClusterRow[];
  total: number;
  page: number;
  limit: number;
}

export interface ClusterDetail {
  row: ClusterRow;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  finalizers: string[];
  deletionTimestamp?: string;
  controlPlane?: { name: string; replicas: number; readyReplicas: number; version: string };
  nodePools: { kind: string; name: string; replicas: number; readyReplicas: number; version?: string }[];
  machines: {
    name: string;
    phase?: string;
    providerID?: string;
    nodeName?: string;
    version?: string;
    owner?: string;
  }[];
}

export interface ExtensionInfo {
  id: string;
  load: boolean;
  reason?: string;
  bundleUrl?: string;
  manifest?: {
    name: string;
    version: string;
    provider: string;
    extensions: { anchor: string; id: string; title: string; export: string }[];
  };
}
