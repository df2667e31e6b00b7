/**
 * What a node pool upgrade reads and writes through the host, as the user:
 * the pool, its cluster and control plane, the machine template and
 * bootstrap template it uses; then the new templates, the pool's one patch
 * and the Cluster's. Cluster API objects in v1beta2, as Fleet Essentials reads them.
 */
import type { HostApi, KubernetesManifest } from '@immutable-infra/core';
import {
  type PlatformUpgradeSpec,
  type PoolStatus,
  sameRevision,
  type UpgradeCheck,
  type UpgradeObject,
  valueAt,
} from './upgrade-plan.js';

type Json = Record<string, unknown>;
const CAPI = '/apis/cluster.x-k8s.io/v1beta2';
const CONTROL_PLANE = '/apis/controlplane.cluster.x-k8s.io/v1beta2';
const BOOTSTRAP = '/apis/bootstrap.cluster.x-k8s.io/v1beta2';

const ns = (namespace: string) => `/namespaces/${encodeURIComponent(namespace)}`;

/** A node pool as the `node-pool.action` anchor names it. */
export interface NodePoolRef {
  kind: PoolStatus['kind'];
  name: string;
}

/** The API path of a KubeadmControlPlane or MachineDeployment. */
export const poolPath = (namespace: string, pool: { kind: string; name: string }) =>
  pool.kind === 'KubeadmControlPlane'
    ? `${CONTROL_PLANE}${ns(namespace)}/kubeadmcontrolplanes/${encodeURIComponent(pool.name)}`
    : `${CAPI}${ns(namespace)}/machinedeployments/${encodeURIComponent(pool.name)}`;

/** The API path of a namespace's KubeadmConfigTemplates. */
export const kubeadmConfigTemplatesPath = (namespace: string) =>
  `${BOOTSTRAP}${ns(namespace)}/kubeadmconfigtemplates`;

/** The host rejects with the API server's Status (code 404) or an object saying so; both count. */
function isNotFound(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; reason?: unknown };
  return e.code === 404 || e.status === 404 || e.statusCode === 404 || e.reason === 'NotFound';
}

/** GET of one object, or undefined when there is none (404). */
export async function readObjectIfAny<T = UpgradeObject>(api: HostApi, path: string): Promise<T | undefined> {
  try {
    return await api.kubernetes<T>({ method: 'GET', path });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The objects a pool's upgrade starts from. */
export interface PoolObjects {
  cluster: UpgradeObject | undefined;
  pool: UpgradeObject;
  /** The cluster's KubeadmControlPlane (the pool itself for the control plane's upgrade). */
  controlPlane: UpgradeObject;
  /** The pool's machine template, when it exists. */
  template: UpgradeObject | undefined;
  /** A worker pool's KubeadmConfigTemplate, when it exists. */
  bootstrap: UpgradeObject | undefined;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The machine template a pool's machines are made from (`infrastructureRef.name`). */
export function templateNameOf(kind: PoolStatus['kind'], pool: UpgradeObject): string | undefined {
  return kind === 'KubeadmControlPlane'
    ? str(valueAt(pool.spec, 'machineTemplate', 'spec', 'infrastructureRef', 'name'))
    : str(valueAt(pool.spec, 'template', 'spec', 'infrastructureRef', 'name'));
}

/**
 * Reads the pool, its Cluster and the Cluster's control plane, then the
 * pool's machine template (at `machineTemplatesPath`, the collection of the
 * platform's kind in the namespace) and a worker's bootstrap template.
 */
export async function loadPoolObjects(
  api: HostApi,
  namespace: string,
  clusterName: string,
  nodePool: NodePoolRef,
  machineTemplatesPath: string,
): Promise<PoolObjects> {
  const [cluster, pool] = await Promise.all([
    readObjectIfAny(api, `${CAPI}${ns(namespace)}/clusters/${encodeURIComponent(clusterName)}`),
    api.kubernetes<UpgradeObject>({ method: 'GET', path: poolPath(namespace, nodePool) }),
  ]);
  const controlPlaneName = str(valueAt(cluster?.spec, 'controlPlaneRef', 'name'));
  const templateName = templateNameOf(nodePool.kind, pool);
  const bootstrapName =
    nodePool.kind === 'MachineDeployment'
      ? str(valueAt(pool.spec, 'template', 'spec', 'bootstrap', 'configRef', 'name'))
      : undefined;
  const [controlPlane, template, bootstrap] = await Promise.all([
    nodePool.kind === 'KubeadmControlPlane' || !controlPlaneName
      ? undefined
      : api.kubernetes<UpgradeObject>({
          method: 'GET',
          path: poolPath(namespace, { kind: 'KubeadmControlPlane', name: controlPlaneName }),
        }),
    templateName
      ? readObjectIfAny(api, `${machineTemplatesPath}/${encodeURIComponent(templateName)}`)
      : undefined,
    bootstrapName
      ? readObjectIfAny(api, `${kubeadmConfigTemplatesPath(namespace)}/${encodeURIComponent(bootstrapName)}`)
      : undefined,
  ]);
  return { cluster, pool, controlPlane: controlPlane ?? pool, template, bootstrap };
}

/** The problem of a pool whose machine template is gone. */
export const MISSING_TEMPLATE = 'The machine template this pool uses does not exist';

/** A check with {@link MISSING_TEMPLATE} added when the pool's machine template does not exist. */
export function withTemplateCheck<R>(
  check: UpgradeCheck<R>,
  template: UpgradeObject | undefined,
): UpgradeCheck<R> {
  if (template) return check;
  return {
    ok: false,
    target: check.target,
    problems: [...(check.ok ? [] : check.problems), MISSING_TEMPLATE],
  };
}

/** The writes of one pool's upgrade. */
export interface PlannedUpgrade {
  /** The new machine template and bootstrap template, created first. */
  create: KubernetesManifest[];
  /** The pool's one JSON merge patch. */
  patch: Json;
  /** The Cluster's JSON merge patch (Kube-OVN), after the pool's. */
  clusterPatch: Json | undefined;
  templateName: string;
}

/**
 * Creates the new templates (one already there from an interrupted run is
 * used if it is the same, refused otherwise), then patches the pool in one
 * edit, then the Cluster. The API server's refusal propagates as the host's
 * error, with its message.
 */
export async function applyUpgrade(
  api: HostApi,
  target: { namespace: string; clusterName: string; nodePool: { kind: string; name: string } },
  planned: PlannedUpgrade,
  platform: PlatformUpgradeSpec & { machineTemplatesPath: string },
): Promise<void> {
  const { namespace, clusterName, nodePool } = target;
  for (const manifest of planned.create) {
    const path =
      manifest.kind === platform.machineTemplateKind
        ? platform.machineTemplatesPath
        : kubeadmConfigTemplatesPath(namespace);
    const existing = await readObjectIfAny(api, `${path}/${encodeURIComponent(manifest.metadata.name)}`);
    if (existing) {
      if (!sameRevision(existing, manifest, platform))
        throw new Error(
          `${manifest.kind} ${manifest.metadata.name} already exists with other settings; it is not replaced`,
        );
      continue;
    }
    await api.kubernetes({ method: 'POST', path, body: manifest });
  }
  await api.kubernetes({ method: 'PATCH', path: poolPath(namespace, nodePool), body: planned.patch });
  if (planned.clusterPatch)
    await api.kubernetes({
      method: 'PATCH',
      path: `${CAPI}${ns(namespace)}/clusters/${encodeURIComponent(clusterName)}`,
      body: planned.clusterPatch,
    });
}
