import { kubernetesFilesSecret } from '../catalog/labels.js';
import { compareVersions } from '../catalog/resources.js';
import type { DcsClusterDraft } from './draft.js';
import type { ClusterFacts } from './facts.js';
import { templateVersion } from './validate.js';

/**
 * What would fail later although the draft is valid: checked on the review
 * step, beyond the documented validation.
 */
export function draftWarnings(draft: DcsClusterDraft, facts: ClusterFacts): string[] {
  const warnings: string[] = [];
  const pools: { label: string; template: string; replicas: number; maxSurge: number }[] = [
    {
      label: 'control plane',
      template: draft.controlPlane.machineTemplate,
      replicas: draft.controlPlane.replicas,
      maxSurge: 0,
    },
    ...draft.workers.map((pool) => ({
      label: `worker pool ${pool.name || '(unnamed)'}`,
      template: pool.machineTemplate,
      replicas: pool.replicas,
      maxSurge: pool.maxSurge,
    })),
  ];

  // The Kubernetes version a template's OS image carries must be the one kubeadm installs.
  for (const pool of pools) {
    const template = facts.machineTemplates.find((t) => t.name === pool.template);
    if (!template) continue;
    const version = templateVersion(facts, template);
    if (!version)
      warnings.push(
        `${pool.label}: VM template ${template.vmTemplateName} has no version ConfigMap, so its Kubernetes version is unknown; machines may fail to join`,
      );
    else if (
      draft.kubernetesVersion &&
      compareVersions(version.kubernetesVersion, draft.kubernetesVersion) !== 0
    )
      warnings.push(
        `${pool.label}: VM template ${template.vmTemplateName} carries Kubernetes ${version.kubernetesVersion} but the cluster will run ${draft.kubernetesVersion}`,
      );
    if (facts.platformTemplates && !facts.platformTemplates.includes(template.vmTemplateName))
      warnings.push(
        `${pool.label}: VM template ${template.vmTemplateName} does not exist on the DCS platform; cloning will fail`,
      );
  }

  // Endpoint: the credential must say where DCS is, and the API address must be set.
  const keys = facts.credentials[draft.credential];
  if (keys && !keys.includes('endpoint'))
    warnings.push(
      `credential ${draft.credential} has no endpoint, so no DCS call can be made for this cluster`,
    );
  if (!draft.apiServerAddress)
    warnings.push(
      'the control plane endpoint is not set; Cluster API and kubeadm cannot reach the API server',
    );

  // Rolling upgrades: a pool with max surge N needs N entries beyond its replicas, at once.
  const byPool = new Map<string, { replicas: number; surge: number; users: string[]; disks: boolean }>();
  for (const pool of pools) {
    const template = facts.machineTemplates.find((t) => t.name === pool.template);
    const record = template && facts.pools.find((p) => p.name === template.ipPool);
    if (!record || !Number.isInteger(pool.replicas)) continue;
    const entry = byPool.get(record.name) ?? {
      replicas: 0,
      surge: 0,
      users: [],
      disks: record.hasPersistentDisks,
    };
    entry.replicas += pool.replicas;
    entry.surge = Math.max(entry.surge, pool.maxSurge);
    entry.users.push(pool.label);
    byPool.set(record.name, entry);
    if (record.hasPersistentDisks && pool.maxSurge > 0)
      warnings.push(
        `${pool.label}: IP pool ${record.name} carries persistent disks, which move to the replacement one node at a time; keep max surge 0`,
      );
  }
  for (const [name, entry] of byPool) {
    const record = facts.pools.find((p) => p.name === name);
    if (!record || entry.surge === 0) continue;
    const needed = entry.replicas + entry.surge;
    if (record.free < needed)
      warnings.push(
        `IP pool ${name} has ${record.free} free entries; a rolling upgrade of ${entry.users.join(', ')} with max surge ${entry.surge} needs ${needed}, so it will stall until entries are added`,
      );
  }

  if (draft.workers.length === 0)
    warnings.push('no worker node pool: the control plane alone runs no workloads');
  const noKeys = pools.filter((_, i) =>
    i === 0
      ? draft.controlPlane.sshAuthorizedKeys.length === 0
      : draft.workers[i - 1]?.sshAuthorizedKeys.length === 0,
  );
  if (noKeys.length > 0)
    warnings.push(
      `${noKeys.map((p) => p.label).join(', ')}: no SSH key, so nobody can log in to those nodes`,
    );
  if (draft.kubernetesVersion && !facts.filesSecretPresent)
    warnings.push(
      `Secret ${kubernetesFilesSecret(draft.kubernetesVersion)} is missing from ${facts.namespace}; the kubelet, admission and audit files come from it, so machines will not bootstrap until the DCS plugin provides it`,
    );
  if (!facts.globalCluster)
    warnings.push(
      'the global Cluster could not be read, so the kube-ovn version and registry address annotations are left out',
    );
  return warnings;
}
