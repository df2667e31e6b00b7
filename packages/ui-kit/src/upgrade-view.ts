/**
 * The skeleton of a platform's node pool upgrade view, the same on every
 * platform whose user chooses the target: the field problems of the
 * provider's controls, the pool's check with the documented "nothing to
 * change" rule, the kit's plan (a new machine template, the pool's one patch,
 * the Cluster's Kube-OVN annotation) and the lines of what Confirm changes.
 * The provider says what its values mean (the target, its own problems); the
 * reading of the objects beside the kit's pool objects is here too.
 */
import type { FieldProblem, HostApi } from '@immutable-infra/core';
import { minorOf } from './cluster-rules.js';
import { describeError } from './elements.js';
import type { PoolUpgradeView } from './upgrade-panel.js';
import {
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  imageOf,
  isUpgradeStep,
  kubeOvnPatch,
  type PlatformUpgradeSpec,
  type PoolStatus,
  poolStatusOf,
  type TargetRules,
  UPGRADE_MESSAGES,
  type UpgradeObject,
  type UpgradeTarget,
  valueAt,
  workerChange,
} from './upgrade-plan.js';
import {
  loadPoolObjects,
  type NodePoolRef,
  type PlannedUpgrade,
  type PoolObjects,
  readObjectIfAny,
  templateNameOf,
  withTemplateCheck,
} from './upgrade-steps.js';

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The kit's pool objects and the control plane's machine template, whose image is a worker pool's first choice. */
export interface PlatformPoolObjects extends PoolObjects {
  controlPlaneTemplate: UpgradeObject | undefined;
}

/** What a platform lists for the user to choose from, or why it could not. */
export type PlatformChoices<T> = { items: T[] } | { error: string };

/** The pool's objects with its control plane's machine template, and the credential the infrastructure cluster names. */
export interface PlatformPoolRead {
  objects: PlatformPoolObjects;
  /** The infrastructure cluster's name (`Cluster.spec.infrastructureRef.name`). */
  infraName: string | undefined;
  /** The Secret the infrastructure cluster names (`spec.identityRef.name`). */
  credential: string | undefined;
}

/**
 * Reads the kit's pool objects (machine templates at `paths.machineTemplates`),
 * then the infrastructure cluster (at `paths.infraCluster(name)`) for its
 * credential, and the control plane's machine template.
 */
export async function loadPlatformPoolObjects(
  api: HostApi,
  namespace: string,
  clusterName: string,
  nodePool: NodePoolRef,
  paths: { machineTemplates: string; infraCluster(name: string): string },
): Promise<PlatformPoolRead> {
  const objects = await loadPoolObjects(api, namespace, clusterName, nodePool, paths.machineTemplates);
  const infraName = str(valueAt(objects.cluster?.spec, 'infrastructureRef', 'name'));
  const controlPlaneTemplateName = templateNameOf('KubeadmControlPlane', objects.controlPlane);
  const [infraCluster, controlPlaneTemplate] = await Promise.all([
    infraName ? readObjectIfAny(api, paths.infraCluster(infraName)) : undefined,
    nodePool.kind === 'KubeadmControlPlane' || !controlPlaneTemplateName
      ? objects.template
      : readObjectIfAny(api, `${paths.machineTemplates}/${encodeURIComponent(controlPlaneTemplateName)}`),
  ]);
  return {
    objects: { ...objects, controlPlaneTemplate },
    infraName,
    credential: str(valueAt(infraCluster?.spec, 'identityRef', 'name')),
  };
}

/**
 * What `list` reads from the platform with the infrastructure cluster's
 * credential; a missing credential or a failure is the error the form shows.
 */
export async function listWithCredential<T>(
  read: PlatformPoolRead,
  infraKind: string,
  list: (credential: string) => Promise<T[]>,
): Promise<PlatformChoices<T>> {
  if (!read.credential) return { error: `${infraKind} ${read.infraName ?? ''} names no credential` };
  try {
    return { items: await list(read.credential) };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** The control plane's image tags as its kubeadmConfigSpec sets them (empty: kubeadm's default). */
export function imageTagsOf(kcp: { spec?: unknown }): { corednsTag: string; etcdTag: string } {
  const config = valueAt(kcp.spec, 'kubeadmConfigSpec', 'clusterConfiguration');
  return {
    corednsTag: str(valueAt(config, 'dns', 'imageTag')) ?? '',
    etcdTag: str(valueAt(config, 'etcd', 'local', 'imageTag')) ?? '',
  };
}

/** The image a pool's form starts from: its own for the control plane, the control plane's for a worker (where it went first). */
export function startingImage(
  kind: PoolStatus['kind'],
  facts: PlatformPoolObjects,
  platform: PlatformUpgradeSpec,
): string {
  const own = imageOf(facts.template, platform) ?? '';
  return kind === 'KubeadmControlPlane' ? own : (imageOf(facts.controlPlaneTemplate, platform) ?? own);
}

/** The writes of a target: the kit's change of the pool, and for the control plane the Cluster's Kube-OVN annotation. */
export function planPoolUpgrade(
  kind: PoolStatus['kind'],
  facts: PoolObjects,
  target: UpgradeTarget,
  platform: PlatformUpgradeSpec,
  kubeOvnVersion: string | undefined,
): PlannedUpgrade {
  const template = facts.template ?? { metadata: { name: '' } };
  if (kind === 'KubeadmControlPlane')
    return {
      ...controlPlaneChange(facts.pool, template, target, platform),
      clusterPatch: kubeOvnPatch(facts.cluster, kubeOvnVersion),
    };
  return {
    ...workerChange(facts.pool, template, facts.bootstrap, target, platform),
    clusterPatch: undefined,
  };
}

/** What a provider's values mean for the view. */
export interface UpgradeViewSpec {
  platform: PlatformUpgradeSpec;
  /** Each problem of the values, at its field. */
  fieldProblems: FieldProblem[];
  /** The target the values make; asked only when they have no problem. */
  target(): UpgradeTarget;
  /** The control plane's version the values ask for, when it is one (shown as the target). */
  requestedVersion: string | undefined;
  /** The pool's problem when there is no target, e.g. `Choose the target Kubernetes version and image`. */
  noTarget: string;
  /** The problem of a control plane that already runs the target's version from its image. */
  nothingToChange: string;
  /** More reasons the target cannot be used now, e.g. no free slot for the rollout. */
  moreProblems?: (() => string[]) | undefined;
  /** The Kube-OVN version the Cluster goes to with the control plane's target, if any. */
  kubeOvnVersion(target: UpgradeTarget): string | undefined;
  /** How the lines of what Confirm changes name the image, e.g. `VM template`. */
  imageLabel: string;
  /** More lines of what Confirm changes, before Kube-OVN's. */
  moreChanges?: ((target: UpgradeTarget, plan: PlannedUpgrade) => string[]) | undefined;
}

/** The lines of what Confirm changes. */
function changesOf(
  kind: PoolStatus['kind'],
  target: UpgradeTarget,
  plan: PlannedUpgrade,
  spec: UpgradeViewSpec,
) {
  const tag = (name: string, value: string | null | undefined) =>
    value === undefined ? [] : [`${name} ${value ?? "kubeadm's default"}`];
  const kubeOvn = spec.kubeOvnVersion(target);
  return [
    `version ${target.kubernetesVersion}`,
    `machine template ${plan.templateName} (${spec.imageLabel} ${target.image})`,
    ...(kind === 'KubeadmControlPlane'
      ? [...tag('CoreDNS', target.corednsTag), ...tag('etcd', target.etcdTag)]
      : []),
    ...(spec.moreChanges?.(target, plan) ?? []),
    ...(plan.clusterPatch && kubeOvn ? [`Kube-OVN ${kubeOvn}`] : []),
  ];
}

/**
 * What the panel shows for a pool whose user chooses the target: the check
 * (with the documented rule that a worker pool with nothing to change goes
 * after its control plane), the problems at their fields, the plan and its lines.
 */
export function poolUpgradeView(
  kind: PoolStatus['kind'],
  facts: PoolObjects,
  spec: UpgradeViewSpec,
): PoolUpgradeView<PlannedUpgrade> {
  const pool = poolStatusOf(kind, facts.pool);
  const { fieldProblems } = spec;
  const target = fieldProblems.length === 0 ? spec.target() : undefined;
  const controlPlane = poolStatusOf('KubeadmControlPlane', facts.controlPlane);
  const rules: TargetRules<UpgradeTarget> = {
    noTarget: () => spec.noTarget,
    problemsOf(wanted) {
      const problems: string[] = [];
      if (
        wanted.kubernetesVersion === pool.version &&
        wanted.image === imageOf(facts.template, spec.platform)
      )
        // A worker pool with nothing to change goes after its control plane, as documented.
        problems.push(
          kind === 'MachineDeployment' ? UPGRADE_MESSAGES.controlPlaneFirst : spec.nothingToChange,
        );
      problems.push(...(spec.moreProblems?.() ?? []));
      return problems;
    },
  };
  const check = withTemplateCheck(
    kind === 'KubeadmControlPlane'
      ? checkControlPlane(pool, target, rules)
      : checkWorker(pool, controlPlane, () => target, { ...rules, sameVersion: true }),
    facts.template,
  );
  const shownTarget = kind === 'KubeadmControlPlane' ? spec.requestedVersion : controlPlane.version;
  // Field problems say what to fix; the pool's "choose a target" would only repeat them.
  const problems = check.ok
    ? []
    : check.problems.filter((p) => !(target === undefined && p === spec.noTarget));
  if (!check.ok || problems.length > 0 || fieldProblems.length > 0)
    return {
      current: pool.version,
      target: shownTarget,
      problems,
      fieldProblems,
      changes: [],
      plan: undefined,
    };
  const plan = planPoolUpgrade(kind, facts, check.target, spec.platform, spec.kubeOvnVersion(check.target));
  return {
    current: pool.version,
    target: check.target.kubernetesVersion,
    problems: [],
    fieldProblems: [],
    changes: changesOf(kind, check.target, plan, spec),
    plan,
  };
}

/** The problem of a chosen image that is not one the platform listed, at its field. */
export function chosenImageProblem<T>(
  chosen: string,
  choices: PlatformChoices<T>,
  matches: (item: T) => boolean,
  messages: { missing: string; unlisted(error: string): string; unknown: string },
): string | undefined {
  if (!chosen) return messages.missing;
  if ('error' in choices) return messages.unlisted(choices.error);
  if (!choices.items.some(matches)) return messages.unknown;
  return undefined;
}

/**
 * The problem of a control plane's target version, if any: a release
 * (`pattern`), of a supported minor (`minors`, when the platform limits them),
 * and a step Kubernetes allows from `current`.
 */
export function upgradeVersionProblem(
  current: string,
  version: string,
  rules: { pattern: RegExp; minors?: readonly string[] | undefined },
): string | undefined {
  if (!rules.pattern.test(version)) return 'a release such as v1.35.1 (v, major, minor and patch)';
  if (rules.minors && !rules.minors.includes(minorOf(version)))
    return `Kubernetes ${minorOf(version)} is not supported; choose ${rules.minors.join(', ')}`;
  if (version !== current && !isUpgradeStep(current, version))
    return `${version} is not an upgrade of ${current}: a newer release at most one minor above (Kubernetes upgrades one minor at a time)`;
  return undefined;
}

/** How a platform checks the values its user chose for a pool's upgrade. */
export interface ChosenValueRules {
  /** The control plane's target version: its form and the minors the platform supports ({@link upgradeVersionProblem}). */
  version: { pattern: RegExp; minors?: readonly string[] | undefined };
  /**
   * The platform's own problems of the control plane's target, at their
   * fields, after the kit's `versionProblem` (undefined when the version is
   * a valid step), e.g. no release ships it.
   */
  controlPlaneProblems?:
    | ((current: string, version: string, versionProblem: string | undefined) => FieldProblem[])
    | undefined;
  /** The field of the chosen image and its problem, if any ({@link chosenImageProblem}). */
  image: { field: string; problem: string | undefined };
}

/**
 * Each problem of the values a user chose, at its field, in the order the
 * form shows them: for the control plane its version (the kit's rule, then
 * the platform's), then, for every pool, the image.
 */
export function chosenValueProblems(
  kind: PoolStatus['kind'],
  facts: PoolObjects,
  kubernetesVersion: string,
  rules: ChosenValueRules,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (kind === 'KubeadmControlPlane') {
    const current = poolStatusOf('KubeadmControlPlane', facts.controlPlane).version;
    const versionProblem = upgradeVersionProblem(current, kubernetesVersion, rules.version);
    if (versionProblem) problems.push({ field: 'kubernetesVersion', message: versionProblem });
    problems.push(...(rules.controlPlaneProblems?.(current, kubernetesVersion, versionProblem) ?? []));
  }
  if (rules.image.problem) problems.push({ field: rules.image.field, message: rules.image.problem });
  return problems;
}

/** The version the user asked for when it has the platform's form (the view shows it as the target), else undefined. */
export function requestedVersionOf(kubernetesVersion: string, pattern: RegExp): string | undefined {
  return pattern.test(kubernetesVersion) ? kubernetesVersion : undefined;
}

/** A worker pool's target: the control plane's version, from `image`. */
export function workerTarget(facts: PoolObjects, image: string): UpgradeTarget {
  return { kubernetesVersion: poolStatusOf('KubeadmControlPlane', facts.controlPlane).version, image };
}
