import type { HostApi } from '@immutable-infra/core';
import {
  applyUpgrade as applyUpgradeOn,
  kubeOvnPatch,
  loadPoolObjects,
  type NodePoolRef,
  type PlannedUpgrade,
  type PoolObjects,
  type PoolStatus,
  poolStatusOf,
  type UpgradeCheck,
  withTemplateCheck,
} from '@immutable-infra/ui-kit';
import {
  basePath,
  type KubeObject,
  listObjects,
  listVersions,
  type VersionRecord,
} from '../catalog/resources.js';
import {
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  DCS_UPGRADE,
  workerChange,
} from './upgrade-plan.js';

/*
 * What the DCS upgrade action reads and writes through the host, as the user:
 * the kit's pool objects, and DCS's releases (the version ConfigMaps) and the
 * namespace's Secret names (for the plugin's files Secrets).
 */

export { poolPath } from '@immutable-infra/ui-kit';

export interface UpgradeFacts extends PoolObjects {
  releases: VersionRecord[];
  secrets: Set<string>;
}

const templatesPath = (namespace: string) => basePath(namespace, 'dcsmachinetemplates');

/** Reads the pool, its cluster's control plane, their templates, the version ConfigMaps and the Secret names. */
export async function loadUpgradeFacts(
  api: HostApi,
  namespace: string,
  clusterName: string,
  nodePool: NodePoolRef,
): Promise<UpgradeFacts> {
  const [objects, releases, secrets] = await Promise.all([
    loadPoolObjects(api, namespace, clusterName, nodePool, templatesPath(namespace)),
    listVersions(api, namespace),
    listObjects<KubeObject>(api, `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`),
  ]);
  return { ...objects, releases, secrets: new Set(secrets.map((s) => s.metadata.name)) };
}

/** The documented constraints for this pool, plus what the facts lack (its machine template). */
export function checkPool(kind: PoolStatus['kind'], facts: UpgradeFacts): UpgradeCheck<VersionRecord> {
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
  return withTemplateCheck(check, facts.template);
}

export type Planned = PlannedUpgrade;

export function planUpgrade(kind: PoolStatus['kind'], facts: UpgradeFacts, target: VersionRecord): Planned {
  const template = facts.template ?? { metadata: { name: '' } };
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
 * edit, then the Cluster's Kube-OVN annotation.
 */
export async function applyUpgrade(
  api: HostApi,
  namespace: string,
  pool: { kind: string; name: string },
  planned: Planned,
  clusterName: string,
): Promise<void> {
  await applyUpgradeOn(api, { namespace, clusterName, nodePool: pool }, planned, {
    ...DCS_UPGRADE,
    machineTemplatesPath: templatesPath(namespace),
  });
}
