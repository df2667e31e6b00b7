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
  chosenImageProblem,
  chosenValueProblems,
  imageTagsOf,
  isUpgradeStep,
  nextRelease,
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
  workerTarget,
} from '@immutable-infra/ui-kit';
import { type HcsRelease, releaseOf as releaseIn } from '../releases.js';

/** What HCS's upgrade writes: HCSMachineTemplates by `imageName`; the kubeadm files do not depend on the version. */
export const HCS_UPGRADE = platformUpgradeSpec('hcs', {
  machineTemplateKind: 'HCSMachineTemplate',
  imageField: 'imageName',
});

/** The annotation a new HCSMachineTemplate names the one it was made from with. */
export const HCS_REVISION_OF = HCS_UPGRADE.revisionAnnotation;

/** What the upgrade reads besides the kit's pool objects. */
export interface HcsUpgradeFacts extends PlatformPoolObjects {
  releases: HcsRelease[];
  /** The images of the credential's project in IMS, or why they could not be listed. */
  images: PlatformChoices<string>;
}

/** What the user chose. */
export interface UpgradeValues {
  kubernetesVersion: string;
  /** The IMS image the new machine template boots (`spec.template.spec.imageName`). */
  imageName: string;
}

const KUBERNETES_VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const releaseOf = (facts: HcsUpgradeFacts, version: string) => releaseIn(facts.releases, version);

/**
 * What the form starts from. The control plane: the next release the
 * ConfigMaps offer and its image (the current version and image when none);
 * a worker: the control plane's image (where it went first).
 */
export function initialValues(kind: PoolStatus['kind'], facts: HcsUpgradeFacts): UpgradeValues {
  const current = poolStatusOf('KubeadmControlPlane', facts.controlPlane).version;
  const own = startingImage(kind, facts, HCS_UPGRADE);
  if (kind === 'MachineDeployment') return { kubernetesVersion: current, imageName: own };
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
  return chosenValueProblems(kind, facts, values.kubernetesVersion, {
    version: { pattern: KUBERNETES_VERSION },
    controlPlaneProblems: (current, version, versionProblem) =>
      versionProblem || version === current || releaseOf(facts, version)
        ? []
        : [
            {
              // The CoreDNS and etcd tags move with the version; without the release they are unknown.
              field: 'kubernetesVersion',
              message: `no release ConfigMap in ${namespace} ships ${version} (its CoreDNS and etcd tags); offered: ${
                facts.releases
                  .filter((r) => isUpgradeStep(current, r.kubernetesVersion))
                  .map((r) => r.kubernetesVersion)
                  .join(', ') || 'none'
              }`,
            },
          ],
    image: {
      field: 'imageName',
      problem: chosenImageProblem(values.imageName, facts.images, (name) => name === values.imageName, {
        missing: 'choose the image of the target release',
        unlisted: (error) => `the project's images could not be listed: ${error}`,
        unknown: `${values.imageName} is not an image of the credential's project`,
      }),
    },
  });
}

/** The target the values make: for the control plane with the release's CoreDNS and etcd tags when they differ. */
export function targetOf(
  kind: PoolStatus['kind'],
  facts: HcsUpgradeFacts,
  values: UpgradeValues,
): UpgradeTarget {
  if (kind === 'MachineDeployment') return workerTarget(facts, values.imageName);
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

/** What the panel shows for the facts and the values: the check, the problems at their fields, the plan and its lines. */
export function upgradeView(
  kind: PoolStatus['kind'],
  facts: HcsUpgradeFacts,
  values: UpgradeValues,
  namespace: string,
): PoolUpgradeView<PlannedUpgrade> {
  return poolUpgradeView(kind, facts, {
    platform: HCS_UPGRADE,
    fieldProblems: valueProblems(kind, facts, values, namespace),
    target: () => targetOf(kind, facts, values),
    requestedVersion: requestedVersionOf(values.kubernetesVersion, KUBERNETES_VERSION),
    noTarget: 'Choose the target Kubernetes version and image',
    nothingToChange: NOTHING_TO_CHANGE,
    kubeOvnVersion: (target) =>
      kind === 'KubeadmControlPlane' ? releaseOf(facts, target.kubernetesVersion)?.kubeOvnVersion : undefined,
    imageLabel: 'image',
  });
}
