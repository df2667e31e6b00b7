/**
 * The documented vSphere Kubernetes upgrade (docs/en/upgrade-cluster/vmware-vsphere.mdx)
 * on the kit's node pool upgrade, as pure functions. vSphere has no version
 * ConfigMaps: the user chooses the target, the control plane's Kubernetes
 * version and, for every pool, the VM template (listed by vCenter) the new
 * VSphereMachineTemplate clones, with the control plane's CoreDNS and etcd
 * image tags and the Cluster's Kube-OVN version from the release's row of the
 * OS Support Matrix. The template is never edited (vSphere's webhook refuses
 * it): a new one is made and the pool pointed at it in one patch; a worker
 * pool follows its control plane's version, or changes only its VM template.
 */
import { type FieldProblem, rolloutSurge } from '@immutable-infra/core';
import {
  chosenImageProblem,
  chosenValueProblems,
  imageTagsOf,
  KUBE_OVN_ANNOTATION,
  minorOf,
  type PlannedUpgrade,
  type PlatformChoices,
  type PlatformPoolObjects,
  type PoolStatus,
  type PoolUpgradeView,
  platformUpgradeSpec,
  poolStatusOf,
  poolUpgradeView,
  requestedVersionOf,
  startingImage,
  type UpgradeTarget,
  valueAt,
  workerTarget,
} from '@immutable-infra/ui-kit';
import { KUBERNETES_MINORS } from '../cluster-create/draft.js';
import type { ConfigPoolRecord } from '../cluster-create/facts.js';
import { switchKubeletPatch } from '../cluster-create/kubeadm-config.js';
import type { InventoryItem } from '../platform-operations.js';

/** What vSphere's upgrade writes: VSphereMachineTemplates by `template`, and the kubelet patch of the target's minor. */
export const VSPHERE_UPGRADE = platformUpgradeSpec('vsphere', {
  machineTemplateKind: 'VSphereMachineTemplate',
  imageField: 'template',
  files: (files, target) => switchKubeletPatch(files, target.kubernetesVersion),
});

/** The annotation a new VSphereMachineTemplate (or KubeadmConfigTemplate) names the one it was made from with. */
export const VSPHERE_REVISION_OF = VSPHERE_UPGRADE.revisionAnnotation;

/** What the upgrade reads besides the kit's pool objects. */
export interface VsphereUpgradeFacts extends PlatformPoolObjects {
  /** The config pool the pool's template draws slots from, when it names one that exists. */
  configPool: ConfigPoolRecord | undefined;
  /** The VM templates of the template's datacenter in vCenter, or why they could not be listed. */
  vmTemplates: PlatformChoices<InventoryItem>;
}

/** What the user chose. */
export interface UpgradeValues {
  kubernetesVersion: string;
  /** The VM template the new machine template clones (`spec.template.spec.template`). */
  template: string;
  corednsTag: string;
  etcdTag: string;
  kubeOvnVersion: string;
}

const KUBERNETES_VERSION = /^v\d+\.\d+\.\d+$/;
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The datacenter the pool's machine template clones in. */
export function datacenterOf(template: { spec?: unknown } | undefined): string {
  return str(valueAt(template?.spec, 'template', 'spec', 'datacenter'));
}

/**
 * What the form starts from: the pool's version (the control plane's for a
 * worker), a worker's VM template the control plane's (where it went first),
 * the tags and Kube-OVN version the cluster has.
 */
export function initialValues(kind: PoolStatus['kind'], facts: VsphereUpgradeFacts): UpgradeValues {
  return {
    kubernetesVersion: poolStatusOf('KubeadmControlPlane', facts.controlPlane).version,
    template: startingImage(kind, facts, VSPHERE_UPGRADE),
    ...imageTagsOf(facts.controlPlane),
    kubeOvnVersion: facts.cluster?.metadata.annotations?.[KUBE_OVN_ANNOTATION] ?? '',
  };
}

/** A VM template as the dropdown offers it: by inventory path, or as the current template names it (name or path). */
export function templateChoices(items: readonly InventoryItem[], current: string) {
  return items.map((item) => {
    const value = current === item.name || current === item.path ? current : item.path;
    return { value, label: item.path };
  });
}

/** The problem of a pool that already runs the chosen version from the chosen VM template. */
export const NOTHING_TO_CHANGE = 'The pool already runs this Kubernetes version from this VM template';

/** Each problem of the user's values, at its field. */
export function valueProblems(
  kind: PoolStatus['kind'],
  facts: VsphereUpgradeFacts,
  values: UpgradeValues,
): FieldProblem[] {
  return chosenValueProblems(kind, facts, values.kubernetesVersion, {
    version: { pattern: KUBERNETES_VERSION, minors: KUBERNETES_MINORS },
    controlPlaneProblems(current, version) {
      // A tag kept from the old minor would pin the control plane to the old release's CoreDNS or etcd.
      const minorChanges = KUBERNETES_VERSION.test(version) && minorOf(version) !== minorOf(current);
      const tags = imageTagsOf(facts.controlPlane);
      return (
        [
          ['corednsTag', 'CoreDNS'],
          ['etcdTag', 'etcd'],
        ] as const
      )
        .filter(([key]) => minorChanges && values[key] && values[key] === tags[key])
        .map(([key, name]) => ({
          field: key,
          message: `${values[key]} is the ${name} tag of Kubernetes ${minorOf(current)}: give the target release's, or none for kubeadm's default`,
        }));
    },
    image: {
      field: 'template',
      problem: chosenImageProblem(
        values.template,
        facts.vmTemplates,
        (t) => t.path === values.template || t.name === values.template,
        {
          missing: 'choose the VM template of the target release',
          unlisted: (error) => `vCenter could not list the VM templates: ${error}`,
          unknown: `${values.template} is not a VM template of datacenter ${datacenterOf(facts.template)}`,
        },
      ),
    },
  });
}

/** The target the values make. */
export function targetOf(
  kind: PoolStatus['kind'],
  facts: VsphereUpgradeFacts,
  values: UpgradeValues,
): UpgradeTarget {
  if (kind === 'MachineDeployment') return workerTarget(facts, values.template);
  const tags = imageTagsOf(facts.controlPlane);
  // A tag typed is set; a tag emptied that the cluster had is dropped (kubeadm's default for the version).
  const tag = (value: string, was: string) => (value ? value : was ? null : undefined);
  return {
    kubernetesVersion: values.kubernetesVersion,
    image: values.template,
    corednsTag: values.corednsTag === tags.corednsTag ? undefined : tag(values.corednsTag, tags.corednsTag),
    etcdTag: values.etcdTag === tags.etcdTag ? undefined : tag(values.etcdTag, tags.etcdTag),
  };
}

/**
 * How many machines a rollout makes before it deletes one (`maxSurge`, v1beta2
 * `spec.rollout.strategy.rollingUpdate` or v1beta1 `spec.strategy.rollingUpdate`,
 * a count or a percentage of the replicas rounded up): each needs a free slot
 * of the config pool. Cluster API's default is 1.
 */
export function surgeOf(pool: { spec?: unknown }): number {
  const surge =
    valueAt(pool.spec, 'rollout', 'strategy', 'rollingUpdate', 'maxSurge') ??
    valueAt(pool.spec, 'strategy', 'rollingUpdate', 'maxSurge') ??
    valueAt(pool.spec, 'rolloutStrategy', 'rollingUpdate', 'maxSurge');
  const replicas = valueAt(pool.spec, 'replicas');
  const count = typeof surge === 'number' || typeof surge === 'string' ? surge : undefined;
  return rolloutSurge(typeof replicas === 'number' ? replicas : 1, count) ?? 1;
}

/** What the panel shows for the facts and the values: the check, the problems at their fields, the plan and its lines. */
export function upgradeView(
  kind: PoolStatus['kind'],
  facts: VsphereUpgradeFacts,
  values: UpgradeValues,
): PoolUpgradeView<PlannedUpgrade> {
  const kubeletLine = (target: UpgradeTarget) =>
    `kubelet configuration of Kubernetes ${minorOf(target.kubernetesVersion)}`;
  return poolUpgradeView(kind, facts, {
    platform: VSPHERE_UPGRADE,
    fieldProblems: valueProblems(kind, facts, values),
    target: () => targetOf(kind, facts, values),
    requestedVersion: requestedVersionOf(values.kubernetesVersion, KUBERNETES_VERSION),
    noTarget: 'Choose the target Kubernetes version and VM template',
    nothingToChange: NOTHING_TO_CHANGE,
    moreProblems() {
      // A rolling update that makes machines before it deletes old ones needs a free slot for each.
      const surge = surgeOf(facts.pool);
      return facts.configPool && facts.configPool.free < surge
        ? [
            `Machine config pool ${facts.configPool.name} has ${facts.configPool.free} free slots; the rolling update needs ${surge} (maxSurge) for the machines it makes before deleting old ones`,
          ]
        : [];
    },
    kubeOvnVersion: () => values.kubeOvnVersion || undefined,
    imageLabel: 'VM template',
    moreChanges: (target, plan) => [
      ...(valueAt(plan.patch, 'spec', 'kubeadmConfigSpec', 'files') ? [kubeletLine(target)] : []),
      ...plan.create
        .filter((m) => m.kind !== VSPHERE_UPGRADE.machineTemplateKind)
        .map((m) => `new ${m.kind} ${m.metadata.name} (${kubeletLine(target)})`),
    ],
  });
}
