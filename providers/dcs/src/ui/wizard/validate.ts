import type { FieldProblem } from '@immutable-infra/core';
import {
  checkClusterDraft,
  compareVersions,
  minorOf,
  type ProblemReport,
  platformIdentity,
} from '@immutable-infra/ui-kit';
import type { MachineTemplateRecord } from '../catalog/resources.js';
import type { DcsClusterDraft } from './draft.js';
import { DCS_NAME_SUFFIXES } from './draft.js';
import type { ClusterFacts } from './facts.js';

/** The Kubernetes version a machine template's VM template carries, per the version ConfigMaps. */
export function templateVersion(facts: ClusterFacts, template: MachineTemplateRecord | undefined) {
  return template ? facts.versions.find((v) => v.vmTemplateName === template.vmTemplateName) : undefined;
}

/**
 * The Kubernetes version's problem: one of the version ConfigMaps' (which
 * the provider installs), and the newest, as the documented web UI creates.
 */
function versionProblem(version: string, facts: ClusterFacts): string | undefined {
  if (!version)
    return facts.versions.length === 0
      ? `no VM template version ConfigMap (label cpaas.io/dcs-vm-template) in ${facts.namespace}; the provider installs one per platform release (Helm chart, clusterctl components or iinfra provider install; kubernetesReleases.install in the chart)`
      : 'the Kubernetes version is required';
  if (facts.versions.length === 0) return undefined;
  const newest = [...facts.versions].sort((a, b) =>
    compareVersions(b.kubernetesVersion, a.kubernetesVersion),
  )[0];
  if (!facts.versions.some((v) => v.kubernetesVersion === version))
    return `no VM template ConfigMap offers Kubernetes ${version}`;
  if (newest && compareVersions(newest.kubernetesVersion, version) !== 0)
    return `only the newest version, ${newest.kubernetesVersion}, can be created`;
  return undefined;
}

/** The check of a chosen machine template: it exists, has the node pool's role, carries the version's minor and names an IP pool that exists. */
function templateCheck(draft: DcsClusterDraft, facts: ClusterFacts, report: ProblemReport) {
  return (step: string, field: string, name: string, type: 'control-plane' | 'worker') => {
    if (!name) return report(step, field, 'choose a machine template');
    const template = facts.machineTemplates.find((t) => t.name === name);
    if (!template) return report(step, field, `machine template ${name} does not exist`);
    if (template.type !== type)
      return report(
        step,
        field,
        `${name} is a ${template.type === 'worker' ? 'worker node' : 'control plane'} template; choose a ${type === 'worker' ? 'worker node' : 'control plane'} one`,
      );
    const version = templateVersion(facts, template);
    if (
      draft.kubernetesVersion &&
      version &&
      minorOf(version.kubernetesVersion) !== minorOf(draft.kubernetesVersion)
    )
      return report(
        step,
        field,
        `VM template ${template.vmTemplateName} carries Kubernetes ${version.kubernetesVersion}, not ${minorOf(draft.kubernetesVersion)}`,
      );
    if (!template.ipPool) return report(step, field, `${name} names no IP pool`);
    if (!facts.pools.some((p) => p.name === template.ipPool))
      return report(step, field, `IP pool ${template.ipPool} of ${name} does not exist`);
    return undefined;
  };
}

/**
 * Every problem in the draft, each with its field path and step: required
 * fields, names, the endpoint, machine templates of the right type and a
 * compatible Kubernetes version, IP pools with enough free entries (pools
 * shared by several node pools count once for all of them), maxSurge and
 * maxUnavailable, unique pool names, CIDRs well formed and not overlapping.
 */
export function validateDraft(draft: DcsClusterDraft, facts: ClusterFacts): FieldProblem[] {
  return checkClusterDraft(draft, facts, {
    identity: platformIdentity('DCSCluster', 'choose a cloud credential', 'the platform', facts.site),
    kubernetesVersion: () => versionProblem(draft.kubernetesVersion, facts),
    nodePools: (report) => ({
      checkTemplate: templateCheck(draft, facts, report),
      existing: facts.existing,
      machineTemplateKind: 'DCSMachineTemplate',
      suffixes: DCS_NAME_SUFFIXES,
      // Every node pool whose template draws from the same IP pool shares its free entries.
      slotPoolOf: (name) => facts.machineTemplates.find((t) => t.name === name)?.ipPool || undefined,
      slotPools: facts.pools,
      slotNoun: 'IP pool',
    }),
  });
}
