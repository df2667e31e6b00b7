/// <reference lib="dom" />
import type { CreateClusterStepProps, FieldProblem } from '@immutable-infra/core';
import { type Choice, extensionRoot, showProblems } from '@immutable-infra/ui-kit';
import {
  compareVersions,
  listMachineTemplates,
  listPools,
  listVersions,
  type MachineTemplateRecord,
  minorOf,
  type PoolRecord,
  type VersionRecord,
} from '../../catalog/resources.js';
import { type DcsClusterDraft, readDraft } from '../draft.js';

/**
 * What every step needs: its root, the draft as the host has it, and the
 * problems listener. The host may call the listener at once (problems it
 * found before), before the step has built its fields, and a step rebuilds
 * fields when its choices load; so the last problems are kept and shown again
 * by `showProblemsAgain` after every (re)build.
 */
export function mountStep(element: unknown, props: CreateClusterStepProps, id: string) {
  const { root, unmount } = extensionRoot(element, id, { className: 'dcs-ext' });
  const draft: DcsClusterDraft = readDraft(props.draft);
  let last: readonly FieldProblem[] = [];
  const stop = props.onProblems((problems) => {
    last = problems;
    showProblems(root, problems);
  });
  return {
    root,
    draft,
    showProblemsAgain: () => {
      if (last.length > 0) showProblems(root, last);
    },
    unmount: () => {
      stop();
      unmount();
    },
  };
}

/** The newest Kubernetes version the version ConfigMaps offer; the documented wizard creates only that one. */
export function newestVersion(versions: readonly VersionRecord[]): VersionRecord | undefined {
  return [...versions].sort((a, b) => compareVersions(b.kubernetesVersion, a.kubernetesVersion))[0];
}

/** Machine templates of one type whose VM template carries the cluster's Kubernetes minor, as choices. */
export async function templateChoices(
  props: CreateClusterStepProps,
  draft: DcsClusterDraft,
  type: 'control-plane' | 'worker',
): Promise<{ choices: Choice[]; templates: MachineTemplateRecord[]; pools: PoolRecord[] }> {
  const [templates, pools, versions] = await Promise.all([
    listMachineTemplates(props.api, props.namespace),
    listPools(props.api, props.namespace),
    listVersions(props.api, props.namespace),
  ]);
  const minor = minorOf(draft.kubernetesVersion);
  const compatible = templates.filter((t) => {
    if (t.type !== type) return false;
    const version = versions.find((v) => v.vmTemplateName === t.vmTemplateName);
    return (
      !draft.kubernetesVersion || (version !== undefined && minorOf(version.kubernetesVersion) === minor)
    );
  });
  return {
    templates,
    pools,
    choices: compatible.map((t) => {
      const version = versions.find((v) => v.vmTemplateName === t.vmTemplateName);
      const pool = pools.find((p) => p.name === t.ipPool);
      return {
        value: t.name,
        label: `${t.name} — ${t.vmTemplateName} (OS ${version?.vmImageVersion || '?'}, Kubernetes ${version?.kubernetesVersion ?? '?'}), ${t.cpu ?? '?'} CPU, ${t.memoryMB ?? '?'} MB, pool ${t.ipPool} ${pool ? `${pool.free}/${pool.total} free` : 'missing'}`,
      };
    }),
  };
}

export function keysOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
