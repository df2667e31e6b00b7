import type { HostApi, KubernetesManifest } from '@immutable-infra/core';
import {
  basePath,
  type KubeObject,
  listObjects,
  listVersions,
  readObject,
  type VersionRecord,
} from '../catalog/resources.js';
import {
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  kubeOvnPatch,
  type PoolStatus,
  poolStatusOf,
  sameTemplate,
  type UpgradeCheck,
  workerChange,
} from './upgrade-plan.js';

/*
 * What the upgrade action reads and writes through the host, as the user.
 * Cluster API objects in v1beta2, as Fleet Essentials reads them.
 */

type Json = Record<string, unknown>;
const CAPI = '/apis/cluster.x-k8s.io/v1beta2';
const CONTROL_PLANE = '/apis/controlplane.cluster.x-k8s.io/v1beta2';
const BOOTSTRAP = '/apis/bootstrap.cluster.x-k8s.io/v1beta2';

const ns = (namespace: string) => `/namespaces/${encodeURIComponent(namespace)}`;
export const poolPath = (namespace: string, pool: { kind: string; name: string }) =>
  pool.kind === 'KubeadmControlPlane'
    ? `${CONTROL_PLANE}${ns(namespace)}/kubeadmcontrolplanes/${encodeURIComponent(pool.name)}`
    : `${CAPI}${ns(namespace)}/machinedeployments/${encodeURIComponent(pool.name)}`;

function pathOf(manifest: KubernetesManifest, namespace: string): string {
  if (manifest.kind === 'DCSMachineTemplate') return basePath(namespace, 'dcsmachinetemplates');
  return `${BOOTSTRAP}${ns(namespace)}/kubeadmconfigtemplates`;
}

const at = (object: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], object);

export interface UpgradeFacts {
  cluster: KubeObject | undefined;
  pool: KubeObject;
  controlPlane: KubeObject;
  template: KubeObject | undefined;
  bootstrap: KubeObject | undefined;
  releases: VersionRecord[];
  secrets: Set<string>;
}

/** Reads the pool, its cluster's control plane, their templates, the version ConfigMaps and the Secret names. */
export async function loadUpgradeFacts(
  api: HostApi,
  namespace: string,
  clusterName: string,
  nodePool: { kind: PoolStatus['kind']; name: string },
): Promise<UpgradeFacts> {
  const cluster = await readObject<KubeObject>(
    api,
    `${CAPI}${ns(namespace)}/clusters/${encodeURIComponent(clusterName)}`,
  );
  const controlPlaneName = str(at(cluster?.spec, 'controlPlaneRef', 'name'));
  const [pool, controlPlane, releases, secrets] = await Promise.all([
    api.kubernetes<KubeObject>({ method: 'GET', path: poolPath(namespace, nodePool) }),
    nodePool.kind === 'KubeadmControlPlane' || !controlPlaneName
      ? undefined
      : api.kubernetes<KubeObject>({
          method: 'GET',
          path: poolPath(namespace, { kind: 'KubeadmControlPlane', name: controlPlaneName }),
        }),
    listVersions(api, namespace),
    listObjects<KubeObject>(api, `/api/v1${ns(namespace)}/secrets`),
  ]);
  const templateName =
    nodePool.kind === 'KubeadmControlPlane'
      ? str(at(pool.spec, 'machineTemplate', 'spec', 'infrastructureRef', 'name'))
      : str(at(pool.spec, 'template', 'spec', 'infrastructureRef', 'name'));
  const bootstrapName =
    nodePool.kind === 'MachineDeployment'
      ? str(at(pool.spec, 'template', 'spec', 'bootstrap', 'configRef', 'name'))
      : undefined;
  const [template, bootstrap] = await Promise.all([
    templateName
      ? readObject<KubeObject>(
          api,
          `${basePath(namespace, 'dcsmachinetemplates')}/${encodeURIComponent(templateName)}`,
        )
      : undefined,
    bootstrapName
      ? readObject<KubeObject>(
          api,
          `${BOOTSTRAP}${ns(namespace)}/kubeadmconfigtemplates/${encodeURIComponent(bootstrapName)}`,
        )
      : undefined,
  ]);
  return {
    cluster,
    pool,
    controlPlane: controlPlane ?? pool,
    template,
    bootstrap,
    releases,
    secrets: new Set(secrets.map((s) => s.metadata.name)),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The documented constraints for this pool, plus what the facts lack (its machine template). */
export function checkPool(kind: PoolStatus['kind'], facts: UpgradeFacts): UpgradeCheck {
  const pool = poolStatusOf(kind, facts.pool);
  const check =
    kind === 'KubeadmControlPlane'
      ? checkControlPlane(pool, facts.releases, facts.secrets)
      : checkWorker(
          pool,
          poolStatusOf('KubeadmControlPlane', facts.controlPlane),
          facts.releases,
          facts.secrets,
        );
  if (facts.template) return check;
  const problem = 'The machine template this pool uses does not exist';
  return { ok: false, target: check.target, problems: [...(check.ok ? [] : check.problems), problem] };
}

export interface Planned {
  create: KubernetesManifest[];
  patch: Json;
  clusterPatch: Json | undefined;
  templateName: string;
}

export function planUpgrade(kind: PoolStatus['kind'], facts: UpgradeFacts, target: VersionRecord): Planned {
  const template = facts.template as KubeObject;
  if (kind === 'KubeadmControlPlane') {
    const change = controlPlaneChange(facts.pool, template, target);
    return { ...change, clusterPatch: kubeOvnPatch(facts.cluster, target.kubeOvnVersion) };
  }
  const change = workerChange(facts.pool, template, facts.bootstrap, target);
  return { ...change, clusterPatch: undefined };
}

/**
 * Creates the new templates (one already there from an interrupted run is
 * used if it is the same, refused otherwise), then patches the pool in one
 * edit, then the Cluster's Kube-OVN annotation. The API server's refusal
 * propagates as the host's error, with its message.
 */
export async function applyUpgrade(
  api: HostApi,
  namespace: string,
  pool: { kind: string; name: string },
  planned: Planned,
  clusterName: string,
): Promise<void> {
  for (const manifest of planned.create) {
    const path = pathOf(manifest, namespace);
    const existing = await readObject<KubeObject>(
      api,
      `${path}/${encodeURIComponent(manifest.metadata.name)}`,
    );
    if (existing) {
      if (!sameTemplate(existing, manifest))
        throw new Error(
          `${manifest.kind} ${manifest.metadata.name} already exists with other settings; it is not replaced`,
        );
      continue;
    }
    await api.kubernetes({ method: 'POST', path, body: manifest });
  }
  await api.kubernetes({ method: 'PATCH', path: poolPath(namespace, pool), body: planned.patch });
  if (planned.clusterPatch)
    await api.kubernetes({
      method: 'PATCH',
      path: `${CAPI}${ns(namespace)}/clusters/${encodeURIComponent(clusterName)}`,
      body: planned.clusterPatch,
    });
}
