/**
 * The documented HCS Kubernetes upgrade (docs/en/upgrade-cluster/huawei-cloud-stack.mdx)
 * on the kit's node pool upgrade, as pure functions. The releases are the
 * release ConfigMaps this provider ships (release-data/kubernetes-releases.yaml:
 * Kubernetes version, CoreDNS and etcd tags, the MicroOS image), the images
 * those the credential's project has in IMS (the documented prerequisite: the
 * target image must exist before the new HCSMachineTemplate is applied). The
 * template is never edited: a new HCSMachineTemplate is made with the chosen
 * `imageName` and the pool pointed at it in one patch; a worker pool follows
 * its control plane's version, or changes only its image.
 */
import type { FieldProblem } from '@immutable-infra/core';
import {
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  imageOf,
  isUpgradeStep,
  kubeOvnPatch,
  nextRelease,
  type PlannedUpgrade,
  type PlatformUpgradeSpec,
  type PoolObjects,
  type PoolStatus,
  type PoolUpgradeView,
  poolStatusOf,
  type TargetRules,
  UPGRADE_MESSAGES,
  type UpgradeTarget,
  valueAt,
  withTemplateCheck,
  workerChange,
} from '@immutable-infra/ui-kit';
import { type HcsRelease, releaseOf as releaseIn } from '../releases.js';

/** The annotation a new HCSMachineTemplate names the one it was made from with. */
export const HCS_REVISION_OF = 'infrastructure.cluster.x-k8s.io/hcs-revision-of';

/** What HCS's upgrade writes: HCSMachineTemplates by `imageName`; the kubeadm files do not depend on the version. */
export const HCS_UPGRADE: PlatformUpgradeSpec = {
  machineTemplateKind: 'HCSMachineTemplate',
  imageField: 'imageName',
  revisionAnnotation: HCS_REVISION_OF,
};

/** What the upgrade reads besides the kit's pool objects. */
export interface HcsUpgradeFacts extends PoolObjects {
  /** The control plane's HCSMachineTemplate: its image is a worker pool's first choice. */
  controlPlaneTemplate: PoolObjects['template'];
  releases: HcsRelease[];
  /** The images of the credential's project in IMS, or why they could not be listed. */
  images: { items: string[] } | { error: string };
}

/** What the user chose. */
export interface UpgradeValues {
  kubernetesVersion: string;
  /** The IMS image the new machine template boots (`spec.template.spec.imageName`). */
  imageName: string;
}

const KUBERNETES_VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The control plane's image tags as its kubeadmConfigSpec sets them (empty: kubeadm's default). */
export function imageTagsOf(kcp: { spec?: unknown }): { corednsTag: string; etcdTag: string } {
  const config = valueAt(kcp.spec, 'kubeadmConfigSpec', 'clusterConfiguration');
  return {
    corednsTag: str(valueAt(config, 'dns', 'imageTag')),
    etcdTag: str(valueAt(config, 'etcd', 'local', 'imageTag')),
  };
}

const releaseOf = (facts: HcsUpgradeFacts, version: string) => releaseIn(facts.releases, version);

/**
 * What the form starts from. The control plane: the next release the
 * ConfigMaps offer and its image (the current version and image when none);
 * a worker: the control plane's image (where it went first).
 */
export function initialValues(kind: PoolStatus['kind'], facts: HcsUpgradeFacts): UpgradeValues {
  const current = poolStatusOf('KubeadmControlPlane', facts.controlPlane).version;
  const own = imageOf(facts.template, HCS_UPGRADE) ?? '';
  if (kind === 'MachineDeployment')
    return { kubernetesVersion: current, imageName: imageOf(facts.controlPlaneTemplate, HCS_UPGRADE) ?? own };
  const next = nextRelease(current, facts.releases);
  return {
    kubernetesVersion: next?.kubernetesVersion ?? current,
    imageName: next?.machineImage || own,
  };
}

/** The problem of a pool that already runs the chosen version from the chosen image. */
export const NOTHING_TO_CHANGE = 'The pool already runs this Kubernetes version from this image';

/** Each problem of the user's values, at its field. */
export function valueProblems(
  kind: PoolStatus['kind'],
  facts: HcsUpgradeFacts,
  values: UpgradeValues,
  namespace: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const current = poolStatusOf('KubeadmControlPlane', facts.controlPlane).version;
  const version = values.kubernetesVersion;
  if (kind === 'KubeadmControlPlane') {
    if (!KUBERNETES_VERSION.test(version))
      add('kubernetesVersion', 'a release such as v1.35.1 (v, major, minor and patch)');
    else if (version !== current && !isUpgradeStep(current, version))
      add(
        'kubernetesVersion',
        `${version} is not an upgrade of ${current}: a newer release at most one minor above (Kubernetes upgrades one minor at a time)`,
      );
    else if (version !== current && !releaseOf(facts, version))
      // The CoreDNS and etcd tags move with the version; without the release they are unknown.
      add(
        'kubernetesVersion',
        `no release ConfigMap in ${namespace} ships ${version} (its CoreDNS and etcd tags); offered: ${
          facts.releases
            .filter((r) => isUpgradeStep(current, r.kubernetesVersion))
            .map((r) => r.kubernetesVersion)
            .join(', ') || 'none'
        }`,
      );
  }
  if (!values.imageName) add('imageName', 'choose the image of the target release');
  else if ('error' in facts.images)
    add('imageName', `the project's images could not be listed: ${facts.images.error}`);
  else if (!facts.images.items.includes(values.imageName))
    add('imageName', `${values.imageName} is not an image of the credential's project`);
  return problems;
}

/** The target the values make: for the control plane with the release's CoreDNS and etcd tags when they differ. */
export function targetOf(
  kind: PoolStatus['kind'],
  facts: HcsUpgradeFacts,
  values: UpgradeValues,
): UpgradeTarget {
  if (kind === 'MachineDeployment')
    return {
      kubernetesVersion: poolStatusOf('KubeadmControlPlane', facts.controlPlane).version,
      image: values.imageName,
    };
  const release = releaseOf(facts, values.kubernetesVersion);
  const tags = imageTagsOf(facts.controlPlane);
  const tag = (wanted: string | undefined, was: string) => (wanted && wanted !== was ? wanted : undefined);
  return {
    kubernetesVersion: values.kubernetesVersion,
    image: values.imageName,
    corednsTag: tag(release?.corednsTag, tags.corednsTag),
    etcdTag: tag(release?.etcdTag, tags.etcdTag),
  };
}

function rules(facts: HcsUpgradeFacts, pool: PoolStatus): TargetRules<UpgradeTarget> {
  return {
    noTarget: () => 'Choose the target Kubernetes version and image',
    problemsOf(target) {
      if (target.kubernetesVersion === pool.version && target.image === imageOf(facts.template, HCS_UPGRADE))
        // A worker pool with nothing to change goes after its control plane, as documented.
        return [pool.kind === 'MachineDeployment' ? UPGRADE_MESSAGES.controlPlaneFirst : NOTHING_TO_CHANGE];
      return [];
    },
  };
}

/** The lines of what Confirm changes. */
function changesOf(kind: PoolStatus['kind'], target: UpgradeTarget, plan: PlannedUpgrade, kubeOvn?: string) {
  return [
    `version ${target.kubernetesVersion}`,
    `machine template ${plan.templateName} (image ${target.image})`,
    ...(kind === 'KubeadmControlPlane'
      ? [
          ...(target.corednsTag ? [`CoreDNS ${target.corednsTag}`] : []),
          ...(target.etcdTag ? [`etcd ${target.etcdTag}`] : []),
        ]
      : []),
    ...(plan.clusterPatch && kubeOvn ? [`Kube-OVN ${kubeOvn}`] : []),
  ];
}

/** What the panel shows for the facts and the values: the check, the problems at their fields, the plan and its lines. */
export function upgradeView(
  kind: PoolStatus['kind'],
  facts: HcsUpgradeFacts,
  values: UpgradeValues,
  namespace: string,
): PoolUpgradeView<PlannedUpgrade> {
  const pool = poolStatusOf(kind, facts.pool);
  const fieldProblems = valueProblems(kind, facts, values, namespace);
  const target = fieldProblems.length === 0 ? targetOf(kind, facts, values) : undefined;
  const controlPlane = poolStatusOf('KubeadmControlPlane', facts.controlPlane);
  const poolRules = rules(facts, pool);
  const check = withTemplateCheck(
    kind === 'KubeadmControlPlane'
      ? checkControlPlane(pool, target, poolRules)
      : checkWorker(pool, controlPlane, () => target, { ...poolRules, sameVersion: true }),
    facts.template,
  );
  const shownTarget =
    kind === 'KubeadmControlPlane'
      ? KUBERNETES_VERSION.test(values.kubernetesVersion)
        ? values.kubernetesVersion
        : undefined
      : controlPlane.version;
  // Field problems say what to fix; the pool's "choose a target" would only repeat them.
  const problems = check.ok
    ? []
    : check.problems.filter((p) => !(target === undefined && p === poolRules.noTarget('')));
  if (!check.ok || problems.length > 0 || fieldProblems.length > 0)
    return {
      current: pool.version,
      target: shownTarget,
      problems,
      fieldProblems,
      changes: [],
      plan: undefined,
    };
  const template = facts.template ?? { metadata: { name: '' } };
  let plan: PlannedUpgrade;
  let kubeOvn: string | undefined;
  if (kind === 'KubeadmControlPlane') {
    kubeOvn = releaseOf(facts, check.target.kubernetesVersion)?.kubeOvnVersion;
    plan = {
      ...controlPlaneChange(facts.pool, template, check.target, HCS_UPGRADE),
      clusterPatch: kubeOvnPatch(facts.cluster, kubeOvn),
    };
  } else
    plan = {
      ...workerChange(facts.pool, template, facts.bootstrap, check.target, HCS_UPGRADE),
      clusterPatch: undefined,
    };
  return {
    current: pool.version,
    target: check.target.kubernetesVersion,
    problems: [],
    fieldProblems: [],
    changes: changesOf(kind, check.target, plan, kubeOvn),
    plan,
  };
}
