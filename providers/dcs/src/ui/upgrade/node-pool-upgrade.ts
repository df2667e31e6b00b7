/// <reference lib="dom" />
import type { NodePoolActionProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountPoolUpgrade, poolStatusOf } from '@immutable-infra/ui-kit';
import { applyUpgrade, checkPool, loadUpgradeFacts, type Planned, planUpgrade } from './upgrade-steps.js';

/**
 * The documented web UI upgrade of a DCS node pool on the kit's panel:
 * current and target version (the next release the version ConfigMaps
 * offer), the reasons it is unavailable (in the documented words), Confirm,
 * then the pool's ready and up-to-date machines until the rollout is done.
 */
export const nodePoolUpgrade = {
  mount(element: unknown, props: NodePoolActionProps): () => void {
    const { kind } = props.nodePool;
    const panel = mountPoolUpgrade<Awaited<ReturnType<typeof loadUpgradeFacts>>, Planned>(element, props, {
      id: 'dcs.node-pool.upgrade',
      className: 'dcs-ext',
      load: () => loadUpgradeFacts(props.api, props.namespace, props.clusterName, props.nodePool),
      view(facts) {
        const check = checkPool(kind, facts);
        const current = poolStatusOf(kind, facts.pool).version;
        if (!check.ok)
          return {
            current,
            target: check.target?.kubernetesVersion,
            problems: check.problems,
            changes: [],
            plan: undefined,
          };
        const release = check.target;
        const plan = planUpgrade(kind, facts, release);
        const changes = [
          `version ${release.kubernetesVersion}`,
          `machine template ${plan.templateName} (VM template ${release.vmTemplateName})`,
          ...(kind === 'KubeadmControlPlane'
            ? [`CoreDNS ${release.corednsTag}`, `etcd ${release.etcdTag}`]
            : []),
          ...plan.create
            .filter((m) => m.kind !== 'DCSMachineTemplate')
            .map((m) => `new ${m.kind} ${m.metadata.name}`),
          ...(plan.clusterPatch ? [`Kube-OVN ${release.kubeOvnVersion}`] : []),
        ];
        return { current, target: release.kubernetesVersion, problems: [], changes, plan };
      },
      apply: (plan) => applyUpgrade(props.api, props.namespace, props.nodePool, plan, props.clusterName),
    });
    return panel.unmount;
  },
} satisfies StrictAnchorExport<'node-pool.action'>;
