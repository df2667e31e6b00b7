/// <reference lib="dom" />
import type { CreateClusterStepProps } from '@immutable-infra/core';
import { type Choice, minorOf, mountWizardStep, type WizardStepsSpec } from '@immutable-infra/ui-kit';
import { listMachineTemplates, listPools, listVersions } from '../../catalog/resources.js';
import { type DcsClusterDraft, readDraft } from '../draft.js';

/** Machine templates of one type whose VM template carries the cluster's Kubernetes minor, as choices. */
async function templateChoices(
  props: CreateClusterStepProps,
  draft: DcsClusterDraft,
  type: 'control-plane' | 'worker',
): Promise<Choice[]> {
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
  return compatible.map((t) => {
    const version = versions.find((v) => v.vmTemplateName === t.vmTemplateName);
    const pool = pools.find((p) => p.name === t.ipPool);
    return {
      value: t.name,
      label: `${t.name} — ${t.vmTemplateName} (OS ${version?.vmImageVersion || '?'}, Kubernetes ${version?.kubernetesVersion ?? '?'}), ${t.cpu ?? '?'} CPU, ${t.memoryMB ?? '?'} MB, pool ${t.ipPool} ${pool ? `${pool.free}/${pool.total} free` : 'missing'}`,
    };
  });
}

/** What the kit's shared steps need of DCS. */
export const dcsSteps: WizardStepsSpec<DcsClusterDraft> = {
  idPrefix: 'dcs.wizard',
  className: 'dcs-ext',
  readDraft,
  templateChoices,
  controlPlaneTemplateHint: 'Control plane templates whose VM template carries this Kubernetes version',
};

/** Mounts a DCS step's root (see the kit's mountWizardStep). */
export function mountStep(element: unknown, props: CreateClusterStepProps, id: string) {
  return mountWizardStep(element, props, id, dcsSteps);
}
