import { compareVersions, draftNodePools, nodePoolWarnings } from '@immutable-infra/ui-kit';
import { kubernetesFilesSecret } from '../catalog/labels.js';
import type { DcsClusterDraft } from './draft.js';
import type { ClusterFacts } from './facts.js';
import { templateVersion } from './validate.js';

/**
 * What would fail later although the draft is valid: checked on the review
 * step, beyond the documented validation.
 */
export function draftWarnings(draft: DcsClusterDraft, facts: ClusterFacts): string[] {
  const warnings: string[] = [];
  const pools = draftNodePools(draft);

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
  const slotPoolOf = (templateName: string) => {
    const template = facts.machineTemplates.find((t) => t.name === templateName);
    return template && facts.pools.find((p) => p.name === template.ipPool);
  };
  warnings.push(
    ...nodePoolWarnings({
      slotNoun: 'IP pool',
      apiServerAddress: draft.apiServerAddress,
      pools: pools.map((pool) => ({ ...pool, slotPool: slotPoolOf(pool.template) })),
    }),
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
